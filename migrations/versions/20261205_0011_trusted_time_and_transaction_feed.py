"""times phones claim are flagged when not believed; PostgreSQL's pull feed by transaction

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 12:00:00

- finding, ticket_event, inspection gain `time_flag`: why the phone's claimed time was not
  believed and the arrival time counts instead (backend/clock.py), for the verifier.
- PostgreSQL: a row's pull position (`change_seq`) becomes the id of the transaction that
  wrote it, shifted left by 20 bits, plus the transaction's own count of rows
  (backend/findings/repository.py), no longer a value of the `sync_counter` row, which
  serialised every writer. Positions written before are moved to this migration's own
  transaction id, below every transaction to come; phones holding a cursor of the old form
  start their pull again from the beginning (backend/sync/service.py). SQLite keeps its counter.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TABLES = ("finding", "ticket_event", "inspection")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('time_flag', sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for table in ("ticket", "finding", "inspection"):
            op.alter_column(table, "change_seq", type_=sa.BigInteger(),
                            existing_type=sa.Integer(), existing_nullable=False)
            op.execute(f"UPDATE {table} SET change_seq = pg_current_xact_id()::text::bigint << 20")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # back to one counter: the rows in their feed order, numbered after the counter
        op.execute("""
            WITH ordered AS (
                SELECT id, row_number() OVER (ORDER BY change_seq, id) AS n FROM ticket)
            UPDATE ticket SET change_seq = ordered.n FROM ordered WHERE ticket.id = ordered.id""")
        op.execute("UPDATE sync_counter SET value = GREATEST(value, "
                   "(SELECT COALESCE(max(change_seq), 0) FROM ticket))")
        for table in ("finding", "inspection"):
            op.execute(f"UPDATE {table} SET change_seq = 0")
        for table in ("ticket", "finding", "inspection"):
            op.alter_column(table, "change_seq", type_=sa.Integer(),
                            existing_type=sa.BigInteger(), existing_nullable=False)
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('time_flag')
