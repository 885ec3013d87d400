"""findings tickets photos sync

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:49:49.374232
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel
import backend.dbtypes


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_counter'))
    )
    op.create_table('finding',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=False),
    sa.Column('district_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=False),
    sa.Column('community_id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=True),
    sa.Column('reporter_id', sa.Uuid(), nullable=False),
    sa.Column('catalog_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('inspection_id', sa.Uuid(), nullable=True),
    sa.Column('rubric_item', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('building', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('location_text', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('case_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('case_level', sa.String(length=16), nullable=True),
    sa.Column('observed_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('client_observed_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('photos_declared', sa.Integer(), nullable=False),
    sa.Column('photos_held', sa.Integer(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('change_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_finding_compound_id_compound')),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_finding_reporter_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_street_id'), ['street_id'], unique=False)

    op.create_table('photo',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('byte_size', sa.Integer(), nullable=False),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('taken_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('taken_at_local', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('make', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('uploaded_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id'], name=op.f('fk_photo_uploaded_by_user_account')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_photo'))
    )
    op.create_table('photo_ref',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('finding_id', sa.Uuid(), nullable=False),
    sa.Column('owner_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('declared_bytes', sa.Integer(), nullable=True),
    sa.Column('received_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_photo_ref_finding_id_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_ref')),
    sa.UniqueConstraint('owner_id', 'sha256', name=op.f('uq_photo_ref_owner_id_sha256'))
    )
    with op.batch_alter_table('photo_ref', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_ref_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photo_ref_sha256'), ['sha256'], unique=False)

    op.create_table('ticket',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('compound_id', sa.Uuid(), nullable=False),
    sa.Column('district_id', sa.Uuid(), nullable=False),
    sa.Column('street_id', sa.Uuid(), nullable=False),
    sa.Column('company_id', sa.Uuid(), nullable=True),
    sa.Column('catalog_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('dispatched_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_amount', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('deadline_unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('schedule_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('due_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('rectified_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('overdue_at_close', sa.Boolean(), nullable=True),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['compound_id'], ['compound.id'], name=op.f('fk_ticket_compound_id_compound')),
    sa.ForeignKeyConstraint(['id'], ['finding.id'], name=op.f('fk_ticket_id_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket'))
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_compound_id'), ['compound_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_month'), ['month'], unique=False)
        batch_op.create_index('ix_ticket_open_company_due', ['company_id', 'due_at'], unique=False, sqlite_where=sa.text("state IN ('open', 'rectified')"), postgresql_where=sa.text("state IN ('open', 'rectified')"))
        batch_op.create_index('ix_ticket_open_street_due', ['street_id', 'due_at'], unique=False, sqlite_where=sa.text("state IN ('open', 'rectified')"), postgresql_where=sa.text("state IN ('open', 'rectified')"))

    op.create_table('ticket_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('client_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clock_skew_seconds', sa.Integer(), nullable=False),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_ticket_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_ticket_event_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_event')),
    sa.UniqueConstraint('ticket_id', 'seq', name=op.f('uq_ticket_event_ticket_id_seq'))
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)
    op.bulk_insert(sa.table('sync_counter', sa.column('id', sa.Integer), sa.column('value', sa.Integer)),
                   [{'id': 1, 'value': 0}])


def downgrade() -> None:
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_open_street_due', sqlite_where=sa.text("state IN ('open', 'rectified')"), postgresql_where=sa.text("state IN ('open', 'rectified')"))
        batch_op.drop_index('ix_ticket_open_company_due', sqlite_where=sa.text("state IN ('open', 'rectified')"), postgresql_where=sa.text("state IN ('open', 'rectified')"))
        batch_op.drop_index(batch_op.f('ix_ticket_month'))
        batch_op.drop_index(batch_op.f('ix_ticket_compound_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_change_seq'))

    op.drop_table('ticket')
    with op.batch_alter_table('photo_ref', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_ref_sha256'))
        batch_op.drop_index(batch_op.f('ix_photo_ref_finding_id'))

    op.drop_table('photo_ref')
    op.drop_table('photo')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_street_id'))
        batch_op.drop_index(batch_op.f('ix_finding_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_finding_month'))
        batch_op.drop_index(batch_op.f('ix_finding_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_finding_district_id'))
        batch_op.drop_index(batch_op.f('ix_finding_compound_id'))
        batch_op.drop_index(batch_op.f('ix_finding_company_id'))
        batch_op.drop_index(batch_op.f('ix_finding_change_seq'))

    op.drop_table('finding')
    op.drop_table('sync_counter')
