"""party name index: keyed digests of the parties' names, to find a case by name without storing it

Revision ID: 0014_party_name_index
Revises: 0013_case_search_tracking
Create Date: 2026-12-02 00:00:00

Creates ``party_name`` and fills it for the cases already stored, from the names their stored
state carries (the most recently changed task that names anyone), keyed with this installation's
secret as the running application keys them (``engine/party_index.py``).

The inbox's two ordering indexes on ``task`` also carry the columns its filters read (unit, role,
holder, shared), so a page of an inbox is picked by an index-only scan.
"""
import sqlalchemy as sa
from alembic import op

from engine import party_index, privacy
from engine.models.base import JsonType

# revision identifiers, used by Alembic.
revision = '0014_party_name_index'
down_revision = '0013_case_search_tracking'
branch_labels = None
depends_on = None

BATCH = 500

versions = sa.table('process_version', sa.column('id', sa.Integer), sa.column('forms', JsonType))
cases = sa.table('case', sa.column('id', sa.Integer), sa.column('process_version_id', sa.Integer))
states = sa.table('case_state', sa.column('case_id', sa.Integer), sa.column('state_json', sa.Text))


def _fill(conn, table):
    paths = {}
    for version_id, forms in conn.execute(sa.select(versions.c.id, versions.c.forms)).all():
        paths[version_id] = {}
        for schema in (forms or {}).values():
            for path, kind in privacy.schema_paths(schema).items():
                paths[version_id].setdefault(path, kind)
    last = 0
    while True:
        rows = conn.execute(
            sa.select(cases.c.id, cases.c.process_version_id, states.c.state_json)
            .select_from(cases.join(states, states.c.case_id == cases.c.id))
            .where(cases.c.id > last).order_by(cases.c.id).limit(BATCH)).all()
        found = [{'case_id': case_id, 'digest': d} for case_id, version_id, state_json in rows
                 for d in sorted(party_index.digests(party_index.names_in_state(paths.get(version_id, {}),
                                                                                 state_json or '')))]
        if found:
            conn.execute(table.insert(), found)
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


UNIT_ROLE = ['state', 'org_unit_id', 'role', 'created_at']
CREATED = ['state', 'created_at', 'id']
COVERED = {'ix_task_open_unit_role': (UNIT_ROLE, [*UNIT_ROLE, 'id', 'assignee_id', 'open_to_unit']),
           'ix_task_open_created': (CREATED, [*CREATED, 'org_unit_id', 'role', 'assignee_id', 'open_to_unit'])}


def _inbox_indexes(which: int) -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        for name, columns in COVERED.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns[which], unique=False)


def upgrade():
    _inbox_indexes(1)
    table = op.create_table(
        'party_name',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_party_name_case_id_case')),
        sa.PrimaryKeyConstraint('case_id', 'digest', name=op.f('pk_party_name')),
    )
    with op.batch_alter_table('party_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_name_digest'), ['digest'], unique=False)
    _fill(op.get_bind(), table)


def downgrade():
    with op.batch_alter_table('party_name', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_name_digest'))
    op.drop_table('party_name')
    _inbox_indexes(0)
