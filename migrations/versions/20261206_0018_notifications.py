"""notifications: channels, the inbox, the outbox and its attempts, the ticket's ladder

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 14:00:00

- notify_channel: a WeCom / DingTalk group robot or an SMTP server of a unit or a company.
- notification: one message for one person (the app's inbox), unique by ticket:rule:level:person.
- delivery / delivery_attempt: the outbox a worker sends from, and each try.
- ticket gains notify_at (when the notifier must look at it; a partial index is its scan),
  notified_seq, ladder_level and ladder_at. Tickets open at the upgrade are looked at once,
  their past events and ladder steps taken as told (ladder_level -1: catch up silently), so an
  upgrade does not flood the groups with what everyone already knew. ix_ticket_ladder holds
  the open tickets up the ladder, by compound first, for the dashboards' 催办 / 督办 counts
  (GET /api/dashboard/ladder, beside the overdue board, which stays as it was).
- user_account gains email and is_company_head (企业负责人, who receives the company's 督办).
- settings_version gains notifications (the rules as data; {} = the defaults).
"""
from __future__ import annotations

from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel

import backend.dbtypes


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


UP_THE_LADDER = "ticket.state = 'open' AND ticket.ladder_level >= 2"


def upgrade() -> None:
    op.create_table(
        'notify_channel',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('unit_id', sa.Uuid(), nullable=True),
        sa.Column('company_id', sa.Uuid(), nullable=True),
        sa.Column('config', sa.JSON(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_sent_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_failed_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'],
                                name=op.f('fk_notify_channel_company_id_company')),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'],
                                name=op.f('fk_notify_channel_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_channel')),
    )
    op.create_index(op.f('ix_notify_channel_company_id'), 'notify_channel', ['company_id'])
    op.create_index(op.f('ix_notify_channel_unit_id'), 'notify_channel', ['unit_id'])

    op.create_table(
        'notification',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('recipient_id', sa.Uuid(), nullable=False),
        sa.Column('ticket_id', sa.Uuid(), nullable=True),
        sa.Column('rule', sa.String(length=16), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('read_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_notification_recipient_id_user_account')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'],
                                name=op.f('fk_notification_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('key', name=op.f('uq_notification_key')),
    )
    op.create_index('ix_notification_recipient_created', 'notification',
                    ['recipient_id', 'created_at'])
    op.create_index('ix_notification_unread', 'notification', ['recipient_id', 'ticket_id'],
                    sqlite_where=sa.text('read_at IS NULL'),
                    postgresql_where=sa.text('read_at IS NULL'))

    op.create_table(
        'delivery',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=240), nullable=False),
        sa.Column('channel_id', sa.Uuid(), nullable=False),
        sa.Column('rule', sa.String(length=16), nullable=False),
        sa.Column('ticket_id', sa.Uuid(), nullable=True),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column('mobiles', sa.JSON(), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('claimed_by', sa.Uuid(), nullable=True),
        sa.Column('sent_at', backend.dbtypes.UTCDateTime(timezone=True), nullable=True),
        sa.Column('merged_into', sa.Uuid(), nullable=True),
        sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(['channel_id'], ['notify_channel.id'],
                                name=op.f('fk_delivery_channel_id_notify_channel')),
        sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'],
                                name=op.f('fk_delivery_ticket_id_ticket')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery')),
        sa.UniqueConstraint('key', name=op.f('uq_delivery_key')),
    )
    op.create_index(op.f('ix_delivery_status'), 'delivery', ['status'])
    op.create_index('ix_delivery_channel_status', 'delivery', ['channel_id', 'status'])
    op.create_index('ix_delivery_due', 'delivery', ['next_attempt_at'],
                    sqlite_where=sa.text("status IN ('pending', 'sending')"),
                    postgresql_where=sa.text("status IN ('pending', 'sending')"))

    op.create_table(
        'delivery_attempt',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('delivery_id', sa.Uuid(), nullable=False),
        sa.Column('at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column('merged', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'],
                                name=op.f('fk_delivery_attempt_delivery_id_delivery')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_attempt')),
    )
    op.create_index(op.f('ix_delivery_attempt_delivery_id'), 'delivery_attempt', ['delivery_id'])

    with op.batch_alter_table('ticket') as batch_op:
        batch_op.add_column(sa.Column('notify_at', backend.dbtypes.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('notified_seq', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('ladder_level', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('ladder_at', backend.dbtypes.UTCDateTime(timezone=True),
                                      nullable=True))
    now = sa.bindparam('now', datetime.now(timezone.utc),
                       type_=backend.dbtypes.UTCDateTime(timezone=True))
    # every ticket's history is taken as told (a later event on a closed one tells only itself)
    op.execute(sa.text(
        "UPDATE ticket SET notified_seq = COALESCE((SELECT max(seq) FROM ticket_event "
        "WHERE ticket_event.ticket_id = ticket.id), 0)"))
    op.execute(sa.text("UPDATE ticket SET notify_at = :now, ladder_level = -1 "
                       "WHERE state IN ('open', 'rectified')").bindparams(now))
    op.create_index('ix_ticket_notify', 'ticket', ['notify_at'],
                    sqlite_where=sa.text('notify_at IS NOT NULL'),
                    postgresql_where=sa.text('notify_at IS NOT NULL'))
    op.create_index('ix_ticket_ladder', 'ticket',
                    ['compound_id', 'ladder_level', 'street_id', 'district_id', 'company_id', 'state'],
                    sqlite_where=sa.text(UP_THE_LADDER), postgresql_where=sa.text(UP_THE_LADDER))

    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=True))
        batch_op.add_column(sa.Column('is_company_head', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('settings_version') as batch_op:
        batch_op.add_column(sa.Column('notifications', sa.JSON(), nullable=False,
                                      server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('settings_version') as batch_op:
        batch_op.drop_column('notifications')
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('is_company_head')
        batch_op.drop_column('email')
    op.drop_index('ix_ticket_ladder', table_name='ticket')
    op.drop_index('ix_ticket_notify', table_name='ticket')
    with op.batch_alter_table('ticket') as batch_op:
        batch_op.drop_column('ladder_at')
        batch_op.drop_column('ladder_level')
        batch_op.drop_column('notified_seq')
        batch_op.drop_column('notify_at')
    op.drop_table('delivery_attempt')
    op.drop_table('delivery')
    op.drop_table('notification')
    op.drop_index(op.f('ix_notify_channel_unit_id'), table_name='notify_channel')
    op.drop_index(op.f('ix_notify_channel_company_id'), table_name='notify_channel')
    op.drop_table('notify_channel')
