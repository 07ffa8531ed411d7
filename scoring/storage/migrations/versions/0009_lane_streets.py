"""lanes.street_id: the main street a lane opens onto, so a street chief oversees its lanes' chiefs

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 21:40:00.000000

Existing registries keep NULL (no street known) until they are seeded again or set by an operator.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite adds a foreign key only by rebuilding the table.
    with op.batch_alter_table('lanes') as batch:
        batch.add_column(sa.Column('street_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_lanes_street_id_lanes'), 'lanes', ['street_id'], ['id'])
        batch.create_index(op.f('ix_lanes_street_id'), ['street_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lanes') as batch:
        batch.drop_index(op.f('ix_lanes_street_id'))
        batch.drop_constraint(op.f('fk_lanes_street_id_lanes'), type_='foreignkey')
        batch.drop_column('street_id')
