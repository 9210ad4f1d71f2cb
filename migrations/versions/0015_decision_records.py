"""decision records: what each business-rule task asked a decision table and what it answered

Revision ID: 0015_decision_records
Revises: 0013_case_search_tracking
Create Date: 2026-12-01 23:00:00

An administrator tests a changed table by replaying the inputs of recent cases through the draft
and the live table. Evaluations made before this revision were not recorded.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0015_decision_records'
down_revision = '0014_party_name_index'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table(
        'decision_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.String(length=120), nullable=False),
        sa.Column('task_spec', sa.String(length=120), nullable=False),
        sa.Column('deployment_id', sa.Integer(), nullable=True),
        sa.Column('dmn_version', sa.Integer(), nullable=True),
        sa.Column('inputs', JSON, nullable=False),
        sa.Column('outcome', JSON, nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_decision_record_case_id_case')),
        sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'],
                                name=op.f('fk_decision_record_deployment_id_deployment')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_record')),
    )
    with op.batch_alter_table('decision_record', schema=None) as batch_op:
        batch_op.create_index('ix_decision_record_decision', ['decision_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_record_case_id'), ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('decision_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_record_case_id'))
        batch_op.drop_index('ix_decision_record_decision')
    op.drop_table('decision_record')
