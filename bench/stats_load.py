"""Part 6: the statistics summary for one county-year among 1,000,000 cases, generated in PostgreSQL.

The cases and their orders are made by ``INSERT … SELECT … FROM generate_series`` inside the database
(not through the engine): ten counties, five years, outcome columns filled with a plausible spread.
Cases are stored in the order they were received, as a live system stores them.
Each timed call is ``engine.stats.summary`` as a county's centre staff asks for one calendar year.
"""

from __future__ import annotations

import time

from sqlalchemy import select, text

from api.extensions import db
from engine import accounts, orgs, stats, stats_breakdown
from engine.models import ProcessVersion, User

from . import fixtures as fx

COUNTIES, TOWNS, VILLAGES, GRIDS = 10, 8, 6, 4
YEARS = (2027, 2028, 2029, 2030, 2031)

CASES_SQL = """
INSERT INTO "case" (code, process_id, process_version_id, status, tier, org_unit_id, title, opened_by, opened_at,
    closed_at, due_at, dispute_type, received_at, received_unit_id, county_id, channel, outcome, resolved_at,
    resolved_tier, resolved_unit_id, resolve_seconds, met_deadline, met_tier_deadline, rating, repeat_petition,
    orders_dispatched, orders_closed)
SELECT 'B-' || g, 'bench', :pv, CASE WHEN outcome IS NULL THEN 'open' ELSE 'closed' END, tier, unit, '', 'bench',
    received, CASE WHEN outcome IS NOT NULL THEN received + make_interval(secs => secs) END,
    received + interval '20 days', (ARRAY['邻里纠纷','婚姻家庭','劳动争议','合同债务','物业纠纷','交通事故'])[1 + g % 6],
    received, unit, county, (ARRAY['窗口','网格巡查','12345热线','110非警务','网上自报','领导接访'])[1 + (g / 7) % 6],
    outcome, CASE WHEN resolved THEN received + make_interval(secs => secs) END, CASE WHEN resolved THEN tier END,
    CASE WHEN resolved THEN unit END, CASE WHEN resolved THEN secs::int END,
    CASE WHEN resolved THEN secs < 20 * 86400 END, CASE WHEN resolved AND tier <> 'grid' THEN secs < 10 * 86400 END,
    CASE WHEN resolved AND r4 < 0.8 THEN (ARRAY['满意','满意','满意','基本满意','不满意'])[1 + (g / 11) % 5] END,
    r4 > 0.97, CASE WHEN g % 10 < 6 THEN 1 ELSE 0 END,
    CASE WHEN g % 10 < 6 AND outcome IN ('mediated', 'judicially_confirmed') THEN 1 ELSE 0 END
FROM (
    SELECT *, outcome IN ('mediated', 'judicially_confirmed', 'on_the_spot') AS resolved
    FROM (
        SELECT g, r4, tier, unit, county, received, secs,
               CASE WHEN r2 < 0.03 THEN 'litigation' WHEN r1 >= 0.93 THEN NULL
                    WHEN r3 < 0.05 THEN 'judicially_confirmed' WHEN tier = 'grid' AND r3 < 0.5 THEN 'on_the_spot'
                    ELSE 'mediated' END AS outcome
        FROM (
            SELECT g, r1, r2, r3, r4,
                   CASE WHEN r1 < 0.40 THEN 'grid' WHEN r1 < 0.72 THEN 'village' WHEN r1 < 0.88 THEN 'town'
                        ELSE 'county' END AS tier,
                   units[1 + (g::bigint * 7919) % cardinality(units)] AS unit,
                   counties[1 + (g::bigint * 7919) % cardinality(units)] AS county,
                   timestamptz '2027-01-01 00:00+08'
                       + make_interval(secs => ((g - 1)::float8 / :n * 5 * 365 * 86400 + r5 * 3600)::int) AS received,
                   60 + r3 * 30 * 86400 AS secs
            FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                         CAST(:units AS int[]) AS units, CAST(:counties AS int[]) AS counties
                  FROM generate_series(:first, :last) AS g) AS draws
        ) AS placed
    ) AS ended
) AS cases
"""
# One counted order for six cases in ten (resolved when the case was), and a returned one before it for one in ten.
ORDERS_SQL = """
INSERT INTO dispatch_order (case_id, task_id, order_type, round, tier, to_unit_id, status, issued_at, reminders,
    supervisions)
SELECT id, 'o' || n, 'dispatch', n, tier, org_unit_id,
       CASE WHEN n = 2 THEN 'returned' WHEN orders_closed = 1 THEN 'resolved'
            WHEN outcome = 'litigation' THEN 'failed' ELSE 'accepted' END,
       received_at + interval '1 hour', 0, 0
FROM "case", generate_series(1, 2) AS n
WHERE orders_dispatched = 1 AND (n = 1 OR id % 10 = 0) AND id BETWEEN :first AND :last
"""


