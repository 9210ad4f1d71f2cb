"""What the dashboard gathers: the engine's summary and breakdowns as they are, the units the filter
offers (the user's own subtree, two levels deep) and the dispute types of the other filters' cases."""

from __future__ import annotations

import pytest

from engine import dashboard, orgs, stats, stats_breakdown
from engine.errors import Forbidden
from tests.engine.test_stats import YEAR, add_cases, org, resolved  # noqa: F401


def test_the_figures_are_the_summary_and_every_breakdown(session, org):  # noqa: F811
    units, users = org
    add_cases(session, units["grid"], 2, dispute_type="邻里纠纷", **resolved("grid"))
    add_cases(session, units["other_town"], 1, dispute_type="合同债务")
    out = dashboard.dashboard(session, users["leader"], **YEAR)
    assert out["summary"] == stats.summary(session, users["leader"], **YEAR)
    for by in stats_breakdown.BY:
        assert out["breakdowns"][by] == stats_breakdown.breakdown(session, users["leader"], by, **YEAR)["items"]
    assert out["period"] == {"from": "2031-01-01", "to": "2031-12-31"}
    assert out["dispute_types"] == ["合同债务", "邻里纠纷"]


def test_the_dispute_types_ignore_the_type_chosen_but_keep_the_other_filters(session, org):  # noqa: F811
    units, users = org
    add_cases(session, units["village"], dispute_type="邻里纠纷")
    add_cases(session, units["other_town"], dispute_type="合同债务")
    assert dashboard.dispute_types(session, users["leader"], **YEAR, dispute_type="邻里纠纷") == ["合同债务", "邻里纠纷"]
    assert dashboard.dispute_types(session, users["staff"], **YEAR) == ["邻里纠纷"]  # the other town's are not theirs
    assert dashboard.dispute_types(session, users["staff"], **YEAR, dispute_type="婚姻家庭") == ["邻里纠纷", "婚姻家庭"]


def test_the_units_offered_are_the_users_own_two_levels_down(session, org):  # noqa: F811
    units, users = org
    codes = [u["code"] for u in dashboard.unit_choices(session, users["leader"])]
    assert codes[0] == "county" and "town-1" in codes and "village-1" in codes and "grid-1" not in codes
    town = dashboard.unit_choices(session, users["staff"])
    assert [(u["code"], u["level"]) for u in town] == [("town-1", 0), ("village-1", 1), ("grid-1", 2)]
    orgs.add_unit(session, "dept", "局", "department", units["county"])
    admin = [u["code"] for u in dashboard.unit_choices(session, users["admin"], chosen="grid-1")]
    assert "dept" not in admin and "grid-1" in admin  # the chosen unit is listed even below the two levels


def test_only_the_readers_of_the_figures_may_open_it(session, org):  # noqa: F811
    _, users = org
    for who in ("mediator", "grid_worker", "designer"):
        with pytest.raises(Forbidden):
            dashboard.dashboard(session, users[who], **YEAR)
