"""Public intake, tracking by code and phone digits, and a case's path on its diagrams."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import cases, clock, diagram, public, tasks, tracking
from engine.errors import FormInvalid
from engine.models import Case, TaskItem, User
from tests.processes import conftest as process_fixtures
from tests.processes import steps
from tests.processes.harness import START, Scenario

PHONE = "13912345678"
# The demo county with the process library, and its cases, as the process scenarios use them.
county, run_case = process_fixtures.county, process_fixtures.run_case


def _report(session, **over):
    data = {"dispute_type": "邻里纠纷", "summary": "邻居堆放杂物堵住通道", "contact_phone": PHONE,
            "parties": [{"name": "王五", "role": "申请人", "phone": PHONE}], "location_code": steps.GRID}
    with clock.frozen_at(START):
        case = public.report(session, **(data | over))
    session.commit()
    return case


def test_a_report_opens_a_case_in_the_online_channel_registered_at_the_town_centre(county):
    case = _report(county)
    row = county.scalar(select(TaskItem).where(TaskItem.case_id == case.id, TaskItem.state == "ready"))
    assert row.spec_id == "register"
    assert row.org_unit.code == "441581-01" and row.org_unit.kind == "town"
    assert row.assignee_id is None  # the reporting account is inactive: the centre's staff claim it
    assert case.opened_by == public.REPORTER and case.org_unit.code == steps.GRID
    reporter = county.scalar(select(User).where(User.username == public.REPORTER))
    assert reporter.active is False
    data = tasks.current_data(county, row)
    assert data["intake_channel"] == public.CHANNEL and data["reported_by"] == public.REPORTER
    assert data["contact_phone"] == PHONE


def test_a_second_report_reuses_the_reporting_account(county):
    _report(county)
    _report(county, summary="另一户的排水问题")
    assert len(county.scalars(select(User).where(User.username == public.REPORTER)).all()) == 1


@pytest.mark.parametrize("over, field", [
    ({"location_code": "441581-01-001"}, "data.location_unit_code"),  # a village, not a grid
    ({"contact_phone": "12345"}, "data.contact_phone"),
    ({"dispute_type": "外星人"}, "data.dispute_type"),
])
def test_a_bad_report_names_its_field_and_opens_nothing(county, over, field):
    before = county.scalar(select(Case.id).order_by(Case.id.desc()).limit(1))
    with pytest.raises(FormInvalid) as err:
        _report(county, **over)
    assert field in err.value.fields
    county.rollback()
    assert county.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) == before


def test_tracking_needs_the_code_and_the_reporting_phones_last_four_digits(county):
    case = _report(county)
    progress = tracking.track(county, case.code.lower(), PHONE[-4:])
    assert progress.code == case.code and progress.status == "open"
    assert progress.next_step == "受理登记 Registration" and progress.unit_name == case.org_unit.name
    assert tracking.track(county, case.code, "0000") is None
    assert tracking.track(county, case.code, PHONE[-5:]) is None
    assert tracking.track(county, "441581-20310303-0001X", PHONE[-4:]) is None
    assert tracking.track(county, "", "") is None
    assert case.track_digest != PHONE[-4:] and PHONE not in case.track_digest


def test_a_case_opened_without_a_phone_cannot_be_tracked(county, run_case):
    run = run_case()
    assert run.case.track_digest is None
    assert tracking.track(county, run.case.code, "8000") is None


def test_last_digits_reads_digits_only():
    assert tracking.last_digits("0660-8812345") == "2345"
    assert tracking.last_digits("12a3") == ""


def test_the_case_list_finds_a_typed_code_and_summary_words(county):
    case = _report(county)
    other = _report(county, summary="两户之间为宅基地边界争执")
    staff = county.scalar(select(User).where(User.username == "town_staff"))
    typed = case.code.lower().replace("-", " ")
    assert cases.list_cases(county, staff, text=typed)[0] == [case]
    assert cases.list_cases(county, staff, text="宅基地")[0] == [other]


def test_the_path_marks_completed_elements_and_current_tasks_per_process(county):
    run = Scenario(county, "town_staff")
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code="441581-01-001-01")
    steps.route(run)
    marks = {pid: m.as_dict() for pid, m in diagram.path(county, run.case).items()}
    top = marks["dispute_case"]
    assert {"register", "assess"} <= set(top["done"])
    assert "register" not in top["current"]
    assert "accept_order" in marks["dispatch_round"]["current"]
    # a call activity that runs is current on its own diagram's parent
    assert any(element in top["current"] for element in ("resolution", "leader_ownership")) or any(
        "accept_order" in m["current"] for m in marks.values())
    assert diagram.called_version(county, run.case, "dispatch_round").process_id == "dispatch_round"
