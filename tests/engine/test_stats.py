"""The figures on hand-built cases whose answers are known: each rate's definition, the period, the
dispute type, and whose units a caller may count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from engine import case_codes, orgs, stats, stats_breakdown
from engine.errors import Forbidden, FormInvalid, NotFound
from engine.models import Case, ProcessVersion
from tests.helpers import deploy_fixture, small_org

RECEIVED = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)
YEAR = {"date_from": "2031-01-01", "date_to": "2031-12-31"}


@pytest.fixture
def org(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session)
    return units, users


def add_cases(session, unit, count: int = 1, **columns) -> list[int]:
    """``count`` cases received at ``unit`` (by default on 3 March 2031), with the given outcome columns."""
    pv = session.scalar(select(ProcessVersion.id))
    first = session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    county = case_codes.county_of(session, unit).id
    rows = [{"code": f"S-{first + n + 1}", "process_id": "p", "process_version_id": pv, "status": "open",
             "org_unit_id": unit.id, "title": "", "opened_by": "x", "opened_at": RECEIVED,
             "received_at": RECEIVED, "received_unit_id": unit.id, "county_id": county, "repeat_petition": False}
            | columns
            for n in range(count)]
    session.execute(insert(Case), rows)
    return list(session.scalars(select(Case.id).where(Case.id > first).order_by(Case.id)))


def resolved(tier="village", **more):
    return {"status": "closed", "outcome": "mediated", "resolved_at": RECEIVED + timedelta(days=1),
            "resolved_tier": tier, "resolve_seconds": 86400} | more


def test_1635_resolved_of_1725_received_is_94_78_percent(session, org):
    units, users = org
    add_cases(session, units["village"], 1635, **resolved())
    add_cases(session, units["village"], 90)
    out = stats.summary(session, users["staff"], **YEAR)
    assert (out["received"], out["resolved"], out["resolution_rate"]) == (1725, 1635, 94.78)


def test_percent_rounds_half_up_and_has_nothing_to_divide_by_nothing():
    assert stats.percent(1635, 1725) == 94.78
    assert stats.percent(1, 8) == 12.5 and stats.percent(1, 3) == 33.33 and stats.percent(2, 3) == 66.67
    assert stats.percent(1, 400) == 0.25 and stats.percent(1, 800) == 0.13  # 0.125 rounds up
    assert stats.percent(0, 0) is None


def test_each_rate_counts_what_its_definition_says(session, org):
    units, users = org
    town, village, grid = units["town"], units["village"], units["grid"]
    add_cases(session, grid, **resolved("grid", met_deadline=True, rating="满意", outcome="on_the_spot"))
    add_cases(session, village, **resolved("village", met_deadline=True, rating="基本满意",
                                           outcome="judicially_confirmed", resolve_seconds=3 * 86400))
    add_cases(session, village, **resolved("village", met_deadline=False, rating="不满意", repeat_petition=True))
    add_cases(session, town, **resolved("town", met_deadline=None))
    add_cases(session, town, status="closed", outcome="litigation", repeat_petition=True, orders_dispatched=2)
    add_cases(session, town, orders_dispatched=1, orders_closed=1)  # still open
    out = stats.summary(session, users["staff"], **YEAR)
    assert (out["received"], out["resolved"], out["resolution_rate"]) == (6, 4, 66.67)
    assert out["resolved_by_tier"] == {"grid": 1, "town": 1, "village": 2}
    assert (out["grassroots"], out["grassroots_share"]) == (3, 75.0)
    assert (out["on_time"], out["with_deadline"], out["on_time_rate"]) == (2, 3, 66.67)
    assert out["average_days_to_resolve"] == 1.5  # (1 + 3 + 1 + 1) days ÷ 4
    assert (out["satisfied"], out["visited"], out["satisfaction_rate"]) == (2, 3, 66.67)
    # as the engine counts them per case (tests/processes/test_outcome_scenarios.py)
    assert (out["orders_closed"], out["orders_dispatched"], out["order_closure_rate"]) == (1, 3, 33.33)
    assert (out["litigation"], out["judicial_confirmations"], out["repeat_petitions"]) == (1, 1, 2)
    assert out["outcomes"] == {"mediated": 2, "on_the_spot": 1, "judicially_confirmed": 1, "litigation": 1,
                               "withdrawn": 0, "not_accepted": 0}


def test_no_cases_give_no_rates(session, org):
    out = stats.summary(session, org[1]["staff"], **YEAR)
    assert out["received"] == 0 and out["resolution_rate"] is None and out["average_days_to_resolve"] is None


def test_the_period_is_in_local_dates_and_counts_cases_by_receipt(session, org):
    units, users = org
    late_on_new_year = datetime(2031, 1, 1, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    add_cases(session, units["village"], received_at=late_on_new_year)
    add_cases(session, units["village"], received_at=late_on_new_year + timedelta(minutes=1))  # 2 January
    add_cases(session, units["village"], received_at=datetime(2030, 12, 31, 16, 0, tzinfo=UTC),  # 1 January
              **resolved(resolved_at=datetime(2031, 6, 1, tzinfo=UTC)))
    day = stats.summary(session, users["staff"], date_from="2031-01-01", date_to="2031-01-01")
    assert (day["received"], day["resolved"]) == (2, 1)  # resolved in June, counted with its receipt
    assert day["period"] == {"from": "2031-01-01", "to": "2031-01-01"}
    assert stats.summary(session, users["staff"], date_from="2031-01-02", date_to="2031-01-31")["received"] == 1


def test_dispute_type_narrows_the_cases(session, org):
    units, users = org
    add_cases(session, units["village"], 2, dispute_type="邻里纠纷", **resolved())
    add_cases(session, units["village"], 3, dispute_type="劳动争议")
    out = stats.summary(session, users["staff"], dispute_type="邻里纠纷", **YEAR)
    assert (out["received"], out["resolution_rate"]) == (2, 100.0)


def test_town_staff_count_their_town_only_and_admins_everything(session, org):
    units, users = org
    add_cases(session, units["grid"], 2, **resolved("grid"))
    add_cases(session, units["other_town"], 5)
    add_cases(session, units["county"], 1)
    assert stats.summary(session, users["staff"], **YEAR)["received"] == 2
    assert stats.summary(session, users["other_staff"], **YEAR)["received"] == 5
    assert stats.summary(session, users["leader"], **YEAR)["received"] == 8
    assert stats.summary(session, users["admin"], **YEAR)["received"] == 8
    assert stats.summary(session, users["leader"], unit_code="town-2", **YEAR)["received"] == 5
    assert stats.summary(session, users["staff"], unit_code="village-1", **YEAR)["received"] == 2
    with pytest.raises(Forbidden):
        stats.summary(session, users["staff"], unit_code="town-2", **YEAR)
    with pytest.raises(NotFound):
        stats.summary(session, users["staff"], unit_code="nowhere", **YEAR)


@pytest.mark.parametrize("who", ["grid_worker", "mediator", "designer"])
def test_only_centre_staff_leaders_and_admins_read_figures(session, org, who):
    with pytest.raises(Forbidden):
        stats.summary(session, org[1][who], **YEAR)


@pytest.mark.parametrize(("filters", "field"), [
    ({"date_from": "2031-13-01"}, "from"), ({"date_to": "31/12/2031"}, "to"), ({"date_from": "0001-01-01"}, "from"),
    ({"date_from": "2031-02-01", "date_to": "2031-01-31"}, "to"),
])
def test_bad_dates_are_refused_naming_the_field(session, org, filters, field):
    with pytest.raises(FormInvalid) as err:
        stats.summary(session, org[1]["staff"], **filters)
    assert list(err.value.fields) == [field]


def test_breakdowns_give_the_same_figures_per_group(session, org):
    units, users = org
    add_cases(session, units["grid"], 3, channel="网格巡查", dispute_type="邻里纠纷",
              **resolved("grid", received_at=datetime(2031, 1, 31, 16, 30, tzinfo=UTC)))  # 1 February locally
    add_cases(session, units["village"], 1, channel="窗口", dispute_type="劳动争议")
    month = stats_breakdown.breakdown(session, users["staff"], "month", **YEAR)["items"]
    assert [(i["key"], i["received"], i["resolution_rate"]) for i in month] == [("2031-02", 3, 100.0),
                                                                                ("2031-03", 1, 0.0)]
    unit = stats_breakdown.breakdown(session, users["staff"], "unit", **YEAR)["items"]
    assert [(i["key"], i["label"], i["received"]) for i in unit] == [("grid-1", "网格一", 3), ("village-1", "村一", 1)]
    tier = stats_breakdown.breakdown(session, users["staff"], "tier", **YEAR)["items"]
    assert [(i["key"], i["received"], i["resolved"]) for i in tier] == [("grid", 3, 3), (None, 1, 0)]
    channel = stats_breakdown.breakdown(session, users["staff"], "channel", **YEAR)["items"]
    assert [(i["key"], i["received"]) for i in channel] == [("窗口", 1), ("网格巡查", 3)]
    kinds = stats_breakdown.breakdown(session, users["other_staff"], "dispute_type", **YEAR)["items"]
    assert kinds == []  # another town's cases are not counted


def test_a_tree_without_a_county_is_counted_by_its_units(session, org):
    users = org[1]
    root = orgs.add_unit(session, "zone", "片区", "town")
    village = orgs.add_unit(session, "zone-v", "片区村", "village", root)
    add_cases(session, village, 2)
    add_cases(session, org[0]["village"], 1)
    assert stats.summary(session, users["admin"], unit_code="zone", **YEAR)["received"] == 2
    assert stats.summary(session, users["admin"], unit_code="zone-v", **YEAR)["received"] == 2
    assert stats.summary(session, users["admin"], unit_code="county", **YEAR)["received"] == 1
