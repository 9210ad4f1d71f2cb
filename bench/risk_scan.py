"""The risk scan (``engine.risks.scan``, what ``GET /api/v1/risks`` and the daily job run) over many cases.

``.venv/bin/python bench/risk_scan.py [--cases N] [--postgres-url URL]``: N cases received over the last
90 days at the grids of a bench county, bulk-inserted, each with two party digests and an address
digest; one person in fifty recurs in three cases, one address in forty in four, one case in a hundred
is flagged 群体性, one in five hundred 极端. The first scan
writes the risks, the timed ones find them again. The PostgreSQL database named in the URL is dropped
and recreated.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from api.extensions import db  # noqa: E402
from bench import fixtures as fx  # noqa: E402
from engine import party_keys, risks  # noqa: E402
from engine.models import Case, CaseSignal, OrgUnit, PartyKey, ProcessVersion  # noqa: E402

BATCH = 5000
TYPES = ["邻里纠纷", "婚姻家庭", "劳动争议", "合同债务", "物业纠纷", "交通事故"]


def _insert(session, n_cases: int) -> None:
    fx.build_org(session, towns=3, villages=3, grids=2)
    fx.deploy_bench(session)
    pv = session.scalar(select(ProcessVersion.id))
    grids = list(session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "grid")))
    county = session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "county"))
    now = datetime.now(UTC)
    for lo in range(1, n_cases + 1, BATCH):
        ids = range(lo, min(lo + BATCH, n_cases + 1))
        at = {i: now - timedelta(seconds=(i * 7919) % (90 * 86400)) for i in ids}
        session.execute(Case.__table__.insert(), [
            {"id": i, "code": f"B{i:08d}", "process_id": fx.PROCESS_ID, "process_version_id": pv, "status": "open",
             "org_unit_id": grids[i % len(grids)], "title": "", "opened_by": "bench", "opened_at": at[i],
             "received_at": at[i], "received_unit_id": grids[i % len(grids)], "county_id": county,
             "dispute_type": TYPES[i % len(TYPES)], "repeat_petition": False, "orders_dispatched": 0,
             "orders_closed": 0} for i in ids])
        # person p appears in cases 3p, 3p+1, 3p+2 when p % 50 == 0, otherwise in one case only
        session.execute(PartyKey.__table__.insert(), [
            {"case_id": i, "kind": kind, "digest": party_keys.digest(kind, f"{kind}-{i // 3 if (i // 3) % 50 == 0 else -i}")}
            for i in ids for kind in ("phone", "id_number")])
        # address a is the place of cases 4a … 4a+3 when a % 40 == 0, otherwise of one case only
        session.execute(PartyKey.__table__.insert(), [
            {"case_id": i, "kind": "address",
             "digest": party_keys.digest("address", f"五华县水寨镇幸福里{i // 4 if (i // 4) % 40 == 0 else -i}号")}
            for i in ids])
        session.execute(CaseSignal.__table__.insert(), [
            {"case_id": i, "party_count": 2, "mass": i % 100 == 0, "extreme": i % 500 == 0} for i in ids])
        session.commit()


def run(kind: str, pg_url: str | None, n_cases: int, repeats: int = 10) -> str:
    with fx.fresh_database(kind, pg_url):
        session = db.session
        _insert(session, n_cases)
        fx.analyse()

        def scan():
            found = risks.scan(session)
            session.commit()
            return found

        first, (first_ms,) = fx.timed(scan, 1)
        again, times = fx.timed(scan, repeats)
        assert again["new"] == 0 and again["found"] == first["found"], (first, again)
        return (f"{kind}: {n_cases} cases, {first['found']} risks: first scan {first_ms:.0f} ms, "
                f"again {fx.describe(times)}")


def main() -> None:
    fx.main_per_database(__doc__, run, 50_000)


if __name__ == "__main__":
    main()
