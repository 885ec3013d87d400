"""finding write indexes: two fewer index updates per finding logged

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 05:00:00

- ix_finding_compound_id is dropped: nothing reads findings by compound alone (lists, scopes
  and roll-ups filter the ticket, recurrence uses ix_finding_month_compound); it was one more
  B-tree page written at a random place for every finding.
- ix_finding_inspection_id becomes partial, WHERE inspection_id IS NOT NULL: patrol, hotline
  and grid findings (most of them) have no inspection and no longer enter it; an inspection's
  findings (`inspection_id = ?`) are still found through it.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

WITH_INSPECTION = "inspection_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_compound_id')
        batch_op.drop_index('ix_finding_inspection_id')
        batch_op.create_index('ix_finding_inspection_id', ['inspection_id'], unique=False,
                              sqlite_where=sa.text(WITH_INSPECTION),
                              postgresql_where=sa.text(WITH_INSPECTION))


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_inspection_id', sqlite_where=sa.text(WITH_INSPECTION),
                            postgresql_where=sa.text(WITH_INSPECTION))
        batch_op.create_index('ix_finding_inspection_id', ['inspection_id'], unique=False)
        batch_op.create_index('ix_finding_compound_id', ['compound_id'], unique=False)
