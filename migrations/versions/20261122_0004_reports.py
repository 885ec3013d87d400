"""reports: case flags, ticket source, publications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:15:25.741320
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import backend.dbtypes


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company_direct_score',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=False),
    sa.Column('period_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_company_direct_score_company_id_company')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_company_direct_score_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company_direct_score')),
    sa.UniqueConstraint('company_id', 'period_key', name=op.f('uq_company_direct_score_company_id_period_key'))
    )
    with op.batch_alter_table('company_direct_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_direct_score_company_id'), ['company_id'], unique=False)

    op.create_table('demonstration_project',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_demonstration_project_compound_id_compound')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_demonstration_project_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demonstration_project'))
    )
    with op.batch_alter_table('demonstration_project', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demonstration_project_compound_id'), ['compound_id'], unique=False)

    op.create_table('period_publication',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('period_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('scope_unit_id', sa.Uuid(), nullable=False),
    sa.Column('frozen_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('frozen_by', sa.Uuid(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('reopened_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopened_by', sa.Uuid(), nullable=True),
    sa.Column('reopen_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['frozen_by'], ['user_account.id'], name=op.f('fk_period_publication_frozen_by_user_account')),
    sa.ForeignKeyConstraint(['reopened_by'], ['user_account.id'], name=op.f('fk_period_publication_reopened_by_user_account')),
    sa.ForeignKeyConstraint(['scope_unit_id'], ['org_unit.id'], name=op.f('fk_period_publication_scope_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_publication'))
    )
    with op.batch_alter_table('period_publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_publication_period_key'), ['period_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_publication_scope_unit_id'), ['scope_unit_id'], unique=False)

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_shirking', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('case_callback_failed', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=False, server_default='patrol'))
        batch_op.drop_index(batch_op.f('ix_ticket_month'))
        batch_op.create_index('ix_ticket_month_compound', ['month', 'compound_id', 'catalog_code'], unique=False)
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))  # the unique (ticket_id, seq) serves
    # Tickets carry their finding's source and observed month from now on; backfill both.
    op.execute("UPDATE ticket SET source = (SELECT source FROM finding WHERE finding.id = ticket.id), "
               "month = (SELECT month FROM finding WHERE finding.id = ticket.id)")



def downgrade() -> None:
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_month_compound')
        batch_op.create_index(batch_op.f('ix_ticket_month'), ['month'], unique=False)
        batch_op.drop_column('source')

    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_column('case_callback_failed')
        batch_op.drop_column('case_shirking')

    with op.batch_alter_table('period_publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_publication_scope_unit_id'))
        batch_op.drop_index(batch_op.f('ix_period_publication_period_key'))

    op.drop_table('period_publication')
    with op.batch_alter_table('demonstration_project', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demonstration_project_compound_id'))

    op.drop_table('demonstration_project')
    with op.batch_alter_table('company_direct_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_direct_score_company_id'))

    op.drop_table('company_direct_score')
