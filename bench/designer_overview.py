"""The designer's overview with many cases: ms per ``engine.designer.overview`` (the ``/designer`` page's query).

``.venv/bin/python bench/designer_overview.py [--cases N] [--postgres-url URL]``: the bench process in
four versions, N cases spread over them (a quarter closed), bulk-inserted; then the overview is timed.
The PostgreSQL database named in the URL is dropped and recreated.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from api.extensions import db  # noqa: E402
from bench import fixtures as fx  # noqa: E402
from engine import accounts, designer, orgs  # noqa: E402
from engine.models import Case, ProcessVersion  # noqa: E402

BATCH = 5000


def _versions(session) -> list[int]:
    fx.deploy_bench(session)
    bpmn = fx.DIAGRAM.read_bytes()
    from engine import deploy
    for n in range(2, 5):  # three more versions: a changed name each time
        changed = bpmn.replace(b'name="', f'name="v{n} '.encode(), 1)
        deploy.deploy(session, [deploy.SourceFile(fx.DIAGRAM.name, changed)], "bench", max_bytes=10_000_000,
                      forms_dir=fx.FORMS)
    session.commit()
    return list(session.scalars(select(ProcessVersion.id).order_by(ProcessVersion.id)))


def run(kind: str, pg_url: str | None, n_cases: int, repeats: int = 20) -> str:
    with fx.fresh_database(kind, pg_url):
        session = db.session
        accounts._N = 2**4
        county = orgs.add_unit(session, "county", "基准县", "county")
        user = accounts.add_user(session, "designer", fx.PASSWORD, "designer", county)
        session.commit()
        versions = _versions(session)
        now = datetime.now(UTC)
        for lo in range(1, n_cases + 1, BATCH):
            session.execute(Case.__table__.insert(), [
                {"id": i, "code": f"B{i:08d}", "process_id": fx.PROCESS_ID, "process_version_id": versions[i % len(versions)],
                 "status": "closed" if i % 4 == 0 else "open", "org_unit_id": county.id, "title": "",
                 "opened_by": "bench", "opened_at": now} for i in range(lo, min(lo + BATCH, n_cases + 1))])
        session.commit()
        fx.analyse()
        designer.overview(session, user)  # warm the per-version caches
        result, times = fx.timed(lambda: designer.overview(session, user), repeats, after=session.rollback)
        total = sum(v.all_cases for p in result.processes for v in p.versions)
        assert total == n_cases, total
        return f"{kind}: {n_cases} cases over {len(versions)} versions: overview {fx.describe(times)}"


def main() -> None:
    fx.main_per_database(__doc__, run, 100_000)


if __name__ == "__main__":
    main()
