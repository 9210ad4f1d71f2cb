"""unit active: an organisation unit can be deactivated (and reactivated) instead of deleted

Revision ID: 0017_unit_active
Revises: 0013_case_search_tracking
Create Date: 2026-12-01 23:00:00

A unit closed by the administrator keeps its cases, users' history and code; the organisation
check and the pickers leave it out. Existing units are active.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_unit_active'
down_revision = '0016_case_outcomes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.alter_column('active', server_default=None)


def downgrade():
    with op.batch_alter_table('org_unit', schema=None) as batch_op:
        batch_op.drop_column('active')
