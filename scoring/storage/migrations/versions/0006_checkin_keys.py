"""checkin_keys: a band's (band_id, boot, seq) stored once, whatever the record's event time

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 20:30:00.000000

The hypertable's unique key has to include event_at, so it let a record that reused a key with
another event time in a second time. The keys already stored are copied over, once each.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkin_keys',
    sa.Column('band_id', sa.BigInteger(), nullable=False),
    sa.Column('boot', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('band_id', 'boot', 'seq', name=op.f('pk_checkin_keys'))
    )
    op.execute("INSERT INTO checkin_keys (band_id, boot, seq) SELECT DISTINCT band_id, boot, seq FROM checkins")


def downgrade() -> None:
    op.drop_table('checkin_keys')
