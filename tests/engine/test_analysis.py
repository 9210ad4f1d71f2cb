"""The monthly snapshot (综合研判): counts by dispute type, tier and status, once per month."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from engine import analysis, cases, clock
from engine.errors import BadRequest
from engine.models import MonthlySnapshot
from tests.helpers import deploy_fixture, small_org


@pytest.fixture
def month_of_cases(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session, "deadline.bpmn")
    opened = [
        (datetime(2031, 4, 2, tzinfo=UTC), {"dispute_type": "劳动争议"}, None),
        (datetime(2031, 4, 20, tzinfo=UTC), {"dispute_type": "劳动争议"}, None),
        (datetime(2031, 4, 30, 23, 59, tzinfo=UTC), {"dispute_type": "邻里纠纷"}, "other_town"),
        (datetime(2031, 4, 10, tzinfo=UTC), {}, None),
        (datetime(2031, 5, 1, tzinfo=UTC), {"dispute_type": "劳动争议"}, None),  # next month
    ]
    for at, data, unit in opened:
        with clock.frozen_at(at):
            user = users["other_staff"] if unit else users["staff"]
            case = cases.open_case(session, user, "deadline", dict(data, handling_limit="P30D"))
        if data.get("dispute_type") == "邻里纠纷":
            case.status, case.tier = "closed", "town"
    session.commit()
    return units


def test_counts_the_months_cases_per_unit_and_overall(session, month_of_cases):
    with clock.frozen_at(datetime(2031, 5, 1, 0, 30, tzinfo=UTC)):
        rows = analysis.monthly_snapshot(session)
    session.commit()
    by_unit = {r.unit: r.counts for r in rows}
    assert {r.month for r in rows} == {"2031-04"}
    assert set(by_unit) == {"*", "town-1", "town-2"}
    assert by_unit["*"] == {"total": 4, "dispute_type": {"劳动争议": 2, "邻里纠纷": 1, "unknown": 1},
                            "tier": {"unknown": 3, "town": 1}, "status": {"open": 3, "closed": 1}}
    assert by_unit["town-2"]["total"] == 1


def test_a_second_run_for_the_same_month_changes_nothing(session, month_of_cases):
    first = analysis.monthly_snapshot(session, "2031-04")
    session.commit()
    again = analysis.monthly_snapshot(session, "2031-04")
    assert sorted(r.id for r in again) == sorted(r.id for r in first)
    assert session.scalar(select(func.count()).select_from(MonthlySnapshot)) == len(first)


def test_an_empty_month_still_gets_its_overall_row_and_bad_months_are_refused(session):
    rows = analysis.monthly_snapshot(session, "2030-01")
    assert [(r.unit, r.counts["total"]) for r in rows] == [("*", 0)]
    with pytest.raises(BadRequest):
        analysis.monthly_snapshot(session, "2030-13")
    assert analysis.previous_month(datetime(2031, 1, 15, tzinfo=UTC)) == "2030-12"
