"""registry, check-ins, quarantine, points ledger

Revision ID: 0001
Revises:
Create Date: 2026-11-25 12:03:55.201838
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

log = logging.getLogger(__name__)

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bands',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bands'))
    )
    op.create_table('checkins',
    sa.Column('band_id', sa.BigInteger(), nullable=False),
    sa.Column('boot', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('event_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.SmallInteger(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('beacon_token', sa.LargeBinary(), nullable=False),
    sa.Column('rssi_dbm', sa.SmallInteger(), nullable=False),
    sa.Column('battery_pct', sa.SmallInteger(), nullable=False),
    sa.Column('detail', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('band_id', 'boot', 'seq', 'event_at', name=op.f('pk_checkins'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_steward_event', ['steward_id', 'event_at'], unique=False)
        batch_op.create_index('ix_checkins_event_at', ['event_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _make_checkins_a_hypertable()

    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('lanes_planned', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('key', name=op.f('uq_districts_key'))
    )
    op.create_table('quarantine',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('band_id', sa.BigInteger(), nullable=True),
    sa.Column('boot', sa.BigInteger(), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('event_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine'))
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_reason'), ['reason'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_received_at'), ['received_at'], unique=False)

    op.create_table('scoring_backlog',
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('steward_id', 'day', name=op.f('pk_scoring_backlog'))
    )
    op.create_table('subdistricts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('main_streets', sa.Integer(), nullable=True),
    sa.Column('lanes', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_subdistricts_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subdistricts')),
    sa.UniqueConstraint('key', name=op.f('uq_subdistricts_key'))
    )
    op.create_table('communities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_communities_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communities')),
    sa.UniqueConstraint('key', name=op.f('uq_communities_key'))
    )
    op.create_table('lanes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('length_m', sa.Integer(), nullable=True),
    sa.Column('shops', sa.Integer(), nullable=True),
    sa.Column('residential_buildings', sa.Integer(), nullable=True),
    sa.Column('improvement_year', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_lanes_community_id_communities')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_lanes_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lanes')),
    sa.UniqueConstraint('key', name=op.f('uq_lanes_key'))
    )
    with op.batch_alter_table('lanes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lanes_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lanes_subdistrict_id'), ['subdistrict_id'], unique=False)

    op.create_table('chiefs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=True),
    sa.Column('lives_locally', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_chiefs_lane_id_lanes')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_chiefs_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chiefs')),
    sa.UniqueConstraint('key', name=op.f('uq_chiefs_key'))
    )
    with op.batch_alter_table('chiefs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chiefs_lane_id'), ['lane_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chiefs_subdistrict_id'), ['subdistrict_id'], unique=False)

    op.create_table('contractors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_contractors_lane_id_lanes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contractors')),
    sa.UniqueConstraint('key', name=op.f('uq_contractors_key'))
    )
    with op.batch_alter_table('contractors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contractors_lane_id'), ['lane_id'], unique=False)

    op.create_table('segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('length_m', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_segments_lane_id_lanes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('key', name=op.f('uq_segments_key'))
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segments_lane_id'), ['lane_id'], unique=False)

    op.create_table('stewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('home_lane_id', sa.Integer(), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('party_member', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_stewards_community_id_communities')),
    sa.ForeignKeyConstraint(['home_lane_id'], ['lanes.id'], name=op.f('fk_stewards_home_lane_id_lanes')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_stewards_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stewards')),
    sa.UniqueConstraint('key', name=op.f('uq_stewards_key'))
    )
    with op.batch_alter_table('stewards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stewards_subdistrict_id'), ['subdistrict_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('formed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_teams_lane_id_lanes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('lane_id', name=op.f('uq_teams_lane_id'))
    )
    op.create_table('band_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('band_id', sa.BigInteger(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['band_id'], ['bands.id'], name=op.f('fk_band_bindings_band_id_bands')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_band_bindings_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_band_bindings'))
    )
    with op.batch_alter_table('band_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_band_bindings_band_id'), ['band_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_band_bindings_steward_id'), ['steward_id'], unique=False)

    op.create_table('checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=220), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('position_m', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_checkpoints_segment_id_segments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    sa.UniqueConstraint('key', name=op.f('uq_checkpoints_key'))
    )
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoints_segment_id'), ['segment_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_claims_segment_id_segments')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_claims_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_segment_id'), ['segment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_claims_steward_id'), ['steward_id'], unique=False)

    op.create_table('points_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_key', sa.String(length=160), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('ruleset_version', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_points_entries_lane_id_lanes')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_points_entries_segment_id_segments')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_points_entries_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entries')),
    sa.UniqueConstraint('entry_key', name=op.f('uq_points_entries_entry_key'))
    )
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.create_index('ix_points_entries_day_steward', ['day', 'steward_id'], unique=False)
        batch_op.create_index('ix_points_entries_steward_day', ['steward_id', 'day'], unique=False)

    op.create_table('team_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_team_memberships_steward_id_stewards')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_memberships'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_steward_id'), ['steward_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_memberships_team_id'), ['team_id'], unique=False)

    op.create_table('beacons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.LargeBinary(), nullable=False),
    sa.Column('active_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active_to', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_beacons_checkpoint_id_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beacons'))
    )
    with op.batch_alter_table('beacons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beacons_checkpoint_id'), ['checkpoint_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('beacons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beacons_checkpoint_id'))

    op.drop_table('beacons')
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_memberships_team_id'))
        batch_op.drop_index(batch_op.f('ix_team_memberships_steward_id'))

    op.drop_table('team_memberships')
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_points_entries_steward_day')
        batch_op.drop_index('ix_points_entries_day_steward')

    op.drop_table('points_entries')
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_steward_id'))
        batch_op.drop_index(batch_op.f('ix_claims_segment_id'))

    op.drop_table('claims')
    with op.batch_alter_table('checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoints_segment_id'))

    op.drop_table('checkpoints')
    with op.batch_alter_table('band_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_band_bindings_steward_id'))
        batch_op.drop_index(batch_op.f('ix_band_bindings_band_id'))

    op.drop_table('band_bindings')
    op.drop_table('teams')
    with op.batch_alter_table('stewards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stewards_subdistrict_id'))

    op.drop_table('stewards')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segments_lane_id'))

    op.drop_table('segments')
    with op.batch_alter_table('contractors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contractors_lane_id'))

    op.drop_table('contractors')
    with op.batch_alter_table('chiefs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chiefs_subdistrict_id'))
        batch_op.drop_index(batch_op.f('ix_chiefs_lane_id'))

    op.drop_table('chiefs')
    with op.batch_alter_table('lanes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lanes_subdistrict_id'))
        batch_op.drop_index(batch_op.f('ix_lanes_community_id'))

    op.drop_table('lanes')
    op.drop_table('communities')
    op.drop_table('subdistricts')
    op.drop_table('scoring_backlog')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_received_at'))
        batch_op.drop_index(batch_op.f('ix_quarantine_reason'))

    op.drop_table('quarantine')
    op.drop_table('districts')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_event_at')
        batch_op.drop_index('ix_checkins_steward_event')

    op.drop_table('checkins')
    op.drop_table('bands')


def _make_checkins_a_hypertable() -> None:
    """On TimescaleDB, check-ins become a hypertable in 7-day chunks of the band's event time.

    A server without the extension keeps a plain table: correct, only slower at scale. The extension
    must be preloaded (shared_preload_libraries) before CREATE EXTENSION can succeed.
    """
    bind = op.get_bind()
    preload = bind.exec_driver_sql("SHOW shared_preload_libraries").scalar() or ""
    available = bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
    ).first()
    if available is None or "timescaledb" not in preload:
        log.warning("timescaledb is not available on this server: checkins stays a plain table")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    op.execute(
        "SELECT create_hypertable('checkins', 'event_at', "
        "chunk_time_interval => INTERVAL '7 days', create_default_indexes => FALSE, if_not_exists => TRUE)"
    )
