"""risk letters escalate: where an unanswered letter went, when, and its steps

Revision ID: 0021_risk_letter_escalation
Revises: 0020_risks
Create Date: 2026-12-02 03:40:00

A letter unanswered by its due date goes up to the centre above (engine/letter_escalation.py);
the inbox lists open letters by the unit addressed and the unit escalated to.
"""
import sqlalchemy as sa
from alembic import op

from engine.models.base import JsonType, UtcDateTime

# revision identifiers, used by Alembic.
revision = '0021_risk_letter_escalation'
down_revision = '0020_risks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('escalations', JsonType, nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('top_overdue_at', UtcDateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_risk_letter_escalated_to_id_org_unit'), 'org_unit',
                                    ['escalated_to_id'], ['id'])
        batch_op.create_index('ix_risk_letter_escalated_status', ['escalated_to_id', 'status'], unique=False)
        batch_op.create_index('ix_risk_letter_status_due', ['status', 'due_at'], unique=False)
    with op.batch_alter_table('risk_letter', schema=None) as batch_op:
        batch_op.alter_column('escalations', server_default=None)


def downgrade():
    with op.batch_alter_table('risk_letter', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_letter_status_due')
        batch_op.drop_index('ix_risk_letter_escalated_status')
        batch_op.drop_constraint(batch_op.f('fk_risk_letter_escalated_to_id_org_unit'), type_='foreignkey')
        for name in ('top_overdue_at', 'escalations', 'escalated_at', 'escalated_to_id'):
            batch_op.drop_column(name)
