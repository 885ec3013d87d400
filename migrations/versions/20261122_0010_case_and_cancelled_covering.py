"""hotline cases, cancelled tickets and undeclared inspections from covering partial indexes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 04:20:00

- ix_ticket_hotline_month (month, compound_id, catalog_code, state, due_at, rectified_at, id)
  WHERE source = 'hotline': the month's hotline cases (a twentieth of the tickets) without
  reading the month's other tickets or any ticket row; only hotline tickets enter it.
- ix_ticket_cancelled_month gains catalog_code and id: recurrence reads the month's cancelled
  tickets from the index alone.
- ix_inspection_undeclared_month (month, rubric_id, compound_id, submitted_at, id,
  observations_digest) WHERE period_start IS NULL: the inspections that declare no period,
  by the month they were started in; the roll-up read every inspection of the month (rows of
  ~6 KB) through ix_inspection_month to find them.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

HOTLINE = "source = 'hotline'"
CANCELLED = "state = 'cancelled'"
UNDECLARED = "period_start IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_hotline_month',
                              ['month', 'compound_id', 'catalog_code', 'state', 'due_at',
                               'rectified_at', 'id'], unique=False,
                              sqlite_where=sa.text(HOTLINE), postgresql_where=sa.text(HOTLINE))
        batch_op.drop_index('ix_ticket_cancelled_month', sqlite_where=sa.text(CANCELLED),
                            postgresql_where=sa.text(CANCELLED))
        batch_op.create_index('ix_ticket_cancelled_month',
                              ['month', 'compound_id', 'catalog_code', 'id'], unique=False,
                              sqlite_where=sa.text(CANCELLED), postgresql_where=sa.text(CANCELLED))
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_undeclared_month',
                              ['month', 'rubric_id', 'compound_id', 'submitted_at', 'id',
                               'observations_digest'], unique=False,
                              sqlite_where=sa.text(UNDECLARED),
                              postgresql_where=sa.text(UNDECLARED))


def downgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_undeclared_month', sqlite_where=sa.text(UNDECLARED),
                            postgresql_where=sa.text(UNDECLARED))
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_cancelled_month', sqlite_where=sa.text(CANCELLED),
                            postgresql_where=sa.text(CANCELLED))
        batch_op.create_index('ix_ticket_cancelled_month', ['month', 'compound_id'], unique=False,
                              sqlite_where=sa.text(CANCELLED), postgresql_where=sa.text(CANCELLED))
        batch_op.drop_index('ix_ticket_hotline_month', sqlite_where=sa.text(HOTLINE),
                            postgresql_where=sa.text(HOTLINE))
