"""the programme at work: sign-ups, activation codes, one steward per segment, teams that dissolve, phones

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 22:45:00.000000

- signups (报名) and activation_codes (a paper sign-up's steward sets a password with one);
- stewards.phone, for the steward's 名片;
- claims: at most one open claim per segment, a partial unique index. A store whose data has two open
  claims on one segment keeps the earliest; the others end at the instant of this migration (an open
  claim's end is the one change a claim ever takes);
- teams: dissolved_at, and at most one standing team per lane (a partial unique index in place of the
  unique lane_id, so a lane that falls below three and reaches it again forms a new team);
- accounts.password_hash may be empty (a paper sign-up's account before activation), and
  audit_log.account_id too (a resident signing up online has no account).

On SQLite a constraint change rebuilds the table (with foreign keys off meanwhile: see env.py), and
audit_log's append-only triggers, dropped with the old table, are made again after its rebuild.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from scoring.storage.dialect import is_postgres
from scoring.storage.types import UtcDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_AUDIT_REFUSAL = "audit_log is append-only"  # as 0008 made it


def upgrade() -> None:
    postgres = is_postgres(op.get_bind())
    op.create_table('signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('party_member', sa.Boolean(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['accounts.id'], name=op.f('fk_signups_decided_by_accounts')),
    sa.ForeignKeyConstraint(['entered_by'], ['accounts.id'], name=op.f('fk_signups_entered_by_accounts')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_signups_lane_id_lanes')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_signups_steward_id_stewards')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'],
                            name=op.f('fk_signups_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signups')),
    sa.UniqueConstraint('steward_id', name=op.f('uq_signups_steward_id'))
    )
    op.create_index('ix_signups_subdistrict_state', 'signups', ['subdistrict_id', 'state'], unique=False)
    op.create_table('activation_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_sha256', sa.LargeBinary(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_activation_codes_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_codes')),
    sa.UniqueConstraint('code_sha256', name=op.f('uq_activation_codes_code_sha256'))
    )
    op.create_index(op.f('ix_activation_codes_account_id'), 'activation_codes', ['account_id'], unique=False)

    with op.batch_alter_table('stewards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))

    _one_open_claim_per_segment()
    op.create_index('uq_claims_open_segment', 'claims', ['segment_id'], unique=True,
                    sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))

    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dissolved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_teams_lane_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_teams_lane_id'), ['lane_id'], unique=False)
    op.create_index('uq_teams_standing_lane', 'teams', ['lane_id'], unique=True,
                    sqlite_where=sa.text('dissolved_at IS NULL'), postgresql_where=sa.text('dissolved_at IS NULL'))

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=200), nullable=True)

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Integer(), nullable=True)
    if not postgres:
        _sqlite_audit_triggers()  # the rebuild dropped them with the old table


def downgrade() -> None:
    postgres = is_postgres(op.get_bind())
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('account_id', existing_type=sa.Integer(), nullable=False)
    if not postgres:
        _sqlite_audit_triggers()
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=200), nullable=False)
    op.drop_index('uq_teams_standing_lane', table_name='teams')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_lane_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_teams_lane_id'), ['lane_id'])
        batch_op.drop_column('dissolved_at')
    op.drop_index('uq_claims_open_segment', table_name='claims')
    with op.batch_alter_table('stewards', schema=None) as batch_op:
        batch_op.drop_column('phone')
    op.drop_index(op.f('ix_activation_codes_account_id'), table_name='activation_codes')
    op.drop_table('activation_codes')
    op.drop_index('ix_signups_subdistrict_state', table_name='signups')
    op.drop_table('signups')


def _one_open_claim_per_segment() -> None:
    """End every open claim on a segment that an earlier open claim holds: the earliest keeps it."""
    claims = sa.table('claims', sa.column('id', sa.Integer()), sa.column('segment_id', sa.Integer()),
                      sa.column('valid_from', UtcDateTime()), sa.column('valid_to', UtcDateTime()))
    earlier = claims.alias('earlier')
    held_before = sa.exists().where(
        earlier.c.segment_id == claims.c.segment_id, earlier.c.valid_to.is_(None),
        sa.or_(earlier.c.valid_from < claims.c.valid_from,
               sa.and_(earlier.c.valid_from == claims.c.valid_from, earlier.c.id < claims.c.id)),
    )
    op.execute(claims.update().where(claims.c.valid_to.is_(None), held_before)
               .values(valid_to=datetime.now(UTC)))


def _sqlite_audit_triggers() -> None:
    for event in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                   f"BEGIN SELECT RAISE(ABORT, '{_AUDIT_REFUSAL}'); END")
