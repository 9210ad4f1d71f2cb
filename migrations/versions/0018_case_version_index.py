"""cases per process version: an index the designer's overview counts from

Revision ID: 0018_case_version_index
Revises: 0013_case_search_tracking
Create Date: 2026-12-01 23:00:00

The designer's overview shows, for every process version, how many cases run on it and how many
it ever had: one grouped count over (process_version_id, status), answered from this index alone.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_case_version_index'
down_revision = '0017_unit_active'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_version_status', ['process_version_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_version_status')
