"""inbox order index: open tasks by age, for wide inbox scopes

Revision ID: 0004_inbox_order
Revises: 0003_ledger
Create Date: 2026-11-21 06:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_inbox_order'
down_revision = '0003_ledger'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_open_created', ['state', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_created')
