"""case list fields: the dispute type and the parties' masked names, mirrored from the case's data

Revision ID: 0012_case_list_fields
Revises: 0011_orders
Create Date: 2026-12-01 20:10:00

Lists (the inbox, later the case search) show what a dispute is about and whom it concerns
without loading each case's workflow. The engine fills both at every step; cases opened
before this revision show them from their next step on.
"""
import sqlalchemy as sa
from alembic import op

from engine.models.base import JsonType

# revision identifiers, used by Alembic.
revision = '0012_case_list_fields'
down_revision = '0011_orders'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dispute_type', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('party_names', JsonType, nullable=True))


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_column('party_names')
        batch_op.drop_column('dispute_type')
