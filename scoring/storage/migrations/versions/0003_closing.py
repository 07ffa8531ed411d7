"""Closing jobs: 月评 snapshots, 季通报 bulletins, 年度金牌管家 award reports and awards

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 09:00:00

Tables of scoring.closing; every one is written by an idempotent job, so each has a unique key on
the period it closes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('period_closings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('label', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_closings'))
    )
    op.create_index('uq_period_closings_kind_label', 'period_closings', ['kind', 'label'], unique=True)

    op.create_table('month_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('ruleset_versions', sa.JSON(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_reviews')),
    sa.UniqueConstraint('month', name=op.f('uq_month_reviews_month'))
    )

    op.create_table('month_review_stewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('active_days', sa.SmallInteger(), nullable=False),
    sa.Column('patrols_completed', sa.Integer(), nullable=False),
    sa.Column('cases_confirmed', sa.Integer(), nullable=False),
    sa.Column('rank_community', sa.Integer(), nullable=True),
    sa.Column('rank_subdistrict', sa.Integer(), nullable=False),
    sa.Column('star', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_month_review_stewards_community_id_communities')),
    sa.ForeignKeyConstraint(['review_id'], ['month_reviews.id'], name=op.f('fk_month_review_stewards_review_id_month_reviews')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_month_review_stewards_steward_id_stewards')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_month_review_stewards_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_review_stewards'))
    )
    op.create_index('uq_month_review_stewards_review_steward', 'month_review_stewards', ['review_id', 'steward_id'], unique=True)

    op.create_table('month_review_lanes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('patrols_due', sa.Integer(), nullable=False),
    sa.Column('patrols_completed', sa.Integer(), nullable=False),
    sa.Column('inspections', sa.SmallInteger(), nullable=False),
    sa.Column('inspection_score', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_month_review_lanes_community_id_communities')),
    sa.ForeignKeyConstraint(['lane_id'], ['lanes.id'], name=op.f('fk_month_review_lanes_lane_id_lanes')),
    sa.ForeignKeyConstraint(['review_id'], ['month_reviews.id'], name=op.f('fk_month_review_lanes_review_id_month_reviews')),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_month_review_lanes_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_review_lanes'))
    )
    op.create_index('uq_month_review_lanes_review_lane', 'month_review_lanes', ['review_id', 'lane_id'], unique=True)

    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('html_path', sa.Text(), nullable=False),
    sa.Column('pdf_path', sa.Text(), nullable=False),
    sa.Column('html_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_bulletins_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins'))
    )
    op.create_index('uq_bulletins_period_subdistrict', 'bulletins', ['period', 'subdistrict_id'], unique=True)

    op.create_table('award_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('subdistrict_id', sa.Integer(), nullable=False),
    sa.Column('ruleset_version', sa.String(length=64), nullable=False),
    sa.Column('html_path', sa.Text(), nullable=False),
    sa.Column('pdf_path', sa.Text(), nullable=False),
    sa.Column('public_key_path', sa.Text(), nullable=False),
    sa.Column('html_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subdistrict_id'], ['subdistricts.id'], name=op.f('fk_award_reports_subdistrict_id_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_reports'))
    )
    op.create_index('uq_award_reports_year_subdistrict', 'award_reports', ['year', 'subdistrict_id'], unique=True)

    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('steward_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=100), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=80), nullable=False),
    sa.Column('credential_path', sa.Text(), nullable=False),
    sa.Column('certificate_path', sa.Text(), nullable=False),
    sa.Column('credential_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['award_reports.id'], name=op.f('fk_awards_report_id_award_reports')),
    sa.ForeignKeyConstraint(['steward_id'], ['stewards.id'], name=op.f('fk_awards_steward_id_stewards')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_awards_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards'))
    )
    op.create_index(op.f('ix_awards_report_id'), 'awards', ['report_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_awards_report_id'), table_name='awards')
    op.drop_table('awards')
    op.drop_index('uq_award_reports_year_subdistrict', table_name='award_reports')
    op.drop_table('award_reports')
    op.drop_index('uq_bulletins_period_subdistrict', table_name='bulletins')
    op.drop_table('bulletins')
    op.drop_index('uq_month_review_lanes_review_lane', table_name='month_review_lanes')
    op.drop_table('month_review_lanes')
    op.drop_index('uq_month_review_stewards_review_steward', table_name='month_review_stewards')
    op.drop_table('month_review_stewards')
    op.drop_table('month_reviews')
    op.drop_index('uq_period_closings_kind_label', table_name='period_closings')
    op.drop_table('period_closings')
