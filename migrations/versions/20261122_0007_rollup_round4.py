"""rollup round 4: the inspections' observations digest, in a covering index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 04:00:00

- inspection.observations_digest: a digest of the observations (the application keeps it,
  backend.inspections.models.observations_digest); existing rows are filled in here.
- ix_inspection_rubric_period gains submitted_at, id and observations_digest: the period
  roll-up picks each compound's latest inspections from the index alone and reads the
  observations once per distinct digest, not the ~6 KB row (observations and result trace) of
  every inspection.
"""
from __future__ import annotations

import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEX = 'ix_inspection_rubric_period'
BEFORE = ['rubric_id', 'period_start', 'period_end', 'compound_id']
AFTER = BEFORE + ['submitted_at', 'id', 'observations_digest']


def _digest(observations) -> str:  # noqa: ANN001
    """backend.inspections.models.observations_digest as of this revision."""
    if isinstance(observations, str):  # SQLite gives the JSON text, psycopg the value
        observations = json.loads(observations)
    text = json.dumps(observations, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def upgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('observations_digest', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, observations FROM inspection")).all()
    update = sa.text("UPDATE inspection SET observations_digest = :digest WHERE id = :id")
    for i in range(0, len(rows), 5000):
        conn.execute(update, [{"id": id_, "digest": _digest(observations)}
                              for id_, observations in rows[i:i + 5000]])
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, AFTER, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, BEFORE, unique=False)
        batch_op.drop_column('observations_digest')
