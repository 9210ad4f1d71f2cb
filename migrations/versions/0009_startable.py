"""startable processes: a process version records whether cases can be opened of it

Revision ID: 0009_startable
Revises: 0008_task_assignment
Create Date: 2026-12-01 20:00:00

Diagrams now mark the processes people open cases of (``spiffworkflow:property startable``);
deployment records the mark on each version and opening a case of an unmarked one is refused.
Versions deployed before carry no mark: each counts as startable when no stored diagram calls
its process (``calledElement``), so top-level processes open as before and sub-processes stop.
The next deployment of the library adds versions that carry the mark.
"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_startable'
down_revision = '0008_task_assignment'
branch_labels = None
depends_on = None

CALLED = re.compile(r'calledElement\s*=\s*["\']([^"\']+)["\']')

versions = sa.table('process_version', sa.column('id', sa.Integer), sa.column('process_id', sa.String),
                    sa.column('bpmn_xml', sa.Text), sa.column('startable', sa.Boolean))


def upgrade():
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('startable', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.alter_column('startable', server_default=None)

    conn = op.get_bind()
    called = set()
    for (xml,) in conn.execute(sa.select(versions.c.bpmn_xml)):
        called.update(CALLED.findall(xml or ''))
    top_level = [pid for (pid,) in conn.execute(sa.select(versions.c.process_id).distinct()) if pid not in called]
    if top_level:
        conn.execute(versions.update().where(versions.c.process_id.in_(top_level)).values(startable=True))


def downgrade():
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_column('startable')
