"""The risk rules on hand-built cases, their thresholds read from the decision table, masking and scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from engine import case_codes, clock, decisions, deploy, party_keys, risks
from engine.config import ROOT
from engine.errors import BadRequest, Forbidden, NotFound
from engine.models import Case, CaseSignal, PartyKey, ProcessVersion, Risk, TaskItem
from tests.helpers import deploy_fixture, small_org

PHONE = "13800001111"
ADDRESS = "五华县水寨镇幸福里小区3栋302室"


@pytest.fixture
def org(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session)
    decisions.forget()
    yield units, users
    decisions.forget()


def add_case(session, unit, days_ago: float = 1, **columns) -> Case:
    pv = session.scalar(select(ProcessVersion.id))
    last = session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    at = clock.now() - timedelta(days=days_ago)
    row = {"code": f"R-{last + 1}", "process_id": "p", "process_version_id": pv, "status": "open",
           "org_unit_id": unit.id, "title": "", "opened_by": "x", "opened_at": at, "received_at": at,
           "received_unit_id": unit.id, "county_id": case_codes.county_of(session, unit).id,
           "repeat_petition": False} | columns
    session.execute(insert(Case), [row])
    return session.scalar(select(Case).where(Case.code == row["code"]))


def with_phone(session, case: Case, phone: str = PHONE) -> None:
    session.add(PartyKey(case_id=case.id, kind="phone", digest=party_keys.digest("phone", phone)))
    session.flush()


def with_address(session, case: Case, address: str = ADDRESS) -> None:
    session.add(PartyKey(case_id=case.id, kind="address", digest=party_keys.digest("address", address)))
    session.flush()


def of_kind(session, kind: str) -> list[Risk]:
    risks.scan(session)
    return list(session.scalars(select(Risk).where(Risk.kind == kind, Risk.active.is_(True))))


def test_the_same_phone_in_three_cases_within_the_window_is_one_risk(session, org):
    units, _ = org
    cases = [add_case(session, units["grid"], 10), add_case(session, units["village"], 20),
             add_case(session, units["other_town"], 30)]
    for case in cases:
        with_phone(session, case, "138-0000-1111" if case is cases[0] else PHONE)  # the same digits
    with_phone(session, add_case(session, units["grid"]), "13900002222")  # someone else
    found = of_kind(session, "repeat_party")
    assert len(found) == 1
    risk = found[0]
    assert sorted(risk.case_codes) == sorted(c.code for c in cases)
    assert risk.unit_id == units["county"].id  # the lowest unit above a village and another town
    assert risk.detail == {"cases": 3, "window_days": 90} and risk.severity == "high"
    assert PHONE not in str(risks.as_dict(risk)) and "1111" not in str(risk.detail)


def test_a_case_outside_the_window_does_not_count(session, org):
    units, _ = org
    for days in (10, 20, 120):
        with_phone(session, add_case(session, units["grid"], days))
    assert of_kind(session, "repeat_party") == []


def test_the_risk_ends_when_the_cases_leave_the_window(session, org):
    units, _ = org
    for days in (10, 20, 89):
        with_phone(session, add_case(session, units["grid"], days))
    [risk] = of_kind(session, "repeat_party")
    first = risk.detected_at
    assert risks.scan(session, clock.now() + timedelta(hours=1))["new"] == 0
    assert session.get(Risk, risk.id).detected_at == first  # the same risk, seen again
    risks.scan(session, clock.now() + timedelta(days=2))
    assert session.get(Risk, risk.id).active is False


def test_the_same_address_in_three_cases_within_the_window_is_one_risk(session, org):
    units, _ = org
    cases = [add_case(session, units["grid"], 10), add_case(session, units["village"], 50),
             add_case(session, units["grid"], 80)]
    for case, typed in zip(cases, (ADDRESS, "五华县 水寨镇幸福里小区３栋３０２室", "五华县水寨镇幸福里小区3栋-302室。"),
                           strict=True):
        with_address(session, case, typed)
    with_address(session, add_case(session, units["grid"]), "五华县水寨镇幸福里小区3栋303室")  # next door
    [risk] = of_kind(session, "repeat_address")
    assert sorted(risk.case_codes) == sorted(c.code for c in cases)
    assert risk.unit_id == units["village"].id  # the lowest unit above a grid and its village
    assert risk.detail == {"cases": 3, "window_days": 90} and risk.severity == "medium"
    assert of_kind(session, "repeat_party") == []  # a shared address is no shared person
    shown = str(risks.as_dict(risk))
    assert "幸福里" not in shown and "302" not in shown


def test_an_address_case_outside_the_window_does_not_count(session, org):
    units, _ = org
    for days in (10, 20, 91):
        with_address(session, add_case(session, units["grid"], days))
    assert of_kind(session, "repeat_address") == []
    with_address(session, add_case(session, units["grid"], 30))
    assert len(of_kind(session, "repeat_address")) == 1


def test_a_case_naming_one_address_twice_counts_once(session, org, echo_handler):
    units, _ = org
    twice = add_case(session, units["grid"], 5)
    twice.process_version.forms = {"f": {"properties": {"address": {"x-personal": "address"}, "parties": {
        "items": {"properties": {"address": {"x-personal": "address"}}}}}}}
    twice.process_version.content_hash = "with-address-marks"
    party_keys.sync(session, twice, {"address": ADDRESS, "parties": [{"address": ADDRESS}, {"address": f" {ADDRESS} "}]})
    with_address(session, add_case(session, units["grid"], 6))
    assert of_kind(session, "repeat_address") == []  # two cases, though the address appears four times
    with_address(session, add_case(session, units["grid"], 7))
    [risk] = of_kind(session, "repeat_address")
    assert risk.detail["cases"] == 3 and len(risk.case_codes) == 3


def test_the_address_threshold_comes_from_the_deployed_table(session, org):
    units, _ = org
    for days in (10, 20):
        with_address(session, add_case(session, units["grid"], days))
    assert of_kind(session, "repeat_address") == []
    xml = (ROOT / "processes" / "risk_rules.dmn").read_text(encoding="utf-8")
    row = '<outputEntry id="risk_rules_r6_o1"><text>3</text>'
    assert row in xml
    deploy.deploy(session, [deploy.SourceFile("risk_rules.dmn", xml.replace(row, row.replace("3", "2")).encode())],
                  "test", max_bytes=1_000_000)
    decisions.forget()
    assert risks.thresholds(session)["repeat_address"].threshold == 2
    [risk] = of_kind(session, "repeat_address")
    assert risk.detail["cases"] == 2
    assert of_kind(session, "repeat_party") == []


def test_mass_disputes_by_flag_or_party_count_and_only_open(session, org):
    units, _ = org
    flagged, many, few, closed = (add_case(session, units["village"]) for _ in range(4))
    closed.status = "closed"
    session.add_all([CaseSignal(case_id=flagged.id, party_count=2, mass=True, extreme=False),
                     CaseSignal(case_id=many.id, party_count=10, mass=False, extreme=False),
                     CaseSignal(case_id=few.id, party_count=9, mass=False, extreme=False),
                     CaseSignal(case_id=closed.id, party_count=40, mass=True, extreme=False)])
    session.flush()
    found = {r.case_codes[0]: r for r in of_kind(session, "mass_dispute")}
    assert set(found) == {flagged.code, many.code}
    assert found[many.code].detail == {"parties": 10, "flagged": False}
    assert found[flagged.code].unit_id == units["village"].id


def test_extreme_person(session, org):
    units, _ = org
    case = add_case(session, units["grid"])
    session.add(CaseSignal(case_id=case.id, party_count=1, mass=False, extreme=True))
    session.flush()
    [risk] = of_kind(session, "extreme_person")
    assert risk.case_codes == [case.code] and risk.severity == "critical"


def _overdue_task(session, case, unit, n):
    session.add(TaskItem(case_id=case.id, spiff_task_id=f"t{case.id}-{n}", spec_id="s", name="办理", process_id="p",
                         role="mediator", org_unit_id=unit.id, overdue=True, state="completed"))


def test_overdue_at_two_tiers_is_a_risk_at_one_is_not(session, org):
    units, _ = org
    twice, once = add_case(session, units["town"]), add_case(session, units["town"])
    _overdue_task(session, twice, units["grid"], 1)
    _overdue_task(session, twice, units["village"], 2)
    _overdue_task(session, once, units["village"], 1)
    _overdue_task(session, once, units["village"], 2)
    session.flush()
    [risk] = of_kind(session, "overdue_tiers")
    assert risk.case_codes == [twice.code] and risk.detail == {"tiers": 2}


def test_a_rising_type_in_a_unit(session, org):
    units, _ = org
    for days in (1, 2, 3, 4):
        add_case(session, units["village"], days, dispute_type="土地山林")
    for days in (40, 45):
        add_case(session, units["village"], days, dispute_type="土地山林")
    for days in (1, 2, 3, 40, 41, 42):  # steady: not rising
        add_case(session, units["town"], days, dispute_type="邻里纠纷")
    found = {(r.unit_id, r.detail["dispute_type"]): r for r in of_kind(session, "rising_type")}
    assert set(found) == {(units["village"].id, "土地山林"), (units["county"].id, "土地山林")}
    assert found[(units["village"].id, "土地山林")].detail["current"] == 4
    assert found[(units["village"].id, "土地山林")].detail["previous"] == 2


def test_the_thresholds_come_from_the_deployed_table(session, org):
    units, _ = org
    for days in (10, 20):
        with_phone(session, add_case(session, units["grid"], days))
    assert risks.thresholds(session)["repeat_party"].threshold == 3
    assert of_kind(session, "repeat_party") == []
    xml = (ROOT / "processes" / "risk_rules.dmn").read_text(encoding="utf-8")
    changed = xml.replace("<text>3</text>", "<text>2</text>", 1)
    assert changed != xml
    deploy.deploy(session, [deploy.SourceFile("risk_rules.dmn", changed.encode())], "test", max_bytes=1_000_000)
    decisions.forget()
    assert risks.thresholds(session)["repeat_party"].threshold == 2
    assert len(of_kind(session, "repeat_party")) == 1


def test_scope_and_roles(session, org):
    units, users = org
    for days in (1, 2, 3):
        with_phone(session, add_case(session, units["grid"], days))
    assert [r.kind for r in risks.listing(session, users["staff"])] == ["repeat_party"]
    assert risks.listing(session, users["other_staff"]) == []
    assert len(risks.listing(session, users["leader"])) == 1
    risk_id = risks.listing(session, users["admin"])[0].id
    with pytest.raises(NotFound):
        risks.get(session, users["other_staff"], risk_id)
    for name in ("mediator", "grid_worker", "designer"):
        with pytest.raises(Forbidden):
            risks.listing(session, users[name])
    with pytest.raises(BadRequest):
        risks.listing(session, users["staff"], kind="nonsense")


def test_a_list_within_a_minute_of_a_scan_shows_that_scan(session, org):
    units, users = org
    for days in (1, 2, 3):
        with_phone(session, add_case(session, units["grid"], days))
    assert len(risks.listing(session, users["staff"])) == 1
    session.add(CaseSignal(case_id=add_case(session, units["grid"]).id, party_count=1, mass=False, extreme=True))
    session.flush()
    assert len(risks.listing(session, users["staff"])) == 1  # scanned a moment ago
    with clock.frozen_at(clock.now() + timedelta(seconds=risks.FRESH_SECONDS)):
        assert {r.kind for r in risks.listing(session, users["staff"])} == {"repeat_party", "extreme_person"}
