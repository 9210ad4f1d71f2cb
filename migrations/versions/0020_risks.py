"""risk early warning: party digests, case signals, risks and warning letters

Revision ID: 0020_risks
Revises: 0016_case_outcomes
Create Date: 2026-12-02 00:05:00

The digests of the parties' ID numbers and phones and each case's signals (party count, 群体性,
极端) are filled here from the cases' stored workflow data, with the same functions the engine uses
after every step (engine/party_keys.py).
"""
import sqlalchemy as sa
from alembic import op

from engine import outcomes, party_keys, privacy
from engine.models.base import JsonType, UtcDateTime

# revision identifiers, used by Alembic.
revision = '0020_risks'
down_revision = '0019_analysis_ledger'
branch_labels = None
depends_on = None

BATCH = 500
CASE = sa.table('case', sa.column('id', sa.Integer), sa.column('process_version_id', sa.Integer))
STATE = sa.table('case_state', sa.column('case_id', sa.Integer), sa.column('state_json', sa.Text))
VERSION = sa.table('process_version', sa.column('id', sa.Integer), sa.column('forms', JsonType))


def upgrade():
    op.create_table(
        'party_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_party_key_case_id_case')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_party_key')),
        sa.UniqueConstraint('case_id', 'kind', 'digest', name=op.f('uq_party_key_case_id')))
    op.create_index('ix_party_key_digest', 'party_key', ['kind', 'digest'], unique=False)
    op.create_index(op.f('ix_party_key_case_id'), 'party_key', ['case_id'], unique=False)
    op.create_table(
        'case_signal',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('party_count', sa.Integer(), nullable=False),
        sa.Column('mass', sa.Boolean(), nullable=False),
        sa.Column('extreme', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_signal_case_id_case')),
        sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_signal')))
    op.create_table(
        'risk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('severity', sa.String(length=10), nullable=False),
        sa.Column('case_codes', JsonType, nullable=False),
        sa.Column('detail', JsonType, nullable=False),
        sa.Column('detected_at', UtcDateTime(), nullable=False),
        sa.Column('last_seen_at', UtcDateTime(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_risk_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk')),
        sa.UniqueConstraint('key', name=op.f('uq_risk_key')))
    op.create_index(op.f('ix_risk_kind'), 'risk', ['kind'], unique=False)
    op.create_index('ix_risk_unit_active', 'risk', ['unit_id', 'active'], unique=False)
    op.create_table(
        'risk_letter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('risk_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('from_unit_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('issued_by', sa.String(length=80), nullable=False),
        sa.Column('issued_at', UtcDateTime(), nullable=False),
        sa.Column('due_at', UtcDateTime(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.String(length=80), nullable=True),
        sa.Column('answered_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_letter_risk_id_risk')),
        sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_risk_letter_unit_id_org_unit')),
        sa.ForeignKeyConstraint(['from_unit_id'], ['org_unit.id'],
                                name=op.f('fk_risk_letter_from_unit_id_org_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_letter')),
        sa.UniqueConstraint('year', 'serial', name=op.f('uq_risk_letter_year')))
    op.create_index(op.f('ix_risk_letter_risk_id'), 'risk_letter', ['risk_id'], unique=False)
    op.create_index('ix_risk_letter_unit_status', 'risk_letter', ['unit_id', 'status'], unique=False)
    _backfill(op.get_bind())


def _paths(conn) -> dict:
    """Each process version's personal data paths (engine.privacy.version_paths)."""
    paths = {}
    for version_id, forms in conn.execute(sa.select(VERSION.c.id, VERSION.c.forms)):
        found: privacy.Paths = {}
        for schema in (forms or {}).values():
            for path, kind in privacy.schema_paths(schema).items():
                found.setdefault(path, kind)
        paths[version_id] = found
    return paths


def _backfill(conn) -> None:
    paths = _paths(conn)
    last = 0
    while True:
        rows = conn.execute(
            sa.select(CASE.c.id, CASE.c.process_version_id, STATE.c.state_json)
            .select_from(CASE.join(STATE, STATE.c.case_id == CASE.c.id))
            .where(CASE.c.id > last).order_by(CASE.c.id).limit(BATCH)).all()
        if not rows:
            return
        keys, signals = [], []
        for row in rows:
            try:
                data = outcomes.stored_data(row.state_json) if row.state_json else {}
            except ValueError:
                continue
            keys += [{'case_id': row.id, 'kind': kind, 'digest': digest}
                     for kind, digest in sorted(party_keys.digests(paths.get(row.process_version_id, {}), data))]
            count, mass, extreme = party_keys.signals(data)
            if count or mass or extreme:
                signals.append({'case_id': row.id, 'party_count': count, 'mass': mass, 'extreme': extreme})
        if keys:
            conn.execute(sa.table('party_key', sa.column('case_id'), sa.column('kind'), sa.column('digest')).insert(),
                         keys)
        if signals:
            conn.execute(sa.table('case_signal', sa.column('case_id'), sa.column('party_count'), sa.column('mass'),
                                  sa.column('extreme')).insert(), signals)
        last = rows[-1].id


def downgrade():
    op.drop_index('ix_risk_letter_unit_status', table_name='risk_letter')
    op.drop_index(op.f('ix_risk_letter_risk_id'), table_name='risk_letter')
    op.drop_table('risk_letter')
    op.drop_index('ix_risk_unit_active', table_name='risk')
    op.drop_index(op.f('ix_risk_kind'), table_name='risk')
    op.drop_table('risk')
    op.drop_table('case_signal')
    op.drop_index(op.f('ix_party_key_case_id'), table_name='party_key')
    op.drop_index('ix_party_key_digest', table_name='party_key')
    op.drop_table('party_key')
