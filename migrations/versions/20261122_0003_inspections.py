"""inspections

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 23:56:22.875806
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import backend.dbtypes


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inspection',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=True),
    sa.Column('unit_id', sa.Uuid(), nullable=True),
    sa.Column('district_id', sa.Uuid(), nullable=True),
    sa.Column('street_id', sa.Uuid(), nullable=True),
    sa.Column('company_id', sa.Uuid(), nullable=True),
    sa.Column('rubric_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('inspector_id', sa.Uuid(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('started_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('observations', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('total', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('grade', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('change_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_inspection_compound_id_compound')),
    sa.ForeignKeyConstraint(['inspector_id'], ['user_account.id'], name=op.f('fk_inspection_inspector_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_inspection_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection'))
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_inspector_id'), ['inspector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_street_id'), ['street_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_unit_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_street_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_month'))
        batch_op.drop_index(batch_op.f('ix_inspection_inspector_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_compound_id'))
        batch_op.drop_index(batch_op.f('ix_inspection_change_seq'))

    op.drop_table('inspection')
