"""ticket month index in append order within a compound's month

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 04:00:00

ix_ticket_month_compound was (month, compound_id, catalog_code, …): a new ticket entered a
compound's month at its catalog code's place, so a phone's batch of 100 findings from five
compounds wrote ~100 scattered leaf pages of this index alone. With change_seq (set from a
counter at every write) right after compound_id, a compound's new tickets append at the end
of its month: ~15 % fewer WAL pages per such batch (tests/bench/RESULTS.md). The roll-ups read
(month, compound_id) groups and the same covered columns, so their plans are unchanged.
"""
from __future__ import annotations

from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COVERED = ['catalog_code', 'source', 'state', 'due_at', 'rectified_at']


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_month_compound')
        batch_op.create_index('ix_ticket_month_compound',
                              ['month', 'compound_id', 'change_seq', *COVERED], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_month_compound')
        batch_op.create_index('ix_ticket_month_compound', ['month', 'compound_id', *COVERED],
                              unique=False)
