"""personal data: mark the parties' fields in stored forms and mask them in stored audit details

Revision ID: 0006_personal_data
Revises: 0005_state_revision
Create Date: 2026-12-02 09:00:00

Process versions deployed before forms carried ``x-personal`` get the marks the form files
carry at this revision. Only an annotation keyword is added, which validation ignores, so a
version's content hash stays as it was. Submitted form data already in the audit log is then
masked with those marks: the log keeps no full ID number, phone or name.
"""
import sqlalchemy as sa
from alembic import op

from engine import privacy
from engine.models.base import JsonType

# revision identifiers, used by Alembic.
revision = '0006_personal_data'
down_revision = '0005_state_revision'
branch_labels = None
depends_on = None

PARTY = ('parties', '*')
# Form path -> data path -> kind, as forms/ marks them at this revision.
MARKS = {
    'dispute_case/register.schema.json': {
        (*PARTY, 'name'): 'name', (*PARTY, 'id_number'): 'id_number', (*PARTY, 'phone'): 'phone',
        (*PARTY, 'address'): 'address', ('address',): 'address'},
}
# In any other form, fields of these names are marked wherever they are declared.
BY_NAME = {'id_number': 'id_number', 'phone': 'phone', 'mobile': 'phone'}
AUDITED_DATA = ('task_completed', 'case_opened')
BATCH = 1000

versions = sa.table('process_version', sa.column('id', sa.Integer), sa.column('forms', JsonType))
cases = sa.table('case', sa.column('id', sa.Integer), sa.column('process_version_id', sa.Integer))
events = sa.table('audit_event', sa.column('id', sa.Integer), sa.column('case_id', sa.Integer),
                  sa.column('kind', sa.String), sa.column('detail', JsonType))


def _declared(node, path=()):
    """``(data path, field schema)`` of every declared property, through arrays."""
    if not isinstance(node, dict):
        return
    for key, sub in (node.get('properties') or {}).items():
        if isinstance(sub, dict):
            yield (*path, key), sub
            yield from _declared(sub, (*path, key))
    yield from _declared(node.get('items'), (*path, '*'))


def _mark(form_path, schema):
    marks = MARKS.get(form_path, {})
    for path, field in _declared(schema):
        kind = marks.get(path) or BY_NAME.get(path[-1])
        if kind and privacy.KEYWORD not in field:
            field[privacy.KEYWORD] = kind
    return schema


def _mark_versions(conn):
    """Marks each stored version's forms; returns version id -> personal data paths."""
    paths = {}
    for version_id, forms in conn.execute(sa.select(versions.c.id, versions.c.forms)).all():
        forms = {name: _mark(name, schema) for name, schema in (forms or {}).items()}
        conn.execute(versions.update().where(versions.c.id == version_id).values(forms=forms))
        paths[version_id] = {}
        for schema in forms.values():
            for path, kind in privacy.schema_paths(schema).items():
                paths[version_id].setdefault(path, kind)
    return paths


def _mask_events(conn, paths):
    last = 0
    while True:
        rows = conn.execute(
            sa.select(events.c.id, events.c.detail, cases.c.process_version_id)
            .select_from(events.join(cases, cases.c.id == events.c.case_id))
            .where(events.c.kind.in_(AUDITED_DATA), events.c.id > last).order_by(events.c.id).limit(BATCH)).all()
        for event_id, detail, version_id in rows:
            data = (detail or {}).get('data')
            masked = privacy.mask_data(paths.get(version_id, {}), data)
            if masked != data:
                conn.execute(events.update().where(events.c.id == event_id).values(detail={**detail, 'data': masked}))
        if len(rows) < BATCH:
            return
        last = rows[-1][0]


def upgrade():
    conn = op.get_bind()
    _mask_events(conn, _mark_versions(conn))


def downgrade():
    # Masked values cannot be restored, and the marks change nothing for the older code.
    pass
