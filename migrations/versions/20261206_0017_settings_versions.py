"""the deployment's settings over the rubric files, one row per version

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 11:00:00

settings_version holds what a deployment decides for itself (backend/configuration): values
the seeds leave blank, holiday entries, working schedules, uploaded rubric files. Each change adds a whole row;
the newest is in force, and every score names the version it was computed under.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import sqlmodel

import backend.dbtypes


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'settings_version',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('at', backend.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Uuid(), nullable=True),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('calendar', sa.JSON(), nullable=False),
        sa.Column('schedules', sa.JSON(), nullable=False),
        sa.Column('rubric_files', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'],
                                name=op.f('fk_settings_version_actor_id_user_account')),
        sa.PrimaryKeyConstraint('version', name=op.f('pk_settings_version')),
    )


def downgrade() -> None:
    op.drop_table('settings_version')
