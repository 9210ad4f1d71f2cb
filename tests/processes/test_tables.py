"""The decision tables, run with the engine's DMN evaluation against plain data, row by row.

Each table lists, per rule, an input that reaches it and the rule's exact outputs. Where rows
overlap, the input also satisfies later rows with other outputs, so moving a row changes the
answer; thresholds are checked on both sides. Every rule of every table in processes/ must be
listed here: a new row without its case fails ``test_every_rule_has_a_case``.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from engine.decisions import HitPolicyEngine
from engine.spiff import ScriptEngine
from engine.timers import duration_from

from .conftest import PROCESSES, library_parser

PARSER = library_parser()
SCRIPT_ENGINE = ScriptEngine()


def decide(table: str, **data) -> tuple[str, dict]:
    """The id of the rule that answers and its outputs."""
    engine = HitPolicyEngine(PARSER.get_engine(table, None).decision_table)
    task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=SCRIPT_ENGINE))
    rules = engine.decide(task)
    return (rules[0].id if rules else None), engine.result(task)


def triage_in(dispute_type="其他", amount=0, party_count=2, risk_flags=()) -> dict:
    """Triage data with ``party_count`` parties: the table counts the parties list itself."""
    parties = [{"name": f"当事人{n}", "role": "申请人", "phone": "13800138000"} for n in range(party_count)]
    return dict(dispute_type=dispute_type, amount=amount, parties=parties, risk_flags=list(risk_flags))


def triage_out(severity, start_tier, leader_required, mediation_type, progress_cycle) -> dict:
    return dict(severity=severity, start_tier=start_tier, leader_required=leader_required,
                mediation_type=mediation_type, progress_cycle=progress_cycle)


LEADER, NO_LEADER = ("county", True), ("town", False)
TRIAGE = [
    ("triage_r1", triage_in("征地拆迁", 2_000_000, 40, ["群体性", "极端"]),
     triage_out("major", *LEADER, "行政调解", "R12/P7D")),
    ("triage_r2", triage_in("征地拆迁", 2_000_000, 40, ["极端", "重复信访"]),
     triage_out("major", *LEADER, "人民调解", "R12/P7D")),
    ("triage_r3", triage_in("征地拆迁", 2_000_000, 40), triage_out("major", *LEADER, "行政调解", "R12/P7D")),
    ("triage_r4", triage_in(amount=1_000_000, party_count=30), triage_out("major", *LEADER, "司法调解", "R12/P7D")),
    ("triage_r5", triage_in(party_count=30, risk_flags=["重复信访"]),
     triage_out("major", *LEADER, "行政调解", "R12/P7D")),
    ("triage_r6", triage_in(amount=100_000, risk_flags=["重复信访"]),
     triage_out("complex", *NO_LEADER, "行政调解", "R0/P7D")),
    ("triage_r7", triage_in(amount=999_999, party_count=29), triage_out("complex", *NO_LEADER, "司法调解", "R0/P7D")),
    ("triage_r7", triage_in(amount=100_000), triage_out("complex", *NO_LEADER, "司法调解", "R0/P7D")),
    ("triage_r8", triage_in("医疗纠纷", 99_999, 5), triage_out("complex", *NO_LEADER, "人民调解", "R0/P7D")),
    ("triage_r9", triage_in("医疗纠纷", party_count=4),
     triage_out("complex", *NO_LEADER, "行业性专业性调解", "R0/P7D")),
    ("triage_r9", triage_in("劳动争议"), triage_out("complex", *NO_LEADER, "行业性专业性调解", "R0/P7D")),
    ("triage_r9", triage_in("交通事故"), triage_out("complex", *NO_LEADER, "行业性专业性调解", "R0/P7D")),
    ("triage_r9", triage_in("物业纠纷"), triage_out("complex", *NO_LEADER, "行业性专业性调解", "R0/P7D")),
    ("triage_r10", triage_in("邻里纠纷", 4999, 2), triage_out("ordinary", "grid", False, "人民调解", "R0/P7D")),
    ("triage_r10", triage_in("婚姻家庭", 0, 1), triage_out("ordinary", "grid", False, "人民调解", "R0/P7D")),
    ("triage_r11", triage_in("邻里纠纷", 5000, 2), triage_out("ordinary", "village", False, "人民调解", "R0/P7D")),
    ("triage_r11", triage_in("邻里纠纷", 300, 3), triage_out("ordinary", "village", False, "人民调解", "R0/P7D")),
    ("triage_r11", triage_in("合同债务", 99_999, 4), triage_out("ordinary", "village", False, "人民调解", "R0/P7D")),
]


def deadlines_out(acceptance_hours, handling, reminder, overdue, dispatch_rounds, verify_rounds,
                  stages=("P2D", "P5D", "P1D")) -> dict:
    review, verify, answer = stages
    return dict(acceptance_hours=acceptance_hours, handling_duration=handling, reminder_interval=reminder,
                overdue_limit=overdue, max_dispatch_rounds=dispatch_rounds, max_verify_rounds=verify_rounds,
                review_duration=review, verify_duration=verify, supervision_answer_duration=answer)


TWENTY_DAYS = deadlines_out(24, "P20D", "P3D", "P25D", 2, 2)
VILLAGE = ("P1D", "P2D", "P1D")
DEADLINES = [
    ("deadlines_r1", dict(tier="grid", severity="major"),
     deadlines_out(1, "PT24H", "PT4H", "PT24H", 1, 1, ("PT24H", "PT24H", "PT12H"))),
    ("deadlines_r2", dict(tier="village", severity="ordinary"),
     deadlines_out(2, "PT24H", "PT4H", "PT48H", 2, 2, ("PT24H", "PT48H", "PT12H"))),
    ("deadlines_r3", dict(tier="village", severity="complex"), deadlines_out(4, "P3D", "PT12H", "P5D", 2, 2, VILLAGE)),
    ("deadlines_r3", dict(tier="village", severity="major"), deadlines_out(4, "P3D", "PT12H", "P5D", 2, 2, VILLAGE)),
    ("deadlines_r4", dict(tier="town", severity="ordinary"),
     deadlines_out(8, "P3D", "P1D", "P5D", 2, 2, ("P1D", "P3D", "P1D"))),
    ("deadlines_r5", dict(tier="town", severity="complex"),
     deadlines_out(24, "P30D", "P7D", "P40D", 2, 2, ("P3D", "P7D", "P2D"))),
    ("deadlines_r6", dict(tier="town", severity="major"), deadlines_out(24, "P20D", "P3D", "P25D", 2, 2,
                                                                        ("P1D", "P3D", "P1D"))),
    ("deadlines_r7", dict(tier="county", severity="major"),
     deadlines_out(24, "P90D", "P7D", "P100D", 3, 3, ("P3D", "P7D", "P2D"))),
    ("deadlines_r8", dict(tier="county", severity="complex"), deadlines_out(24, "P30D", "P7D", "P40D", 2, 2)),
    ("deadlines_r9", dict(tier="county", severity="ordinary"), TWENTY_DAYS),
    ("deadlines_r10", dict(tier="city", severity="major"), TWENTY_DAYS),
]

CASE_DEADLINE = [
    ("case_deadline_r1", dict(severity="major"), dict(case_duration="P90D")),
    ("case_deadline_r2", dict(severity="complex"), dict(case_duration="P30D")),
    ("case_deadline_r3", dict(severity="ordinary"), dict(case_duration="P3D")),
    ("case_deadline_r4", dict(severity=None), dict(case_duration="P20D")),
]


def escalation_in(tier, order_outcome, rounds_at_tier=1) -> dict:
    return dict(tier=tier, order_outcome=order_outcome, rounds_at_tier=rounds_at_tier)


ESCALATION = [
    ("escalation_r1", escalation_in("county", "resolved", 5), dict(next_action="close", next_tier="county")),
    ("escalation_r1", escalation_in("grid", "resolved"), dict(next_action="close", next_tier="grid")),
    ("escalation_r2", escalation_in("village", "withdrawn"), dict(next_action="withdrawn", next_tier="village")),
    ("escalation_r2", escalation_in("county", "withdrawn", 3), dict(next_action="withdrawn", next_tier="county")),
    ("escalation_r3", escalation_in("town", "not_accepted", 1), dict(next_action="retry", next_tier="town")),
    ("escalation_r4", escalation_in("grid", "not_accepted", 2), dict(next_action="escalate", next_tier="village")),
    ("escalation_r4", escalation_in("grid", "failed"), dict(next_action="escalate", next_tier="village")),
    ("escalation_r5", escalation_in("village", "timeout"), dict(next_action="escalate", next_tier="town")),
    ("escalation_r6", escalation_in("town", "unverified"), dict(next_action="escalate", next_tier="county")),
    ("escalation_r6", escalation_in("town", "not_accepted", 2), dict(next_action="escalate", next_tier="county")),
    ("escalation_r7", escalation_in("county", "failed"), dict(next_action="litigation", next_tier="county")),
    ("escalation_r8", escalation_in("city", "failed"), dict(next_action="litigation", next_tier="city")),
]

FOLLOW_UP_REASON = "回访评价为{}，请责任单位跟踪管理、督促协议履行"
NOT_FULFILLED = dict(follow_up_required=True, follow_up_reason="协议未履行，请责任单位督促履行 The agreement is not fulfilled")
FOLLOW_UP = [
    ("follow_up_r1", dict(rating="满意", visit_round=2, agreement_fulfilled=False), NOT_FULFILLED),
    ("follow_up_r1", dict(rating="不满意", visit_round=1, agreement_fulfilled=False), NOT_FULFILLED),
    ("follow_up_r2", dict(rating="满意", visit_round=5, agreement_fulfilled=True),
     dict(follow_up_required=False, follow_up_reason="")),
    ("follow_up_r2", dict(rating="满意", visit_round=3, agreement_fulfilled=False),
     dict(follow_up_required=False, follow_up_reason="")),
    ("follow_up_r3", dict(rating="基本满意", visit_round=1, agreement_fulfilled=True),
     dict(follow_up_required=True, follow_up_reason=FOLLOW_UP_REASON.format("基本满意"))),
    ("follow_up_r3", dict(rating="不满意", visit_round=2, agreement_fulfilled=True),
     dict(follow_up_required=True, follow_up_reason=FOLLOW_UP_REASON.format("不满意"))),
    ("follow_up_r4", dict(rating="不满意", visit_round=3, agreement_fulfilled=False),
     dict(follow_up_required=False, follow_up_reason="回访次数已满 visits exhausted")),
    ("follow_up_r4", dict(rating="未回访", visit_round=1, agreement_fulfilled=True),
     dict(follow_up_required=False, follow_up_reason="回访次数已满 visits exhausted")),
]

SUBSIDY = [
    ("subsidy_r1", dict(severity="major", rating="满意", gold=True), dict(subsidy_amount=500)),
    ("subsidy_r2", dict(severity="major", rating="满意", gold=False), dict(subsidy_amount=400)),
    ("subsidy_r3", dict(severity="major", rating="基本满意", gold=True), dict(subsidy_amount=350)),
    ("subsidy_r4", dict(severity="major", rating="基本满意", gold=False), dict(subsidy_amount=300)),
    ("subsidy_r5", dict(severity="complex", rating="满意", gold=True), dict(subsidy_amount=350)),
    ("subsidy_r6", dict(severity="complex", rating="满意", gold=False), dict(subsidy_amount=300)),
    ("subsidy_r7", dict(severity="complex", rating="基本满意", gold=True), dict(subsidy_amount=250)),
    ("subsidy_r8", dict(severity="complex", rating="基本满意", gold=False), dict(subsidy_amount=200)),
    ("subsidy_r9", dict(severity="ordinary", rating="满意", gold=True), dict(subsidy_amount=150)),
    ("subsidy_r10", dict(severity="ordinary", rating="满意", gold=False), dict(subsidy_amount=100)),
    ("subsidy_r11", dict(severity="ordinary", rating="基本满意", gold=True), dict(subsidy_amount=80)),
    ("subsidy_r12", dict(severity="ordinary", rating="基本满意", gold=False), dict(subsidy_amount=50)),
    ("subsidy_r13", dict(severity="major", rating="不满意", gold=True), dict(subsidy_amount=0)),
    ("subsidy_r13", dict(severity="complex", rating="不满意", gold=False), dict(subsidy_amount=0)),
    ("subsidy_r13", dict(severity="ordinary", rating="满意", gold=None), dict(subsidy_amount=0)),
    ("subsidy_r13", dict(severity=None, rating="满意", gold=True), dict(subsidy_amount=0)),
]

# Risk early warning's thresholds (engine/risks.py): one row per rule, nothing else matches.
RISK_RULES = [
    ("risk_rules_r1", dict(rule="repeat_party"), dict(window_days=90, threshold=3, minimum=3, severity="high")),
    ("risk_rules_r2", dict(rule="mass_dispute"), dict(window_days=90, threshold=10, minimum=1, severity="high")),
    ("risk_rules_r3", dict(rule="extreme_person"), dict(window_days=90, threshold=1, minimum=1, severity="critical")),
    ("risk_rules_r4", dict(rule="overdue_tiers"), dict(window_days=365, threshold=2, minimum=1, severity="medium")),
    ("risk_rules_r5", dict(rule="rising_type"), dict(window_days=30, threshold=1.5, minimum=3, severity="medium")),
    ("risk_rules_r6", dict(rule="repeat_address"), dict(window_days=90, threshold=3, minimum=3, severity="medium")),
]

TABLES = {"triage": TRIAGE, "deadlines": DEADLINES, "case_deadline": CASE_DEADLINE, "escalation": ESCALATION,
          "follow_up": FOLLOW_UP, "subsidy": SUBSIDY, "risk_rules": RISK_RULES}
# Tables that one row per input value answers (UNIQUE); the others rely on row order.
UNIQUE_TABLES = {"risk_rules"}
CASES = [pytest.param(table, rule, inputs, outputs, id=f"{rule}-{n}")
         for table, rows in TABLES.items() for n, (rule, inputs, outputs) in enumerate(rows)]


@pytest.mark.parametrize("table, rule, inputs, outputs", CASES)
def test_each_rule_gives_exactly_its_outputs(table, rule, inputs, outputs):
    assert decide(table, **inputs) == (rule, outputs)


def test_every_table_is_listed():
    # analysis_flags collects every matching row: its cases are in test_analysis_flags_table.py.
    assert {p.stem for p in PROCESSES.glob("*.dmn")} == set(TABLES) | {"analysis_flags"}


@pytest.mark.parametrize("table", TABLES)
def test_every_rule_has_a_case(table):
    rules = [r.id for r in PARSER.get_engine(table, None).decision_table.rules]
    assert {rule for rule, _, _ in TABLES[table]} == set(rules)


@pytest.mark.parametrize("table", sorted(set(TABLES) - UNIQUE_TABLES))
def test_library_tables_rely_on_row_order_and_declare_first(table):
    """Inputs listed here match several rows (a catch-all after specific ones): the table means FIRST."""
    declared = PARSER.get_engine(table, None).decision_table
    every_match = HitPolicyEngine(copy.copy(declared))
    every_match.decision_table.hit_policy = "COLLECT"
    workflow = SimpleNamespace(script_engine=SCRIPT_ENGINE)
    overlapping = [inputs for _, inputs, _ in TABLES[table]
                   if len(every_match.decide(SimpleNamespace(data=inputs, workflow=workflow))) > 1]
    assert overlapping and declared.hit_policy == "FIRST"


def test_the_risk_rules_answer_each_rule_once_and_nothing_else():
    assert PARSER.get_engine("risk_rules", None).decision_table.hit_policy == "UNIQUE"
    assert decide("risk_rules", rule="something else") == (None, {})


def test_escalation_climbs_grid_village_town_county_then_litigation():
    tier, seen = "grid", []
    while True:
        _, result = decide("escalation", **escalation_in(tier, "failed"))
        seen.append((tier, result["next_action"]))
        if result["next_action"] != "escalate":
            break
        tier = result["next_tier"]
    assert seen == [("grid", "escalate"), ("village", "escalate"), ("town", "escalate"), ("county", "litigation")]


@pytest.mark.parametrize("tier", ["grid", "village", "town", "county"])
def test_a_withdrawal_ends_the_rounds_at_any_tier_and_never_escalates(tier):
    for rounds in (1, 2, 5):
        _, result = decide("escalation", **escalation_in(tier, "withdrawn", rounds))
        assert result == {"next_action": "withdrawn", "next_tier": tier}


@pytest.mark.parametrize("severity", ["ordinary", "complex", "major"])
def test_no_deadline_shrinks_as_a_case_climbs_the_tiers(severity):
    """For each severity, every tier up the escalation path gives at least the time the one below gave."""
    start = datetime(2031, 3, 3, tzinfo=UTC)
    seen = []
    for tier in ("grid", "village", "town", "county"):
        _, out = decide("deadlines", tier=tier, severity=severity)
        seen.append(tuple(start + duration_from(out[key], start) for key in ("handling_duration", "overdue_limit")))
    for below, above in zip(seen, seen[1:], strict=False):
        assert above[0] >= below[0] and above[1] >= below[1], (severity, seen)
    assert all(due <= limit for due, limit in seen)


def test_gold_mediators_get_more_and_nobody_more_than_500_yuan():
    for severity in ("major", "complex", "ordinary"):
        for rating in ("满意", "基本满意"):
            gold, other = (decide("subsidy", severity=severity, rating=rating, gold=g)[1]["subsidy_amount"]
                           for g in (True, False))
            assert 0 < other < gold <= 500
