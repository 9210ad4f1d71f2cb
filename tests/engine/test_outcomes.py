"""The outcome rules: the first row the case's data satisfies names how the case ended."""

from __future__ import annotations

import json

import pytest

from engine import outcomes


@pytest.mark.parametrize(("data", "outcome"), [
    ({"next_action": "litigation", "confirmation_result": "rejected"}, "litigation"),
    ({"next_action": "close", "confirmation_result": "confirmed"}, "judicially_confirmed"),
    ({"settled_directly": True, "spot_resolved": True}, "on_the_spot"),
    ({"settled_directly": True, "spot_resolved": False, "window_resolved": True}, "on_the_spot"),
    ({"settled_directly": False, "spot_resolved": True, "next_action": "retry"}, None),  # sent back by the court
    ({"next_action": "close"}, "mediated"),
    ({"acceptance": "不予受理", "risk_flags": []}, "not_accepted"),
    ({"acceptance": "受理", "next_action": "withdrawn", "tier": "town"}, "withdrawn"),
    ({"acceptance": "受理", "next_action": "escalate", "mediation_result": "withdrawn"}, None),  # not ended yet
    ({"next_action": "escalate"}, None),
    ({}, None),
])
def test_the_first_matching_rule_names_the_outcome(data, outcome):
    assert outcomes.read(data).outcome == outcome


def test_every_rule_names_a_known_outcome_and_resolved_ones_are_known():
    assert {r.outcome for r in outcomes.RULES} <= set(outcomes.OUTCOMES)
    assert set(outcomes.RESOLVED) <= set(outcomes.OUTCOMES)


def test_every_outcome_has_a_rule_and_withdrawn_or_not_accepted_cases_are_not_resolved():
    assert {r.outcome for r in outcomes.RULES} == set(outcomes.OUTCOMES)
    assert not {"withdrawn", "not_accepted", "litigation"} & set(outcomes.RESOLVED)


def test_a_reading_keeps_only_what_the_columns_can_hold():
    reading = outcomes.read({"intake_channel": "窗" * 50, "rating": "很好", "risk_flags": "重复信访",
                             "tier": 3, "received_at": "2031-03-03T01:00:00+00:00"})
    assert len(reading.channel) == 40 and reading.rating is None and reading.repeat_petition is False
    assert reading.tier is None and outcomes.parse_time(reading.received_at).hour == 1
    assert outcomes.parse_time("not a time") is None and outcomes.parse_time("2031-03-03T01:00:00").tzinfo


def _task(state, changed, parent=None, **data):
    if parent is None:
        return {"state": state, "last_state_change": changed, "parent": None, "data": data}
    return {"state": state, "last_state_change": changed, "parent": parent, "data": {},
            "delta": {"updates": data, "deletions": data.pop("_deleted", [])}}


def test_stored_data_is_the_newest_ready_task_s_else_the_last_task_s_replayed_from_its_ancestors():
    waiting = {"tasks": {"a": _task(64, 1.0, tier="grid", rating="满意"), "b": _task(16, 2.0, "a", tier="village")},
               "last_task": "a",
               "subprocesses": {"s": {"tasks": {
                   "r": _task(64, 2.5, tier="town", next_action="escalate", rating="满意"),
                   "c": _task(64, 2.6, "r", next_action="close", _deleted=["rating"]),
                   "d": _task(16, 3.0, "c")}}}}
    assert outcomes.stored_data(json.dumps(waiting)) == {"tier": "town", "next_action": "close"}
    ended = {"tasks": {"a": _task(64, 1.0, tier="grid"), "z": _task(64, 9.0, "a", tier="county", rating="满意")},
             "last_task": "z", "subprocesses": {}}
    assert outcomes.stored_data(json.dumps(ended)) == {"tier": "county", "rating": "满意"}
    assert outcomes.stored_data(json.dumps({"tasks": {}, "data": {"tier": "x"}})) == {"tier": "x"}
