"""timers as rows and monthly snapshots

Revision ID: 0002_timers
Revises: d7330ebfd643
Create Date: 2026-11-21 06:00:00

"""
from alembic import op
import sqlalchemy as sa
import engine.models.base
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002_timers'
down_revision = 'd7330ebfd643'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('timer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('spiff_task_id', sa.String(length=36), nullable=False),
    sa.Column('spec_id', sa.String(length=120), nullable=False),
    sa.Column('host_task_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('cancel_activity', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('due_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('fire_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('fired_count', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('fired_at', engine.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_timer_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timer')),
    sa.UniqueConstraint('case_id', 'spiff_task_id', name=op.f('uq_timer_case_id'))
    )
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timer_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_timer_state_fire_at', ['state', 'fire_at'], unique=False)
        batch_op.create_index('ix_timer_state_kind_due', ['state', 'kind', 'due_at'], unique=False)

    op.create_table('monthly_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('counts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', engine.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_snapshot')),
    sa.UniqueConstraint('month', 'unit', name=op.f('uq_monthly_snapshot_month'))
    )


def downgrade():
    op.drop_table('monthly_snapshot')
    with op.batch_alter_table('timer', schema=None) as batch_op:
        batch_op.drop_index('ix_timer_state_kind_due')
        batch_op.drop_index('ix_timer_state_fire_at')
        batch_op.drop_index(batch_op.f('ix_timer_case_id'))
    op.drop_table('timer')
