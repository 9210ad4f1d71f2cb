"""``mediate analysis run`` and ``mediate analysis weekly`` on their own SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session

from api.cli import main
from engine.models import Case, LedgerEntry, Outbox, ProcessVersion
from tests.cli.test_cli import env  # noqa: F401 (fixture)
from tests.conftest import ON_POSTGRES
from tests.helpers import FIXTURES, small_org

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite file")
RECEIVED = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("command", [["analysis", "run"], ["analysis", "weekly"]])
def test_the_commands_have_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_run_is_idempotent_and_weekly_lists_the_week(env):  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(main, ["deploy", str(FIXTURES / "simple.bpmn")]).exit_code == 0
    engine = create_engine(env)
    with Session(engine) as session:
        units, _ = small_org(session)
        ids = {name: unit.id for name, unit in units.items()}
        pv = session.scalar(select(ProcessVersion.id))
        session.execute(insert(Case), [
            {"code": f"C-{n}", "process_id": "p", "process_version_id": pv, "status": "open", "title": "",
             "opened_by": "x", "opened_at": RECEIVED, "received_at": RECEIVED, "org_unit_id": units["town"].id,
             "received_unit_id": units["town"].id, "county_id": units["county"].id, "repeat_petition": False,
             "dispute_type": "物业纠纷"} for n in range(5)])
        session.commit()
    first = runner.invoke(main, ["analysis", "run", "--month", "2031-03"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2031-03: 1 unit/type rows, 1 flagged, 1 new ledger entries"
    again = runner.invoke(main, ["analysis", "run", "--month", "2031-03"])
    assert again.output.strip() == "2031-03: 1 unit/type rows, 1 flagged, 0 new ledger entries"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    weekly = runner.invoke(main, ["analysis", "weekly", "--week", "2031-W10"])
    assert weekly.exit_code == 0, weekly.output
    assert "2031-W10 (2031-03-03 – 2031-03-09): 5 received, 0 resolved" in weekly.output
    assert "物业纠纷: 5 received" in weekly.output
    told = runner.invoke(main, ["analysis", "weekly", "--week", "2031-W10", "--notify"])
    assert told.exit_code == 0, told.output
    assert "notifications queued for 2031-W10: 3 new (0 queued before)" in told.output
    again = runner.invoke(main, ["analysis", "weekly", "--week", "2031-W10", "--notify"])
    assert "notifications queued for 2031-W10: 0 new (3 queued before)" in again.output
    with Session(engine) as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == "weekly_digest")).all()
        assert {(r.recipient_unit_id, r.recipient_role) for r in rows} == {
            (ids["county"], "leader"), (ids["town"], "centre_staff"), (ids["other_town"], "centre_staff")}
        assert {r.subject for r in rows} == {"第10周研判已生成"}
    bad = runner.invoke(main, ["analysis", "run", "--month", "2031-13"])
    assert bad.exit_code != 0 and "month must look like" in bad.output
