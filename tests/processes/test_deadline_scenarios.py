"""Deadlines as the seeds state them: measured from receipt for the whole case, from the arrival at a
tier for the tier, never restarted by another round at the same tier and never shrinking when the
case escalates; a case that reaches the county is triaged again and gets a leader when major."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import clock, demo, deploy, recalc
from engine.models import OrgUnit, Timer, ledger

from . import steps
from .conftest import FORMS, PROCESSES
from .harness import START, Scenario

TOWN, COUNTY = "441581-01", "441581"


def _due(run, spec_id: str):
    """Due time of the case's waiting timer on this element."""
    rows = list(run.session.scalars(select(Timer).where(
        Timer.case_id == run.case_id, Timer.spec_id == spec_id, Timer.state == "waiting")))
    assert len(rows) == 1, (spec_id, rows)
    return rows[0].due_at


def _outbox(run, kind: str) -> list:
    return list(run.session.scalars(select(ledger.Outbox).where(
        ledger.Outbox.case_id == run.case_id, ledger.Outbox.kind == kind)))


def _at(run, spec_id):
    return clock.parse(run.value(spec_id))


def test_the_whole_case_is_due_from_receipt_and_supervised_when_overdue(run_case):
    run = run_case()
    assert run.value("received_at") == START.isoformat()  # written by the engine when the case opened
    run.advance(hours=5)  # registration the same afternoon: the clock already runs
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    assert run.value("severity") == "ordinary"
    assert run.case.due_at == START + timedelta(days=3)  # 一般性矛盾纠纷3天内办结, from receipt
    steps.route(run)
    steps.accept(run)
    run.advance(hours=48)  # the village's overdue limit (from its arrival) passes: on to the town
    assert run.where() == ("town", TOWN)
    steps.accept(run)
    assert _outbox(run, "case_overdue") == []
    run.advance(hours=20)  # three days after receipt, while the town works on it
    assert ("case_overdue", "case_deadline") in run.fired()
    notice = _outbox(run, "case_overdue")[0]
    county = run.session.scalar(select(OrgUnit.id).where(OrgUnit.code == COUNTY))
    assert (notice.recipient_unit_id, notice.recipient_role) == (county, "centre_staff")
    assert run.row("investigate").overdue  # the waiting work is flagged
    assert run.case.due_at == START + timedelta(days=3)  # the case's due time did not move


def test_another_round_at_the_same_tier_does_not_restart_the_clock(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)  # the case reaches the village now
    arrived = run.now
    # Village, ordinary: handling due in 24 hours, over the limit after 48, from the arrival.
    run.advance(hours=1)
    steps.accept(run)
    assert (_due(run, "supervise"), _due(run, "overdue")) == (arrived + timedelta(hours=24),
                                                               arrived + timedelta(hours=48))
    order = run.session.scalars(select(ledger.Order).where(ledger.Order.case_id == run.case_id)).one()
    assert order.due_at == arrived + timedelta(hours=24)  # the order is due when the tier is
    steps.mediate(run)
    run.advance(hours=5)
    steps.review_and_verify(run, verified=False)  # back to the unit for a second handling round
    assert run.ready() == ["investigate"]
    assert (_due(run, "supervise"), _due(run, "overdue")) == (arrived + timedelta(hours=24),
                                                               arrived + timedelta(hours=48))
    run.advance(hours=42, minutes=1)  # 48 hours after the arrival, not after the second round began
    assert run.fired()[-1] == ("overdue", "handling_deadline")
    assert run.where() == ("town", TOWN)


def _complex_at_town(run):
    steps.intake(run, dispute_type="合同债务", amount=2000, risk_flags=["重复信访"], location_unit_code=steps.GRID)
    assert (run.value("severity"), run.value("start_tier")) == ("complex", "town")
    steps.route(run)
    steps.accept(run)
    return run


