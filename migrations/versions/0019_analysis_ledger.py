"""analysis ledger: the month's figures per unit and dispute type, and the three-level ledger of flagged types

Revision ID: 0019_analysis_ledger
Revises: 0016_case_outcomes
Create Date: 2026-12-02 00:05:00
"""
import sqlalchemy as sa
from alembic import op

from engine.models.base import JsonType, UtcDateTime

# revision identifiers, used by Alembic.
revision = '0019_analysis_ledger'
down_revision = '0018_case_version_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'analysis_figure',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('org_unit.id'), nullable=False),
        sa.Column('dispute_type', sa.String(120), nullable=False),
        sa.Column('counts', JsonType, nullable=False),
        sa.Column('reasons', JsonType, nullable=False),
        sa.Column('due_days', sa.Integer(), nullable=True),
        sa.Column('computed_at', UtcDateTime(), nullable=False),
        sa.UniqueConstraint('month', 'unit_id', 'dispute_type'),
    )
    op.create_index('ix_analysis_figure_month', 'analysis_figure', ['month'])
    op.create_index('ix_analysis_figure_unit_id', 'analysis_figure', ['unit_id'])
    op.create_table(
        'ledger_entry',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('level', sa.String(10), nullable=False),
        sa.Column('unit_id', sa.Integer(), sa.ForeignKey('org_unit.id'), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('dispute_type', sa.String(120), nullable=False),
        sa.Column('reasons', JsonType, nullable=False),
        sa.Column('owner_id', sa.Integer(), sa.ForeignKey('app_user.id'), nullable=True),
        sa.Column('special_team', sa.String(255), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('closed_at', UtcDateTime(), nullable=True),
        sa.Column('closing_note', sa.Text(), nullable=True),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.UniqueConstraint('month', 'unit_id', 'dispute_type'),
    )
    op.create_index('ix_ledger_entry_unit_id', 'ledger_entry', ['unit_id'])
    op.create_index('ix_ledger_entry_status_due', 'ledger_entry', ['status', 'due_date'])


def downgrade():
    op.drop_table('ledger_entry')
    op.drop_table('analysis_figure')
