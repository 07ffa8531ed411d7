"""工作台账 and 周查: cases, their reports and events, dissuasions, inspections; lane-level points

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:38:47.637186

Points for a case, a dissuasion or an inspection belong to a lane, not to one segment of it, so
points_entries.segment_id becomes nullable.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

log = logging.getLogger(__name__)

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inspections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('chief_id', sa.Integer(), nullable=False),
    sa.Column('inspected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('week_of', sa.Date(), nullable=False),
    sa.Column('checklist_version', sa.String(length=16), nullable=False),
    sa.Column('items_total', sa.SmallInteger(), nullable=False),
    sa.Column('items_passed', sa.SmallInteger(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['chief_id'], ['chiefs.id'], name=op.f('fk_inspections_chief_id_chiefs')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_inspections_lane_id_lanes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspections'))
    )
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.create_index('uq_inspections_lane_week', ['lane_id', 'week_of'], unique=True)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('position_m', sa.Float(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('photo_ref', sa.String(length=300), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_cases_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['cases.id'], name=op.f('fk_cases_duplicate_of_id_cases')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_cases_lane_id_lanes')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_cases_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_lane_state', ['lane_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_steward_id'), ['steward_id'], unique=False)

    op.create_table('dissuasions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_dissuasions_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_dissuasions_lane_id_lanes')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_dissuasions_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dissuasions')),
    sa.UniqueConstraint('source_key', name=op.f('uq_dissuasions_source_key'))
    )
    with op.batch_alter_table('dissuasions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dissuasions_lane_id'), ['lane_id'], unique=False)
        batch_op.create_index('ix_dissuasions_steward_at', ['steward_id', 'at'], unique=False)

    op.create_table('inspection_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inspection_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('text', sa.String(length=120), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_items_inspection_id_inspections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_items'))
    )
    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.create_index('uq_inspection_items_inspection_code', ['inspection_id', 'code'], unique=True)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=False),
    sa.Column('actor_kind', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('case_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.Column('position_m', sa.Float(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('photo_ref', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_case_reports_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_case_reports_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_reports')),
    sa.UniqueConstraint('source_key', name=op.f('uq_case_reports_source_key'))
    )
    with op.batch_alter_table('case_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_reports_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_reports_steward_id'), ['steward_id'], unique=False)

    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.alter_column('segment_id', existing_type=sa.Integer(), nullable=True)



def downgrade() -> None:
    # Lane-level entries cannot live in a ledger whose every entry names a segment: they go with the
    # tables that explain them.
    removed = op.get_bind().execute(sa.text("DELETE FROM points_entries WHERE segment_id IS NULL")).rowcount
    if removed:
        log.warning("downgrade removed %d lane-level points entries (cases, dissuasions, inspections)", removed)
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.alter_column('segment_id', existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table('case_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_reports_steward_id'))
        batch_op.drop_index(batch_op.f('ix_case_reports_case_id'))

    op.drop_table('case_reports')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('inspection_items', schema=None) as batch_op:
        batch_op.drop_index('uq_inspection_items_inspection_code')

    op.drop_table('inspection_items')
    with op.batch_alter_table('dissuasions', schema=None) as batch_op:
        batch_op.drop_index('ix_dissuasions_steward_at')
        batch_op.drop_index(batch_op.f('ix_dissuasions_lane_id'))

    op.drop_table('dissuasions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_steward_id'))
        batch_op.drop_index(batch_op.f('ix_cases_state'))
        batch_op.drop_index('ix_cases_lane_state')

    op.drop_table('cases')
    with op.batch_alter_table('inspections', schema=None) as batch_op:
        batch_op.drop_index('uq_inspections_lane_week')

    op.drop_table('inspections')
