"""orders tell the truth: an order's closing time, supervision orders (督办单), in-app notifications

Revision ID: 0011_orders
Revises: 0010_case_due
Create Date: 2026-12-01 20:00:00

Orders already stored keep their status; ``closed_at`` stays empty for them.
"""
import sqlalchemy as sa
from alembic import op

import engine.models.base

# revision identifiers, used by Alembic.
revision = '0011_orders'
down_revision = '0010_case_due'
branch_labels = None
depends_on = None


def _at(name, nullable=True):
    return sa.Column(name, engine.models.base.UtcDateTime(timezone=True), nullable=nullable)


def upgrade():
    with op.batch_alter_table('dispatch_order', schema=None) as batch_op:
        batch_op.add_column(_at('closed_at'))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
    op.create_table(
        'supervision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('from_unit_id', sa.Integer(), nullable=True),
        sa.Column('to_unit_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        _at('issued_at', nullable=False),
        _at('due_at'),
        sa.Column('answer_kind', sa.String(length=20), nullable=True),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.String(length=80), nullable=True),
        _at('answered_at'),
        sa.Column('escalated_to_unit_id', sa.Integer(), nullable=True),
        _at('escalated_at'),
        _at('closed_at'),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_supervision_case_id_case')),
        sa.ForeignKeyConstraint(['order_id'], ['dispatch_order.id'],
                                name=op.f('fk_supervision_order_id_dispatch_order')),
        sa.ForeignKeyConstraint(['from_unit_id'], ['org_unit.id'], name=op.f('fk_supervision_from_unit_id_org_unit')),
        sa.ForeignKeyConstraint(['to_unit_id'], ['org_unit.id'], name=op.f('fk_supervision_to_unit_id_org_unit')),
        sa.ForeignKeyConstraint(['escalated_to_unit_id'], ['org_unit.id'],
                                name=op.f('fk_supervision_escalated_to_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision')),
        sa.UniqueConstraint('case_id', 'task_id', name=op.f('uq_supervision_case_id')),
    )
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_order_id'), ['order_id'], unique=False)
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        _at('created_at', nullable=False),
        _at('read_at'),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_notification_user_id_app_user')),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_notification_outbox_id_outbox')),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_notification_case_id_case')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('outbox_id', 'user_id', name=op.f('uq_notification_outbox_id')),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')
    op.drop_table('notification')
    with op.batch_alter_table('supervision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_order_id'))
        batch_op.drop_index(batch_op.f('ix_supervision_case_id'))
    op.drop_table('supervision')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('last_error')
    with op.batch_alter_table('dispatch_order', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