def build(n: int) -> dict:
    """Units, users and ``n`` cases with orders in the current (PostgreSQL) database; returns what was made."""
    started = time.perf_counter()
    accounts._N = 2**4  # bench users only: full-cost scrypt
    counties, leaves, leaf_counties = [], [], []
    for c in range(1, COUNTIES + 1):
        county = orgs.add_unit(db.session, f"c{c}", f"第{c}县", "county")
        counties.append(county)
        for t in range(1, TOWNS + 1):
            town = orgs.add_unit(db.session, f"c{c}-{t}", f"第{c}县第{t}镇", "town", county)
            leaves.append(town.id)
            for v in range(1, VILLAGES + 1):
                village = orgs.add_unit(db.session, f"c{c}-{t}-{v}", "村", "village", town)
                leaves += [village.id] + [orgs.add_unit(db.session, f"c{c}-{t}-{v}-{g}", "网格", "grid", village).id
                                          for g in range(1, GRIDS + 1)]
        leaf_counties += [county.id] * (len(leaves) - len(leaf_counties))
        accounts.add_user(db.session, f"staff-c{c}", fx.PASSWORD, "centre_staff", county)
    db.session.commit()
    fx.deploy_bench(db.session)
    pv = db.session.scalar(select(ProcessVersion.id))
    db.session.execute(text("SELECT setseed(0.42)"))
    for first in range(1, n + 1, 250_000):
        last = min(n, first + 249_999)
        db.session.execute(text(CASES_SQL), {"pv": pv, "units": leaves, "counties": leaf_counties,
                                                  "first": first, "last": last, "n": n})
        db.session.execute(text(ORDERS_SQL), {"first": first, "last": last})
        db.session.commit()
    db.session.commit()
    # What autovacuum does in a live database: statistics, and the visibility map index-only scans rely on.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    orders = db.session.scalar(text("SELECT count(*) FROM dispatch_order"))
    return {"cases": n, "orders": orders, "units": len(leaves) + COUNTIES, "seconds": time.perf_counter() - started}


def time_summaries(repeats: int) -> dict[str, list[float]]:
    """ms per county-year summary and per monthly breakdown, each county and year in turn."""
    users = list(db.session.scalars(select(User).where(User.username.like("staff-c%")).order_by(User.id)))
    out: dict[str, list[float]] = {"summary": [], "breakdown": []}
    year = {"date_from": f"{YEARS[1]}-01-01", "date_to": f"{YEARS[1]}-12-31"}
    stats.summary(db.session, users[0], **year)  # warm the plan cache and the buffer pool once
    fx.settle()
    for i in range(repeats):
        user = users[i % len(users)]
        chosen = {"date_from": f"{YEARS[i % len(YEARS)]}-01-01", "date_to": f"{YEARS[i % len(YEARS)]}-12-31"}
        db.session.expire_all()
        start = time.perf_counter()
        figures = stats.summary(db.session, user, **chosen)
        out["summary"].append((time.perf_counter() - start) * 1000)
        assert figures["received"] > 0
        start = time.perf_counter()
        stats_breakdown.breakdown(db.session, user, "month", **chosen)
        out["breakdown"].append((time.perf_counter() - start) * 1000)
    db.session.rollback()
    out["received"] = [float(figures["received"])]
    return out
