"""inspections amended as new versions; photos on inspection items

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 02:00:00

- inspection.amends_id: the inspection an amendment replaces; inspection.superseded_by_id:
  set on the replaced one, which is kept and no longer counts (backend/inspections/service.py).
- inspection_photo: photos declared on an inspection's items, by SHA-256, received later like
  a finding's photos.
- ix_inspection_rubric_period and ix_inspection_undeclared_month gain `source` (last): a
  period's scores leave patrols (巡查) out, from the index alone.
- finding.duplicate_of_id: the finding a supervisor merged this one into (its ticket is then
  cancelled: it costs points once).
- ix_ticket_open_district_due (0012) is dropped: every new ticket paid for it (~10 % of a
  finding's write, tests/bench/RESULTS.md); a district's list now merges its streets' ranges
  of ix_ticket_open_street_due (backend/findings/views.py).
- ix_ticket_open_street_due and ix_ticket_open_company_due gain the ticket id after the due
  time: a page of 50 by (due_at, id) ends inside a run of equal due times without sorting it.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel

import backend.dbtypes


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


PERIOD = ['rubric_id', 'period_start', 'period_end', 'compound_id', 'submitted_at', 'id',
          'observations_digest']
UNDECLARED = ['month', 'rubric_id', 'compound_id', 'submitted_at', 'id', 'observations_digest']
NO_PERIOD = "period_start IS NULL"


def _indexes(batch_op, extra: list[str]) -> None:  # noqa: ANN001
    batch_op.drop_index('ix_inspection_rubric_period')
    batch_op.drop_index('ix_inspection_undeclared_month', sqlite_where=sa.text(NO_PERIOD),
                        postgresql_where=sa.text(NO_PERIOD))
    batch_op.create_index('ix_inspection_rubric_period', PERIOD + extra, unique=False)
    batch_op.create_index('ix_inspection_undeclared_month', UNDECLARED + extra, unique=False,
                          sqlite_where=sa.text(NO_PERIOD), postgresql_where=sa.text(NO_PERIOD))


OPEN = "state IN ('open', 'rectified')"
STREET_DUE = ('ix_ticket_open_street_due', ['street_id', 'due_at'],
              ['state', 'rectified_at', 'district_id', 'compound_id'])
COMPANY_DUE = ('ix_ticket_open_company_due', ['company_id', 'due_at'],
               ['state', 'rectified_at', 'district_id', 'street_id', 'compound_id'])


def _due_indexes(batch_op, middle: list[str]) -> None:  # noqa: ANN001
    for name, head, tail in (STREET_DUE, COMPANY_DUE):
        batch_op.drop_index(name, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.create_index(name, head + middle + tail, unique=False,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_open_district_due', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        _due_indexes(batch_op, ['id'])
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        _indexes(batch_op, ['source'])
        batch_op.add_column(sa.Column('amends_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('superseded_by_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_inspection_amends_id_inspection'),
                                    'inspection', ['amends_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_inspection_superseded_by_id'),
                              ['superseded_by_id'], unique=False)
    op.create_table(
        'inspection_photo',
        sa.Column('inspection_id', sa.Uuid(), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('received_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['inspection_id'], ['inspection.id'],
                                name=op.f('fk_inspection_photo_inspection_id_inspection')),
        sa.PrimaryKeyConstraint('inspection_id', 'sha256', name=op.f('pk_inspection_photo')))
    op.add_column('finding', sa.Column('duplicate_of_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('duplicate_of_id')
    op.drop_table('inspection_photo')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_superseded_by_id'))
        batch_op.drop_constraint(batch_op.f('fk_inspection_amends_id_inspection'),
                                 type_='foreignkey')
        batch_op.drop_column('superseded_by_id')
        batch_op.drop_column('amends_id')
        _indexes(batch_op, [])
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        _due_indexes(batch_op, [])
        batch_op.create_index('ix_ticket_open_district_due',
                              ['district_id', 'due_at', 'id', 'state', 'rectified_at'],
                              unique=False, sqlite_where=sa.text(OPEN),
                              postgresql_where=sa.text(OPEN))
