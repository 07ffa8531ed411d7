"""integrity flags and their audit trail; the scorer's per-day state; caps and reversals on points entries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 10:00:00.000000

points_entries gains `trimmed_points` and `cap` (what a cap took, and which) and `reverses_id`: the
ledger stays append-only, and an entry that a rescore no longer supports is cancelled by a reversal
entry that points at it (see scoring.scorer).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

log = logging.getLogger(__name__)

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('scoring_state',
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('ruleset_version', sa.String(length=16), nullable=False),
    sa.Column('streak_days', sa.Integer(), nullable=False),
    sa.Column('last_patrol_day', sa.Date(), nullable=True),
    sa.Column('week_of', sa.Date(), nullable=False),
    sa.Column('week_points', sa.Integer(), nullable=False),
    sa.Column('cumulative_points', sa.Integer(), nullable=False),
    sa.Column('paced_out', sa.JSON(), nullable=False),
    sa.Column('withheld', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('steward_id', 'day', name=op.f('pk_scoring_state'))
    )
    op.create_table('integrity_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('flag_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('visit_keys', sa.JSON(), nullable=False),
    sa.Column('reason_zh', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('ruleset_version', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lapsed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['chiefs.id'], name=op.f('fk_integrity_flags_decided_by_chiefs')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_integrity_flags_steward_id_stewards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_flags'))
    )
    with op.batch_alter_table('integrity_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrity_flags_steward_id'), ['steward_id'], unique=False)
        batch_op.create_index('uq_integrity_flags_steward_key', ['steward_id', 'flag_key'], unique=True)

    op.create_table('integrity_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('actor_kind', sa.String(length=12), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['flag_id'], ['integrity_flags.id'], name=op.f('fk_integrity_actions_flag_id_integrity_flags')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_actions'))
    )
    with op.batch_alter_table('integrity_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrity_actions_flag_id'), ['flag_id'], unique=False)

    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trimmed_points', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cap', sa.String(length=8), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reverses_id', _BIG_ID, nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_points_entries_reverses_id'), ['reverses_id'])
        batch_op.create_foreign_key(
            batch_op.f('fk_points_entries_reverses_id_points_entries'), 'points_entries', ['reverses_id'], ['id']
        )


def downgrade() -> None:
    # Reversals cannot be told from entries once the column goes: they leave with it, and so do the
    # entries they cancelled, so totals stay as they were.
    bind = op.get_bind()
    reversed_ids = [r for (r,) in bind.execute(sa.text(
        "SELECT reverses_id FROM points_entries WHERE reverses_id IS NOT NULL"))]
    removed = bind.execute(sa.text("DELETE FROM points_entries WHERE reverses_id IS NOT NULL")).rowcount
    for entry_id in reversed_ids:
        bind.execute(sa.text("DELETE FROM points_entries WHERE id = :id"), {"id": entry_id})
    if removed:
        log.warning("downgrade removed %d reversal entries and the %d entries they cancelled", removed, len(reversed_ids))
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_points_entries_reverses_id_points_entries'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_points_entries_reverses_id'), type_='unique')
        batch_op.drop_column('reverses_id')
        batch_op.drop_column('cap')
        batch_op.drop_column('trimmed_points')

    with op.batch_alter_table('integrity_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrity_actions_flag_id'))
    op.drop_table('integrity_actions')
    with op.batch_alter_table('integrity_flags', schema=None) as batch_op:
        batch_op.drop_index('uq_integrity_flags_steward_key')
        batch_op.drop_index(batch_op.f('ix_integrity_flags_steward_id'))
    op.drop_table('integrity_flags')
    op.drop_table('scoring_state')
