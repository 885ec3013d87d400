"""the worklist's filters read from the open tickets' index; hotline cases by case number

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 06:00:00

- ix_ticket_open_street_due gains catalog_code, source and dispatched_at (last): a district's
  open tickets of one catalog type, source or dispatch week are counted and paged from the
  index alone (tests/bench/bench_desk.py: 426 ms → see RESULTS.md for a catalog type). Widening
  the index a new ticket already writes costs it far less than a second index would (0013).
- ix_ticket_dispatched (dispatched_at, district_id, street_id, due_at, id): tickets of every
  state dispatched in a date range, counted and paged by due time from the index. New tickets
  append to it (dispatch times grow), the cheapest index a write can pay for.
- ix_ticket_hotline_month gains street_id and dispatched_at (last): a street's hotline cases
  of every state, counted from the index alone.
- ix_finding_case_no (case_no) WHERE case_no IS NOT NULL: a worklist search by case number,
  and the hotline import's key; only hotline cases are in it.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN = "state IN ('open', 'rectified')"
STREET_DUE = ['street_id', 'due_at', 'id', 'state', 'rectified_at', 'district_id', 'compound_id']
FILTERS = ['catalog_code', 'source', 'dispatched_at']
CASE_NO = "case_no IS NOT NULL"
HOTLINE = "source = 'hotline'"
HOTLINE_MONTH = ['month', 'compound_id', 'catalog_code', 'state', 'due_at', 'rectified_at', 'id']
DISPATCHED = ['dispatched_at', 'district_id', 'street_id', 'due_at', 'id']


def _street_due(columns: list[str]) -> None:
    op.drop_index('ix_ticket_open_street_due', table_name='ticket',
                  sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index('ix_ticket_open_street_due', 'ticket', columns, unique=False,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def _hotline_month(columns: list[str]) -> None:
    op.drop_index('ix_ticket_hotline_month', table_name='ticket',
                  sqlite_where=sa.text(HOTLINE), postgresql_where=sa.text(HOTLINE))
    op.create_index('ix_ticket_hotline_month', 'ticket', columns, unique=False,
                    sqlite_where=sa.text(HOTLINE), postgresql_where=sa.text(HOTLINE))


def upgrade() -> None:
    _street_due(STREET_DUE + FILTERS)
    _hotline_month(HOTLINE_MONTH + ['street_id', 'dispatched_at'])
    op.create_index('ix_ticket_dispatched', 'ticket', DISPATCHED, unique=False)
    op.create_index('ix_finding_case_no', 'finding', ['case_no'], unique=False,
                    sqlite_where=sa.text(CASE_NO), postgresql_where=sa.text(CASE_NO))


def downgrade() -> None:
    op.drop_index('ix_finding_case_no', table_name='finding',
                  sqlite_where=sa.text(CASE_NO), postgresql_where=sa.text(CASE_NO))
    op.drop_index('ix_ticket_dispatched', table_name='ticket')
    _hotline_month(HOTLINE_MONTH)
    _street_due(STREET_DUE)
