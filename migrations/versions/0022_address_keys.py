"""risk early warning: keyed digests of the cases' addresses

Revision ID: 0022_address_keys
Revises: 0021_risk_letter_escalation
Create Date: 2026-12-02 03:40:00

The repeat-address rule compares the digests of the parties' and the disputes' addresses (fields
marked x-personal: address), stored as party_key rows of kind 'address' beside the ID numbers and
phones. The table needs no change; this fills the address rows of the cases stored before, from
their stored workflow data, with the function the engine uses after every step
(engine/party_keys.py).
"""
import sqlalchemy as sa
from alembic import op

from engine import outcomes, party_keys, privacy
from engine.models.base import JsonType

# revision identifiers, used by Alembic.
revision = '0022_address_keys'
down_revision = '0021_risk_letter_escalation'
branch_labels = None
depends_on = None

BATCH = 500
KIND = 'address'
CASE = sa.table('case', sa.column('id', sa.Integer), sa.column('process_version_id', sa.Integer))
STATE = sa.table('case_state', sa.column('case_id', sa.Integer), sa.column('state_json', sa.Text))
VERSION = sa.table('process_version', sa.column('id', sa.Integer), sa.column('forms', JsonType))
KEY = sa.table('party_key', sa.column('case_id', sa.Integer), sa.column('kind', sa.String),
               sa.column('digest', sa.String))


def _paths(conn) -> dict:
    """Each process version's address paths (engine.privacy.version_paths, addresses only)."""
    paths = {}
    for version_id, forms in conn.execute(sa.select(VERSION.c.id, VERSION.c.forms)):
        found: privacy.Paths = {}
        for schema in (forms or {}).values():
            for path, kind in privacy.schema_paths(schema).items():
                if kind == KIND:
                    found.setdefault(path, kind)
        paths[version_id] = found
    return paths


def upgrade():
    conn = op.get_bind()
    paths = {v: p for v, p in _paths(conn).items() if p}
    if not paths:
        return
    # 0020 writes them too when it runs with today's engine/party_keys.py: computed once, here.
    conn.execute(KEY.delete().where(KEY.c.kind == KIND))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(CASE.c.id, CASE.c.process_version_id, STATE.c.state_json)
            .select_from(CASE.join(STATE, STATE.c.case_id == CASE.c.id))
            .where(CASE.c.id > last, CASE.c.process_version_id.in_(list(paths)))
            .order_by(CASE.c.id).limit(BATCH)).all()
        if not rows:
            return
        keys = []
        for row in rows:
            try:
                data = outcomes.stored_data(row.state_json) if row.state_json else {}
            except ValueError:
                continue
            keys += [{'case_id': row.id, 'kind': kind, 'digest': digest}
                     for kind, digest in sorted(party_keys.digests(paths[row.process_version_id], data))]
        if keys:
            conn.execute(KEY.insert(), keys)
        last = rows[-1].id


def downgrade():
    op.execute(KEY.delete().where(KEY.c.kind == KIND))
