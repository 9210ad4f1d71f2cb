"""session version: a per-user counter carried in tokens, so a password change or a deactivation ends them

Revision ID: 0007_session_version
Revises: 0006_personal_data
Create Date: 2026-11-28 09:00:00

Existing users start at 0. Tokens issued before this revision carry no version and are refused:
everyone signs in once more.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_session_version'
down_revision = '0006_personal_data'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('session_version', server_default=None)


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('session_version')
