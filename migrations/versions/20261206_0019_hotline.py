"""hotline: work orders imported from the 12345 platform, their mappings, aliases and conflicts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:24:16

- hotline_order: a work order by its number, as the last import stated it, how it matched, and
  the case (finding) it became; ix_hotline_order_review holds only those awaiting review.
- hotline_import: each imported file; hotline_mapping: a platform's saved column mapping.
- compound_alias: names residents use for a compound, saved from the review queue.
- hotline_conflict: changes to work orders of a published period, not applied, for review.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import backend.dbtypes


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hotline_mapping',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_mapping')),
    sa.UniqueConstraint('name', name=op.f('uq_hotline_mapping_name'))
    )
    op.create_table('compound_alias',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=False),
    sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_compound_alias_compound_id_compound')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compound_alias')),
    sa.UniqueConstraint('compound_id', 'alias', name='uq_compound_alias')
    )
    with op.batch_alter_table('compound_alias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compound_alias_compound_id'), ['compound_id'], unique=False)

    op.create_table('hotline_import',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('mapping_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('imported_by', sa.Uuid(), nullable=False),
    sa.Column('imported_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('scope_units', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['imported_by'], ['user_account.id'], name=op.f('fk_hotline_import_imported_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_import'))
    )
    with op.batch_alter_table('hotline_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotline_import_imported_at'), ['imported_at'], unique=False)

    op.create_table('hotline_conflict',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('import_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_hotline_conflict_compound_id_compound')),
    sa.ForeignKeyConstraint(['import_id'], ['hotline_import.id'], name=op.f('fk_hotline_conflict_import_id_hotline_import')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotline_conflict')),
    sa.UniqueConstraint('case_no', 'digest', name='uq_hotline_conflict')
    )
    with op.batch_alter_table('hotline_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotline_conflict_case_no'), ['case_no'], unique=False)

    op.create_table('hotline_order',
    sa.Column('case_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('finding_id', sa.Uuid(), nullable=True),
    sa.Column('accepted_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stated', sa.JSON(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=True),
    sa.Column('compound_score', sa.Float(), nullable=False),
    sa.Column('compound_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('catalog_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('type_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('dismissed_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('reviewed_by', sa.Uuid(), nullable=True),
    sa.Column('reviewed_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_import_id', sa.Uuid(), nullable=False),
    sa.Column('last_import_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('updated_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_hotline_order_compound_id_compound')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_hotline_order_finding_id_finding')),
    sa.ForeignKeyConstraint(['first_import_id'], ['hotline_import.id'], name=op.f('fk_hotline_order_first_import_id_hotline_import')),
    sa.ForeignKeyConstraint(['last_import_id'], ['hotline_import.id'], name=op.f('fk_hotline_order_last_import_id_hotline_import')),
    sa.PrimaryKeyConstraint('case_no', name=op.f('pk_hotline_order')),
    sa.UniqueConstraint('finding_id', name=op.f('uq_hotline_order_finding_id'))
    )
    with op.batch_alter_table('hotline_order', schema=None) as batch_op:
        batch_op.create_index('ix_hotline_order_review', ['accepted_at'], unique=False, sqlite_where=sa.text('needs_review'), postgresql_where=sa.text('needs_review'))



def downgrade() -> None:
    with op.batch_alter_table('hotline_order', schema=None) as batch_op:
        batch_op.drop_index('ix_hotline_order_review', sqlite_where=sa.text('needs_review'), postgresql_where=sa.text('needs_review'))

    op.drop_table('hotline_order')
    with op.batch_alter_table('hotline_conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotline_conflict_case_no'))

    op.drop_table('hotline_conflict')
    with op.batch_alter_table('hotline_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotline_import_imported_at'))

    op.drop_table('hotline_import')
    with op.batch_alter_table('compound_alias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compound_alias_compound_id'))

    op.drop_table('compound_alias')
    op.drop_table('hotline_mapping')
