"""audit_log: every change made through the API, append-only

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:45:00.000000

The triggers make the log append-only in the store itself, not only in the code that writes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scoring.storage.dialect import is_postgres

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_REFUSAL = "audit_log is append-only"


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=True),
    sa.Column('subdistrict_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_audit_log_account_id_accounts')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_audit_log_lane_id_lanes')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'],
                            name=op.f('fk_audit_log_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_lane_id'), 'audit_log', ['lane_id'], unique=False)
    op.create_index(op.f('ix_audit_log_subdistrict_id'), 'audit_log', ['subdistrict_id'], unique=False)
    if is_postgres(op.get_bind()):
        op.execute(f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$""")
        op.execute("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END")


def downgrade() -> None:
    if is_postgres(op.get_bind()):
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index(op.f('ix_audit_log_subdistrict_id'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_lane_id'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_table('audit_log')
