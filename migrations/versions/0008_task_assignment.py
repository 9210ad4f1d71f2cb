"""task assignment: a named task colleagues may take over; cases found by who reported them

Revision ID: 0008_task_assignment
Revises: 0007_session_version
Create Date: 2026-12-01 20:30:00

Existing tasks are not open to colleagues (they name nobody, or were claimed). Task candidates,
a JSON list, hold usernames from now on; lists written before hold user ids and are rewritten.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_task_assignment'
down_revision = '0007_session_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_to_unit', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.alter_column('open_to_unit', server_default=None)
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_opened_by', ['opened_by', 'id'], unique=False)
    _candidates_as_usernames()


def _candidates_as_usernames():
    bind = op.get_bind()
    names = dict(bind.execute(sa.text("SELECT id, username FROM app_user")).all())
    task = sa.table('task', sa.column('id', sa.Integer), sa.column('candidates', sa.JSON))
    for task_id, candidates in bind.execute(sa.select(task.c.id, task.c.candidates)).all():
        if candidates and any(isinstance(c, int) for c in candidates):
            usernames = [names[c] if isinstance(c, int) else c for c in candidates if c in names or isinstance(c, str)]
            bind.execute(task.update().where(task.c.id == task_id).values(candidates=usernames))


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_opened_by')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('open_to_unit')
