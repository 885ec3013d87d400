"""the admin console: deactivation instead of deletion, one-time passwords, notification ids

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 10:00:00

- org_unit, company, compound gain is_active: an admin retires what findings refer to instead
  of deleting it. A retired compound is no longer offered to the phones; its history stays.
- user_account gains must_change_password (a one-time password set by an admin must be
  replaced at the first login), and wecom_id / dingtalk_id, the ids the notifications (#17)
  mention people by besides their mobile number (`phone`).
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

RETIRABLE = ('org_unit', 'company', 'compound')


def upgrade() -> None:
    for table in RETIRABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('is_active', sa.Boolean(), nullable=False,
                                          server_default=sa.true()))
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('wecom_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('dingtalk_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch_op:
        batch_op.drop_column('dingtalk_id')
        batch_op.drop_column('wecom_id')
        batch_op.drop_column('must_change_password')
    for table in RETIRABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('is_active')
