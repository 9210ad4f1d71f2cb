"""The monthly analysis table (COLLECT): which rows flag a unit's dispute type, on both sides of each threshold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.decisions import HitPolicyEngine
from engine.spiff import ScriptEngine

from .conftest import library_parser

PARSER = library_parser()


def decide(**changes) -> tuple[list[str], dict]:
    data = dict(received=1, previous_received=0, rise_percent=None, resolution_rate=100.0, satisfaction_rate=None,
                major_cases=0, repeat_petitions=0) | changes
    engine = HitPolicyEngine(PARSER.get_engine("analysis_flags", None).decision_table)
    task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=ScriptEngine()))
    matched, outcome = engine.answer(task)
    return [r.id for r in matched], outcome


CASES = [
    ({}, [], {}),
    ({"received": 9}, [], {}),
    ({"received": 10}, ["analysis_flags_r1"], {"reason": ["frequent"], "due_days": [30]}),
    ({"previous_received": 3, "rise_percent": 50.0}, ["analysis_flags_r2"], {"reason": ["rising"], "due_days": [30]}),
    ({"previous_received": 3, "rise_percent": 49.99}, [], {}),
    ({"previous_received": 2, "rise_percent": 100.0}, [], {}),
    ({"received": 5, "resolution_rate": 59.99}, ["analysis_flags_r3"],
     {"reason": ["badly_handled"], "due_days": [15]}),
    ({"received": 4, "resolution_rate": 0.0}, [], {}),
    ({"received": 5, "resolution_rate": 60.0}, [], {}),
    ({"received": 5, "satisfaction_rate": 79.99}, ["analysis_flags_r4"],
     {"reason": ["badly_handled"], "due_days": [15]}),
    ({"received": 5, "satisfaction_rate": 80.0}, [], {}),
    ({"major_cases": 1}, ["analysis_flags_r5"], {"reason": ["wide_impact"], "due_days": [7]}),
    ({"repeat_petitions": 2}, ["analysis_flags_r6"], {"reason": ["wide_impact"], "due_days": [7]}),
    ({"repeat_petitions": 1}, [], {}),
    ({"received": 12, "previous_received": 4, "rise_percent": 200.0, "resolution_rate": 10.0, "major_cases": 2},
     ["analysis_flags_r1", "analysis_flags_r2", "analysis_flags_r3", "analysis_flags_r5"],
     {"reason": ["frequent", "rising", "badly_handled", "wide_impact"], "due_days": [30, 30, 15, 7]}),
]


@pytest.mark.parametrize("changes, rules, outcome", CASES)
def test_each_row_flags_on_its_side_of_the_threshold(changes, rules, outcome):
    assert decide(**changes) == (rules, outcome)


def test_every_row_has_a_case_and_the_table_collects():
    table = PARSER.get_engine("analysis_flags", None).decision_table
    assert table.hit_policy == "COLLECT"
    assert {r for _, rules, _ in CASES for r in rules} == {r.id for r in table.rules}