def _deploy_library(app, session, folder, rule: str, changes: dict) -> None:
    """Deploy a copy of the library in which one rule of the deadlines table gives other values."""
    shutil.copytree(PROCESSES, folder, dirs_exist_ok=True)
    table = folder / "deadlines.dmn"
    text = table.read_text(encoding="utf-8")
    old = re.search(rf'<rule id="{rule}">.*?</rule>', text, re.S).group(0)
    new = old
    for before, after in changes.items():
        new = new.replace(f"'{before}'", f"'{after}'")
    table.write_text(text.replace(old, new), encoding="utf-8")
    deploy.deploy(session, deploy.read_directories(folder, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)


@pytest.fixture
def shrinking_county(app, session, tmp_path):
    """The library with the deadlines table as it was: a complex case had 30 days at the town but 20
    (25 at most) at the county."""
    _deploy_library(app, session, tmp_path, "deadlines_r8", {"P30D": "P20D", "P40D": "P25D"})
    demo.load(session)
    session.commit()
    return session


def test_escalating_to_the_county_never_shortens_a_deadline(shrinking_county):
    run = _complex_at_town(Scenario(shrinking_county, "town_staff"))
    # 复杂矛盾镇级办，一个月内化解: the town's deadlines and the whole case's count from now.
    assert (_due(run, "supervise"), _due(run, "overdue")) == (START + timedelta(days=30), START + timedelta(days=40))
    assert run.case.due_at == START + timedelta(days=30)
    run.advance(days=1)
    steps.mediate(run, "failed")
    assert run.where() == ("county", COUNTY)
    assert run.case.severity == "complex"  # triaged again: nothing new is known
    assert run.ready() == ["accept_order"]  # a complex case gets no leader
    steps.accept(run)
    # The county's own deadlines (20 and 25 days from its arrival) would end before the town's did.
    assert (_due(run, "supervise"), _due(run, "overdue")) == (START + timedelta(days=30), START + timedelta(days=40))
    assert run.case.due_at == START + timedelta(days=30)
    run.advance(days=29, minutes=1)
    assert run.fired()[-1] == ("supervise", "supervision")  # 30 days after receipt at the town, not 21


def test_a_case_found_major_at_the_county_gets_a_leader_and_three_months(run_case):
    run = _complex_at_town(run_case())
    run.advance(days=2)
    run.complete("investigate", site_visit_date="2031-03-05", findings="三十余户联名", parties_interviewed=30,
                 risk_found=["群体性"])
    run.complete("mediate", mediation_result="failed", sessions=1, mediation_notes="")
    assert run.where() == ("county", TOWN)  # the county's order is dispatched once a leader owns the case
    assert (run.case.severity, run.value("leader_required")) == ("major", True)
    assert run.ready() == ["accept_ownership"]
    assert run.offered_to("accept_ownership")[0::2] == ("leader", "leader")
    run.complete("accept_ownership", owning_leader="leader", leader_position="市委副书记", accepted=True)
    run.complete("file_plan", special_team=[{"name": "刘科长", "unit_code": "441581-SF", "duty": "政策解释"}],
                 plan="逐户走访", target_date="2031-06-01")
    assert run.value("leader_username") == "leader"
    assert run.ready() == ["accept_order"]  # then the county round runs
    steps.accept(run)
    arrived = START + timedelta(days=2)
    assert _due(run, "supervise") == arrived + timedelta(days=90)  # 重大事项三个月内化解
    assert run.case.due_at == START + timedelta(days=90)  # the whole case: three months from receipt
    run.advance(days=7, minutes=1)
    assert "progress_report" in run.ready()  # the new leader reports weekly from this round on
    assert run.offered_to("progress_report")[0::2] == ("leader", "leader")


def test_a_major_case_that_has_its_leader_keeps_them_at_the_county(run_case):
    run = run_case()
    steps.register(run, dispute_type="征地拆迁", summary="三十余户村民对征地补偿有异议", parties=steps.parties(35),
                   amount=3000000, risk_flags=["群体性"], location_unit_code=steps.GRID)
    steps.assess(run)
    run.complete("accept_ownership", owning_leader="leader", leader_position="市委副书记", accepted=True)
    run.complete("file_plan", special_team=[{"name": "刘科长", "unit_code": "441581-ZJ", "duty": "政策解释"}],
                 plan="属地先行", target_date="2031-06-01")
    steps.route(run, tier="town")  # the centre lets the town try first
    steps.accept(run)
    steps.mediate(run, "failed")
    assert run.where() == ("county", COUNTY)
    assert run.ready() == ["accept_order"]  # no second ownership
    assert run.path().count("accept_ownership") == 1


def test_recalc_moves_the_tier_deadlines_after_the_table_changes(app, run_case, tmp_path):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    arrived = run.now
    run.advance(hours=1)
    steps.accept(run)
    assert _due(run, "supervise") == arrived + timedelta(hours=24)
    # The administrator gives village disputes 30 hours instead of 24 (and 60 instead of 48).
    _deploy_library(app, run.session, tmp_path, "deadlines_r2", {"PT24H": "PT30H", "PT48H": "PT60H"})
    with clock.frozen_at(run.now):
        moved = recalc.recalc(run.session, run.case_id)["moved"]
    run.session.commit()
    assert {m["task"] for m in moved} == {"supervise", "overdue"}
    assert (_due(run, "supervise"), _due(run, "overdue")) == (arrived + timedelta(hours=30),
                                                               arrived + timedelta(hours=60))
