"""rollup round 3: the latest-inspection index; the finding indexes nothing queries

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 03:00:00

- ix_inspection_rubric_period (rubric_id, period_start, period_end, compound_id): the period
  roll-up's latest P/E/D inspections are found by their declared assessment period instead of
  walking every compound's inspections of every month.
- ix_ticket_open_company_due (partial, open tickets) gains state, rectified_at, district_id,
  street_id and compound_id, like ix_ticket_open_street_due: the dashboard's overdue count by
  company and a manager's overdue list are answered from the index.
- ix_ticket_cancelled_month (month, compound_id) WHERE state = 'cancelled' (partial): recurrence
  subtracts a month's few cancelled tickets without scanning the month's index.
- ix_finding_district_id, ix_finding_street_id, ix_finding_company_id, ix_finding_change_seq are
  dropped: lists, scopes, roll-ups and sync filter the ticket (which carries the same columns
  and its own change_seq index), never the finding; four fewer index updates per finding.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN = "state IN ('open', 'rectified')"
CANCELLED = "state = 'cancelled'"
UNUSED = (('ix_finding_district_id', 'district_id'), ('ix_finding_street_id', 'street_id'),
          ('ix_finding_company_id', 'company_id'), ('ix_finding_change_seq', 'change_seq'))


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_open_company_due', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        batch_op.create_index('ix_ticket_open_company_due',
                              ['company_id', 'due_at', 'state', 'rectified_at', 'district_id',
                               'street_id', 'compound_id'], unique=False,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.create_index('ix_ticket_cancelled_month', ['month', 'compound_id'], unique=False,
                              sqlite_where=sa.text(CANCELLED),
                              postgresql_where=sa.text(CANCELLED))
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index('ix_inspection_rubric_period',
                              ['rubric_id', 'period_start', 'period_end', 'compound_id'],
                              unique=False)
    with op.batch_alter_table('finding', schema=None) as batch_op:
        for name, _ in UNUSED:
            batch_op.drop_index(name)


def downgrade() -> None:
    with op.batch_alter_table('finding', schema=None) as batch_op:
        for name, column in UNUSED:
            batch_op.create_index(name, [column], unique=False)
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_rubric_period')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_cancelled_month', sqlite_where=sa.text(CANCELLED),
                            postgresql_where=sa.text(CANCELLED))
        batch_op.drop_index('ix_ticket_open_company_due', sqlite_where=sa.text(OPEN),
                            postgresql_where=sa.text(OPEN))
        batch_op.create_index('ix_ticket_open_company_due', ['company_id', 'due_at'], unique=False,
                              sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
