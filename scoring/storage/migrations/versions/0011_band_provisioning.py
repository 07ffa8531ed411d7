"""band provisioning: key origins, claim codes, lost bands, one open binding, sealed beacon secrets

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 22:30:00.000000

Every band and beacon stored before this revision came from `db seed`, whose keys and secrets are
derived from ids by public code: they are marked `demo`. Their secrets are sealed with the demo's
public key (scoring.registry.beacon_secrets), so an old database keeps working wherever demo keys
are allowed, and nowhere else, without the deployment's key being needed to migrate it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scoring.registry.beacon_secrets import open_secret, seal_secret
from scoring.registry.key_origin import KeyOrigin

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_OPEN = sa.text("valid_to IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('bands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_origin', sa.String(length=12), server_default='demo', nullable=False))
        batch_op.add_column(sa.Column('claim_code_sha256', sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column('claim_code_used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lost_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_bands_claim_code_sha256'), ['claim_code_sha256'])

    with op.batch_alter_table('band_bindings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_reason', sa.String(length=12), nullable=True))
        batch_op.create_index('uq_band_bindings_open_band', ['band_id'], unique=True,
                              postgresql_where=_OPEN, sqlite_where=_OPEN)
        batch_op.create_index('uq_band_bindings_open_steward', ['steward_id'], unique=True,
                              postgresql_where=_OPEN, sqlite_where=_OPEN)

    op.create_table('band_claim_lockouts',
    sa.Column('account_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_band_claim_lockouts_account_id_accounts')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_band_claim_lockouts'))
    )

    with op.batch_alter_table('beacons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_secret', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('key_origin', sa.String(length=12), server_default='demo', nullable=False))
    beacons = sa.table('beacons', sa.column('id', sa.Integer()), sa.column('checkpoint_id', sa.Integer()),
                       sa.column('secret', sa.LargeBinary()), sa.column('sealed_secret', sa.LargeBinary()))
    conn = op.get_bind()
    for beacon_id, checkpoint_id, secret in conn.execute(
            sa.select(beacons.c.id, beacons.c.checkpoint_id, beacons.c.secret)).all():
        conn.execute(beacons.update().where(beacons.c.id == beacon_id).values(
            sealed_secret=seal_secret(bytes(secret), checkpoint_id, KeyOrigin.DEMO, None)))
    with op.batch_alter_table('beacons', schema=None) as batch_op:
        batch_op.alter_column('sealed_secret', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('secret')


def downgrade() -> None:
    conn = op.get_bind()
    beacons = sa.table('beacons', sa.column('id', sa.Integer()), sa.column('checkpoint_id', sa.Integer()),
                       sa.column('key_origin', sa.String()), sa.column('secret', sa.LargeBinary()),
                       sa.column('sealed_secret', sa.LargeBinary()))
    installed = conn.execute(sa.select(sa.func.count()).select_from(beacons)
                             .where(beacons.c.key_origin != KeyOrigin.DEMO.value)).scalar()
    if installed:
        # The old schema kept secrets in the clear; writing a deployment's secrets out so is not a downgrade.
        raise RuntimeError(f"{installed} beacons were installed with the deployment's key: a downgrade would "
                           "store their secrets unsealed; remove them first if that is really wanted")
    with op.batch_alter_table('beacons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.LargeBinary(), nullable=True))
    for beacon_id, checkpoint_id, sealed in conn.execute(
            sa.select(beacons.c.id, beacons.c.checkpoint_id, beacons.c.sealed_secret)).all():
        conn.execute(beacons.update().where(beacons.c.id == beacon_id).values(
            secret=open_secret(bytes(sealed), checkpoint_id, KeyOrigin.DEMO.value, None)))
    with op.batch_alter_table('beacons', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('key_origin')
        batch_op.drop_column('sealed_secret')

    op.drop_table('band_claim_lockouts')

    with op.batch_alter_table('band_bindings', schema=None) as batch_op:
        batch_op.drop_index('uq_band_bindings_open_steward')
        batch_op.drop_index('uq_band_bindings_open_band')
        batch_op.drop_column('ended_reason')

    with op.batch_alter_table('bands', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_bands_claim_code_sha256'), type_='unique')
        batch_op.drop_column('lost_at')
        batch_op.drop_column('claim_code_used_at')
        batch_op.drop_column('claim_code_sha256')
        batch_op.drop_column('key_origin')
