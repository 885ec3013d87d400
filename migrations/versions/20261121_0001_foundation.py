"""foundation: organisation, users, tokens, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 23:43:36.246694
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import backend.dbtypes


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company',
    sa.Column('credit_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('credit_grade', sa.String(length=4), nullable=True),
    sa.Column('community_run', sa.Boolean(), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_company')),
    sa.UniqueConstraint('name', name=op.f('uq_company_name'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)

    op.create_table('org_unit',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('district_id', sa.Uuid(), nullable=True),
    sa.Column('street_id', sa.Uuid(), nullable=True),
    sa.Column('community_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['org_unit.id'], name=op.f('fk_org_unit_parent_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_org_unit'))
    )
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_unit_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_unit_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_unit_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_unit_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_org_unit_street_id'), ['street_id'], unique=False)

    op.create_table('compound',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('building_area_m2', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.Column('company_moved_in_on', sa.Date(), nullable=True),
    sa.Column('is_old', sa.Boolean(), nullable=False),
    sa.Column('has_party_branch', sa.Boolean(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=False),
    sa.Column('district_id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['org_unit.id'], name=op.f('fk_compound_community_id_org_unit')),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_compound_company_id_company')),
    sa.ForeignKeyConstraint(['district_id'], ['org_unit.id'], name=op.f('fk_compound_district_id_org_unit')),
    sa.ForeignKeyConstraint(['street_id'], ['org_unit.id'], name=op.f('fk_compound_street_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compound'))
    )
    with op.batch_alter_table('compound', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compound_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compound_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compound_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compound_street_id'), ['street_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_compound_updated_at'), ['updated_at'], unique=False)

    op.create_table('user_account',
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_user_account_company_id_company')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_company_id'), ['company_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_object_id'), ['object_id'], unique=False)

    op.create_table('auth_token',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_auth_token_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_token_token_hash'))
    )
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_token_user_id'), ['user_id'], unique=False)

    op.create_table('compound_grid',
    sa.Column('compound_id', sa.Uuid(), nullable=False),
    sa.Column('grid_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_compound_grid_compound_id_compound'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grid_id'], ['org_unit.id'], name=op.f('fk_compound_grid_grid_id_org_unit')),
    sa.PrimaryKeyConstraint('compound_id', 'grid_id', name=op.f('pk_compound_grid'))
    )
    with op.batch_alter_table('compound_grid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compound_grid_grid_id'), ['grid_id'], unique=False)

    op.create_table('user_scope_unit',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_user_scope_unit_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_scope_unit_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_user_scope_unit'))
    )
    with op.batch_alter_table('user_scope_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_scope_unit_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('user_scope_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_scope_unit_unit_id'))

    op.drop_table('user_scope_unit')
    with op.batch_alter_table('compound_grid', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compound_grid_grid_id'))

    op.drop_table('compound_grid')
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_token_user_id'))

    op.drop_table('auth_token')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_object_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))

    op.drop_table('audit_event')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_account_company_id'))

    op.drop_table('user_account')
    with op.batch_alter_table('compound', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compound_updated_at'))
        batch_op.drop_index(batch_op.f('ix_compound_street_id'))
        batch_op.drop_index(batch_op.f('ix_compound_district_id'))
        batch_op.drop_index(batch_op.f('ix_compound_company_id'))
        batch_op.drop_index(batch_op.f('ix_compound_community_id'))

    op.drop_table('compound')
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_unit_street_id'))
        batch_op.drop_index(batch_op.f('ix_org_unit_parent_id'))
        batch_op.drop_index(batch_op.f('ix_org_unit_level'))
        batch_op.drop_index(batch_op.f('ix_org_unit_district_id'))
        batch_op.drop_index(batch_op.f('ix_org_unit_community_id'))

    op.drop_table('org_unit')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))
        batch_op.drop_index(batch_op.f('ix_login_failure_address'))
        batch_op.drop_index(batch_op.f('ix_login_failure_account'))

    op.drop_table('login_failure')
    op.drop_table('company')
