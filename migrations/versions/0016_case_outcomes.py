"""case outcomes: how each case ended, where and when, on indexed columns for the statistics

Revision ID: 0016_case_outcomes
Revises: 0013_case_search_tracking
Create Date: 2026-12-01 23:10:00

The engine writes these columns after every step (engine/outcome_columns.py) from the rules in
engine/outcomes.py. Cases stored before this revision are filled here, in batches, from their
stored workflow data and the same rules. Their resolution time is not recorded anywhere, so it
is taken as the closing time for closed cases and the last write of the workflow for open ones;
their deadlines are judged against that time.
"""
import sqlalchemy as sa
from alembic import op

from engine import outcomes
from engine.models.base import UtcDateTime

# revision identifiers, used by Alembic.
revision = '0016_case_outcomes'
down_revision = '0015_decision_records'
branch_labels = None
depends_on = None

BATCH = 500
TIER_KINDS = ("grid", "village", "town", "county")

CASE = sa.table(
    'case', sa.column('id', sa.Integer), sa.column('org_unit_id', sa.Integer), sa.column('opened_at', UtcDateTime),
    sa.column('closed_at', UtcDateTime), sa.column('due_at', UtcDateTime), sa.column('received_at', UtcDateTime),
    sa.column('received_unit_id', sa.Integer), sa.column('channel', sa.String), sa.column('outcome', sa.String),
    sa.column('resolved_at', UtcDateTime), sa.column('resolved_tier', sa.String),
    sa.column('resolved_unit_id', sa.Integer), sa.column('resolve_seconds', sa.Integer),
    sa.column('met_deadline', sa.Boolean), sa.column('met_tier_deadline', sa.Boolean),
    sa.column('rating', sa.String), sa.column('repeat_petition', sa.Boolean), sa.column('county_id', sa.Integer),
    sa.column('orders_dispatched', sa.Integer), sa.column('orders_closed', sa.Integer))
STATE = sa.table('case_state', sa.column('case_id', sa.Integer), sa.column('state_json', sa.Text),
                 sa.column('updated_at', UtcDateTime))
UNIT = sa.table('org_unit', sa.column('id', sa.Integer), sa.column('code', sa.String), sa.column('kind', sa.String),
                sa.column('path', sa.String))
ORDER = sa.table('dispatch_order', sa.column('case_id', sa.Integer), sa.column('status', sa.String))
# Carried in the county index on PostgreSQL, so a county's figures are read from the index alone.
STATS_COLUMNS = ['received_unit_id', 'dispute_type', 'channel', 'resolved_at', 'resolved_tier', 'outcome',
                 'resolve_seconds', 'met_deadline', 'rating', 'repeat_petition', 'orders_dispatched', 'orders_closed']


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('received_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', UtcDateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolved_tier', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('resolved_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolve_seconds', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('met_deadline', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('met_tier_deadline', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('rating', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('repeat_petition', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('orders_dispatched', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('orders_closed', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_foreign_key(batch_op.f('fk_case_county_id_org_unit'), 'org_unit', ['county_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_case_received_unit_id_org_unit'), 'org_unit',
                                    ['received_unit_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_case_resolved_unit_id_org_unit'), 'org_unit',
                                    ['resolved_unit_id'], ['id'])
    _backfill(op.get_bind())
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.alter_column('repeat_petition', server_default=None)
        batch_op.alter_column('orders_dispatched', server_default=None)
        batch_op.alter_column('orders_closed', server_default=None)
        batch_op.create_index('ix_case_county_received', ['county_id', 'received_at'], unique=False,
                              postgresql_include=STATS_COLUMNS)
        batch_op.create_index('ix_case_received', ['received_at'], unique=False)


def _backfill(conn) -> None:
    unit_rows = conn.execute(sa.select(UNIT.c.id, UNIT.c.code, UNIT.c.kind, UNIT.c.path)).all()
    units = {code: (id_, kind) for id_, code, kind, _ in unit_rows}
    kinds = {id_: kind for id_, _, kind, _ in unit_rows}
    counties = {id_: _county(id_, path, kinds) for id_, _, _, path in unit_rows}
    last = 0
    while True:
        rows = conn.execute(
            sa.select(CASE.c.id, CASE.c.org_unit_id, CASE.c.opened_at, CASE.c.closed_at, CASE.c.due_at,
                      STATE.c.state_json, STATE.c.updated_at)
            .select_from(CASE.outerjoin(STATE, STATE.c.case_id == CASE.c.id))
            .where(CASE.c.id > last).order_by(CASE.c.id).limit(BATCH)).all()
        if not rows:
            return
        orders = {case_id: (counted, closed) for case_id, counted, closed in conn.execute(
            sa.select(ORDER.c.case_id, sa.func.count(),
                      sa.func.sum(sa.case((ORDER.c.status == outcomes.ORDER_CLOSED, 1), else_=0)))
            .where(ORDER.c.case_id.in_([r.id for r in rows]), ORDER.c.status.not_in(outcomes.ORDERS_NOT_COUNTED))
            .group_by(ORDER.c.case_id))}
        for row in rows:
            counted, closed = orders.get(row.id, (0, 0))
            conn.execute(CASE.update().where(CASE.c.id == row.id).values(
                **_values(row, units, kinds), county_id=counties.get(row.org_unit_id), orders_dispatched=counted,
                orders_closed=closed or 0))
        last = rows[-1].id


def _county(unit_id: int, path: str, kinds: dict) -> int:
    """The nearest county at or above the unit, else the tree's root (engine.case_codes.county_of)."""
    ids = [int(part) for part in (path or '').strip('/').split('/') if part] or [unit_id]
    found = [i for i in ids if kinds.get(i) == 'county']
    return found[-1] if found else ids[0]


def _values(row, units: dict, kinds: dict) -> dict:
    try:
        data = outcomes.stored_data(row.state_json) if row.state_json else {}
    except ValueError:  # a state that is no JSON: the case keeps only its receipt
        data = {}
    reading = outcomes.read(data)
    values = {'received_at': row.opened_at, 'received_unit_id': row.org_unit_id, 'channel': reading.channel,
              'outcome': reading.outcome, 'rating': reading.rating, 'repeat_petition': reading.repeat_petition}
    if reading.outcome not in outcomes.RESOLVED:
        return values
    at = row.closed_at or row.updated_at or row.opened_at
    unit_id = units.get(reading.unit_code, (row.org_unit_id, None))[0]
    tier = kinds.get(unit_id) if reading.rule.tier == 'unit' and kinds.get(unit_id) in TIER_KINDS else reading.tier
    return values | {
        'resolved_at': at, 'resolved_unit_id': unit_id, 'resolved_tier': (tier or kinds.get(unit_id) or '')[:20] or None,
        'resolve_seconds': max(0, int((at - row.opened_at).total_seconds())),
        'met_deadline': outcomes.met(at, row.due_at),
        'met_tier_deadline': outcomes.met(at, outcomes.parse_time(reading.tier_due_at)),
    }


def downgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_received')
        batch_op.drop_index('ix_case_county_received')
        batch_op.drop_constraint(batch_op.f('fk_case_county_id_org_unit'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_case_resolved_unit_id_org_unit'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_case_received_unit_id_org_unit'), type_='foreignkey')
        for name in ('orders_closed', 'orders_dispatched', 'county_id', 'repeat_petition', 'rating', 'met_tier_deadline', 'met_deadline', 'resolve_seconds',
                     'resolved_unit_id', 'resolved_tier', 'resolved_at', 'outcome', 'channel', 'received_unit_id',
                     'received_at'):
            batch_op.drop_column(name)
