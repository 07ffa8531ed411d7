"""patrol alerts: missed and late 日巡 patrols raised to the lane chief

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 11:00:00.000000

One row per engine event key (scoring.patrol_alerts): raising the same day again adds nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patrol_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_key', sa.String(length=200), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('window', sa.String(length=40), nullable=False),
    sa.Column('window_label', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ruleset_version', sa.String(length=64), nullable=False),
    sa.Column('chief_ids', sa.JSON(), nullable=False),
    sa.Column('message_zh', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by'], ['chiefs.id'], name=op.f('fk_patrol_alerts_acknowledged_by_chiefs')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_patrol_alerts_lane_id_lanes')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_patrol_alerts_segment_id_segments')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_patrol_alerts_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrol_alerts')),
    sa.UniqueConstraint('alert_key', name=op.f('uq_patrol_alerts_alert_key'))
    )
    op.create_index('ix_patrol_alerts_lane_day', 'patrol_alerts', ['lane_id', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_patrol_alerts_lane_day', table_name='patrol_alerts')
    op.drop_table('patrol_alerts')
