"""rollup indexes: covering indexes for the period roll-ups and the overdue dashboard

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 01:00:00

- ix_ticket_month_compound gains the columns the roll-up reads (source, state, due_at,
  rectified_at): one month's GROUP BY compound, code reads the index alone, in its order.
- ix_ticket_open_street_due (partial, open tickets) gains state, rectified_at, district_id and
  compound_id: the overdue test and the scope filter of the dashboard page are answered from the
  index; only the page's 50 rows are read from the table.
- ix_finding_month becomes ix_finding_month_compound (month, compound_id, catalog_code,
  building): recurrence (same problem at the same building in consecutive months) groups the
  findings in index order. The index count per row is unchanged.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = "state IN ('open', 'rectified')"


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_month_compound')
        batch_op.create_index('ix_ticket_month_compound',
                              ['month', 'compound_id', 'catalog_code', 'source', 'state', 'due_at',
                               'rectified_at'], unique=False)
        batch_op.drop_index('ix_ticket_open_street_due', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        batch_op.create_index('ix_ticket_open_street_due',
                              ['street_id', 'due_at', 'state', 'rectified_at', 'district_id',
                               'compound_id'], unique=False,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_month')
        batch_op.create_index('ix_finding_month_compound',
                              ['month', 'compound_id', 'catalog_code', 'building'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_month_compound')
        batch_op.create_index('ix_finding_month', ['month'], unique=False)
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_open_street_due', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        batch_op.create_index('ix_ticket_open_street_due', ['street_id', 'due_at'], unique=False,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.drop_index('ix_ticket_month_compound')
        batch_op.create_index('ix_ticket_month_compound', ['month', 'compound_id', 'catalog_code'],
                              unique=False)
