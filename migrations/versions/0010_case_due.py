"""case due time: the whole case's deadline, measured from receipt

Revision ID: 0010_case_due
Revises: 0009_startable
Create Date: 2026-12-01 20:00:00

Cases opened before this revision have no whole-case deadline (their diagrams set none).
"""
import sqlalchemy as sa
from alembic import op

import engine.models.base

# revision identifiers, used by Alembic.
revision = '0010_case_due'
down_revision = '0009_startable'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', engine.models.base.UtcDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('due_at')
