"""inspection photos found by their hash; no index on inspection.superseded_by_id

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 08:00:00

- ix_inspection_photo_sha256: whether a caller may see a photo's bytes is asked by SHA-256
  alone (backend/inspections/photos.py photo_visible); the primary key (inspection_id, sha256)
  cannot answer that, so every such request read the whole table.
- ix_inspection_superseded_by_id (0013) is dropped: the column is only ever filtered as
  IS NULL, true of nearly every row, so no plan used it, and every inspection write paid for it.
"""
from __future__ import annotations

from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_inspection_photo_sha256', 'inspection_photo', ['sha256'], unique=False)
    op.drop_index('ix_inspection_superseded_by_id', table_name='inspection')


def downgrade() -> None:
    op.create_index('ix_inspection_superseded_by_id', 'inspection', ['superseded_by_id'],
                    unique=False)
    op.drop_index('ix_inspection_photo_sha256', table_name='inspection_photo')
