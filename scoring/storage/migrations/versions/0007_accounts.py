"""accounts and refresh tokens: who signs in, as what, over which area

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=True),
    sa.Column('chief_id', sa.Integer(), nullable=True),
    sa.Column('contractor_id', sa.Integer(), nullable=True),
    sa.Column('subdistrict_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['chief_id'], ['chiefs.id'], name=op.f('fk_accounts_chief_id_chiefs')),
    sa.ForeignKeyConstraint(['contractor_id'], ['contractors.id'], name=op.f('fk_accounts_contractor_id_contractors')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_accounts_district_id_districts')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_accounts_steward_id_stewards')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'],
                            name=op.f('fk_accounts_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('chief_id', name=op.f('uq_accounts_chief_id')),
    sa.UniqueConstraint('steward_id', name=op.f('uq_accounts_steward_id')),
    sa.UniqueConstraint('username', name=op.f('uq_accounts_username'))
    )
    op.create_table('refresh_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.LargeBinary(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_refresh_tokens_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refresh_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_refresh_tokens_token_sha256'))
    )
    op.create_index(op.f('ix_refresh_tokens_account_id'), 'refresh_tokens', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_refresh_tokens_account_id'), table_name='refresh_tokens')
    op.drop_table('refresh_tokens')
    op.drop_table('accounts')
