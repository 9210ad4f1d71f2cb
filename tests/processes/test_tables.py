"""The decision tables, run with SpiffWorkflow's DMN engine against plain data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.spiff import ScriptEngine

from .conftest import library_parser

PARSER = library_parser()
SCRIPT_ENGINE = ScriptEngine()


def decide(table: str, **data) -> dict:
    engine = PARSER.get_engine(table, None)
    task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=SCRIPT_ENGINE))
    return engine.result(task)


def triage(dispute_type="其他", amount=0, party_count=2, risk_flags=()):
    return decide("triage", dispute_type=dispute_type, amount=amount, party_count=party_count,
                  risk_flags=list(risk_flags))


@pytest.mark.parametrize("kwargs, expected", [
    ({"risk_flags": ["群体性"]}, ("major", "county", True)),
    ({"risk_flags": ["极端"]}, ("major", "county", True)),
    ({"dispute_type": "征地拆迁"}, ("major", "county", True)),
    ({"amount": 2_000_000}, ("major", "county", True)),
    ({"risk_flags": ["重复信访"]}, ("complex", "town", False)),
    ({"dispute_type": "医疗纠纷"}, ("complex", "town", False)),
    ({"dispute_type": "邻里纠纷", "amount": 300}, ("ordinary", "grid", False)),
    ({"dispute_type": "邻里纠纷", "amount": 300, "party_count": 3}, ("ordinary", "village", False)),
    ({"dispute_type": "合同债务", "amount": 2000}, ("ordinary", "village", False)),
])
def test_triage(kwargs, expected):
    result = triage(**kwargs)
    assert (result["severity"], result["start_tier"], result["leader_required"]) == expected
    assert result["mediation_type"] in {"人民调解", "行政调解", "司法调解", "行业性专业性调解"}


def test_only_leader_cases_get_progress_reports():
    assert triage(risk_flags=["群体性"])["progress_cycle"].startswith("R12/")
    assert triage()["progress_cycle"].startswith("R0/")


@pytest.mark.parametrize("tier, severity, handling", [
    ("grid", "ordinary", "PT24H"), ("village", "ordinary", "PT24H"), ("village", "complex", "P3D"),
    ("town", "ordinary", "P3D"), ("town", "complex", "P30D"), ("town", "major", "P20D"),
    ("county", "major", "P90D"), ("county", "complex", "P20D"), ("city", "major", "P20D"),
])
def test_deadlines_follow_the_seeds(tier, severity, handling):
    result = decide("deadlines", tier=tier, severity=severity)
    assert result["handling_duration"] == handling
    assert result["acceptance_hours"] > 0 and result["max_dispatch_rounds"] >= 1


def test_escalation_climbs_grid_village_town_county_then_litigation():
    tier, seen = "grid", []
    while True:
        result = decide("escalation", tier=tier, order_outcome="failed", rounds_at_tier=1)
        seen.append((tier, result["next_action"]))
        if result["next_action"] != "escalate":
            break
        tier = result["next_tier"]
    assert seen == [("grid", "escalate"), ("village", "escalate"), ("town", "escalate"), ("county", "litigation")]


def test_escalation_closes_resolved_and_retries_an_unaccepted_order_once():
    assert decide("escalation", tier="town", order_outcome="resolved", rounds_at_tier=1)["next_action"] == "close"
    assert decide("escalation", tier="town", order_outcome="not_accepted", rounds_at_tier=1) == {
        "next_action": "retry", "next_tier": "town"}
    assert decide("escalation", tier="town", order_outcome="not_accepted", rounds_at_tier=2)["next_tier"] == "county"


@pytest.mark.parametrize("severity", ["ordinary", "complex", "major"])
@pytest.mark.parametrize("rating", ["满意", "基本满意", "不满意"])
def test_subsidy_is_at_most_500_and_none_when_dissatisfied(severity, rating):
    amount = decide("subsidy", severity=severity, rating=rating)["subsidy_amount"]
    assert 0 <= amount <= 500
    assert (amount == 0) == (rating == "不满意")


@pytest.mark.parametrize("rating, visit_round, follow", [
    ("满意", 1, False), ("基本满意", 1, True), ("不满意", 2, True), ("不满意", 3, False),
])
def test_follow_up_for_basically_satisfied_or_worse(rating, visit_round, follow):
    assert decide("follow_up", rating=rating, visit_round=visit_round)["follow_up_required"] is follow
