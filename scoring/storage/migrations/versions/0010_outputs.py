"""bulletins.content, award_reports.content: what each document says, as data, for the API

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 22:10:00.000000

Nullable: documents closed before this revision keep their files and have no data; closed periods are
not reopened to fill it in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('bulletins', sa.Column('content', sa.JSON(), nullable=True))
    op.add_column('award_reports', sa.Column('content', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('award_reports') as batch:
        batch.drop_column('content')
    with op.batch_alter_table('bulletins') as batch:
        batch.drop_column('content')
