"""state revision: the optimistic revision moves from the case row to its workflow state

Revision ID: 0005_state_revision
Revises: 0004_inbox_order
Create Date: 2026-11-21 08:30:00

Every state write bumps the revision; with it on ``case_state``, a completion that changes no
business field of the case no longer rewrites the case row.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_state_revision'
down_revision = '0004_inbox_order'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
    op.execute('UPDATE case_state SET revision = (SELECT "case".revision FROM "case" WHERE "case".id = case_state.case_id)')
    with op.batch_alter_table('case_state', schema=None) as batch_op:
        batch_op.alter_column('revision', server_default=None)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('revision')


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))
    op.execute('UPDATE "case" SET revision = COALESCE((SELECT case_state.revision FROM case_state '
               'WHERE case_state.case_id = "case".id), 0)')
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.alter_column('revision', server_default=None)
    with op.batch_alter_table('case_state', schema=None) as batch_op:
        batch_op.drop_column('revision')
