"""case search and tracking: the summary's first words mirrored for search, a tracking digest

Revision ID: 0013_case_search_tracking
Revises: 0012_case_list_fields
Create Date: 2026-12-01 21:15:00

The case list searches summaries without loading workflows; a citizen tracks a case by its code
and the last four digits of the reporting phone, checked against a digest (never the phone).
Cases opened before this revision show their summary from their next step on and cannot be tracked.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_case_search_tracking'
down_revision = '0012_case_list_fields'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('track_digest', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('track_digest')
        batch_op.drop_column('summary')
