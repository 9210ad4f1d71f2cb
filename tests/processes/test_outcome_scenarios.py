"""How cases run through the library end up on their outcome columns (engine/outcome_columns.py) and in
the figures (engine/stats.py): each case counts once, where and when it was resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import outcomes, stats
from engine.errors import FormInvalid
from engine.models import OrgUnit, ledger

from . import steps
from .harness import START

TOWN, COUNTY = "441581-01", "441581"
YEAR = {"date_from": "2031-01-01", "date_to": "2031-12-31"}


def _unit(run, unit_id):
    return run.session.get(OrgUnit, unit_id).code


def _resolution(run):
    case = run.case
    return (case.outcome, case.resolved_tier, case.resolved_unit_id and _unit(run, case.resolved_unit_id))


def test_escalated_twice_and_resolved_at_the_town_counts_once_at_the_town(run_case):
    run = run_case()
    steps.intake(run, intake_channel="12345热线")
    assert run.value("start_tier") == "grid"
    steps.route(run)
    run.advance(hours=25)  # the grid runs out of its day: up to the village
    assert run.value("tier") == "village" and run.case.resolved_at is None
    steps.accept(run)
    steps.mediate(run, "failed")  # up to the town
    assert run.value("tier") == "town" and _resolution(run) == (None, None, None)
    steps.accept(run)
    steps.mediate(run, "agreed")
    run.advance(hours=2)
    steps.review_and_verify(run)
    resolved_at = START + timedelta(hours=27)
    assert _resolution(run) == ("mediated", "town", TOWN)
    stored = outcomes.read(outcomes.stored_data(run.case.state.state_json))  # what the migration reads
    assert (stored.outcome, stored.tier) == ("mediated", "town")
    assert run.case.resolved_at == resolved_at and run.case.status == "open"  # the return visit is still to come
    assert run.case.resolve_seconds == 27 * 3600
    assert run.case.met_deadline is True and run.case.met_tier_deadline is True
    run.advance(days=1)
    steps.return_visit(run, "基本满意")
    steps.follow_up(run)
    steps.return_visit(run, "满意")
    assert run.done and run.case.rating == "满意" and run.case.resolved_at == resolved_at
    assert outcomes.read(outcomes.stored_data(run.case.state.state_json)).rating == "满意"
    assert (run.case.received_at, _unit(run, run.case.received_unit_id)) == (START, TOWN)
    assert run.case.channel == "12345热线"
    figures = stats.summary(run.session, run.user("town_staff"), **YEAR)
    assert (figures["received"], figures["resolved"], figures["resolved_by_tier"]) == (1, 1, {"town": 1})
    assert (figures["grassroots"], figures["satisfaction_rate"], figures["on_time_rate"]) == (0, 100.0, 100.0)
    # the village's failed order and the town's resolved one: one of two closed
    assert (figures["orders_closed"], figures["orders_dispatched"]) == (1, 2)


def test_a_grid_settlement_confirmed_by_the_court_keeps_its_date_and_tier(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    steps.grid_handle(run, confirm=True)
    assert _resolution(run) == ("mediated", "grid", steps.GRID)
    first = run.case.resolved_at
    run.advance(days=2)
    run.complete("record_confirmation", confirmation_result="confirmed", ruling_no="(2031)粤1581民特1号",
                 decided_on="2031-03-05")
    assert _resolution(run) == ("judicially_confirmed", "grid", steps.GRID) and run.case.resolved_at == first
    steps.return_visit(run)
    assert run.done and stats.summary(run.session, run.user("town_staff"), **YEAR)["judicial_confirmations"] == 1


def test_a_refused_confirmation_then_litigation_is_not_resolved(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    steps.grid_handle(run, confirm=True)
    assert run.case.outcome == "mediated"
    run.complete("record_confirmation", confirmation_result="rejected", ruling_no="(2031)粤1581民特2号", decided_on="2031-03-05",
                 after_rejection="litigation")
    assert run.ready() == ["litigation_handoff"]
    assert (run.case.outcome, run.case.resolved_at, run.case.resolved_tier) == ("litigation", None, None)
    run.complete("litigation_handoff", litigation_route="仲裁", court_code=f"{COUNTY}-FY", handoff_date="2031-03-10")
    figures = stats.summary(run.session, run.user("county_staff"), **YEAR)
    assert (figures["received"], figures["resolved"], figures["litigation"]) == (1, 0, 1)


def test_a_patrol_report_settled_on_the_spot_counts_at_its_grid(run_case):
    run = run_case()
    steps.register(run, intake_channel="网格巡查")
    run.complete("resolve_on_spot", spot_resolved=True, actions_taken="当场疏通排水沟", photo_note="照片两张",
                 agreement_summary="双方同意轮流清理排水沟", agreement_form="口头协议")
    assert _resolution(run) == ("on_the_spot", "grid", steps.GRID)
    assert run.case.met_deadline is True and run.case.met_tier_deadline is None  # the grid's day is a timer
    figures = stats.summary(run.session, run.user("town_staff"), **YEAR)
    assert (figures["grassroots_share"], figures["repeat_petitions"]) == (100.0, 0)


def test_a_window_settlement_counts_at_the_centre_s_tier(run_case):
    run = run_case()
    steps.register(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID, risk_flags=["重复信访"])
    steps.assess(run)
    steps.plan(run, "窗口直办", plan_summary="当事人到窗口，当面调解")
    run.complete("window_handle", window_resolved=True, handling_notes="窗口当面调解", agreement_summary="三日内还款",
                 agreement_form="书面协议", performance_deadline="2031-03-06", request_judicial_confirmation=False)
    assert _resolution(run) == ("on_the_spot", "town", TOWN) and run.case.repeat_petition is True
    assert stats.summary(run.session, run.user("town_staff"), **YEAR)["repeat_petitions"] == 1


# -- cases that end without a resolution -----------------------------------------------------------
def _archive(run):
    return run.session.scalars(select(ledger.Archive).where(ledger.Archive.case_id == run.case_id)).one()


def _orders(run):
    return run.session.scalars(select(ledger.Order).where(ledger.Order.case_id == run.case_id)
                               .order_by(ledger.Order.id)).all()


def _not_counted_as_resolved(run):
    case = run.case
    return (case.resolved_at, case.resolved_tier, case.resolved_unit_id, case.met_deadline) == (None,) * 4


def test_a_matter_the_centre_does_not_accept_is_archived_and_closed_without_triage(run_case):
    run = run_case()
    steps.register(run, summary="双方借款纠纷已在法院立案")
    with pytest.raises(FormInvalid) as refused:  # not accepted without saying why
        steps.assess(run, acceptance="不予受理")
    assert "not_accepted_reason" in refused.value.fields
    run.session.rollback()
    steps.assess(run, acceptance="不予受理", not_accepted_reason="已进入诉讼或仲裁",
                 assessment_notes="当事人已向县法院起诉，告知其按诉讼程序处理")
    assert run.done and run.ready() == []
    assert run.path()[-3:] == ["gw_accepted", "archive_not_accepted", "end_not_accepted"]
    assert "triage" not in run.path() and run.value("case_status") == "closed"
    assert run.case.outcome == "not_accepted" and _not_counted_as_resolved(run)
    assert _orders(run) == []
    archive = _archive(run)
    assert (archive.outcome, archive.summary["reason"]) == ("not_accepted", "已进入诉讼或仲裁")
    assert [e.kind for e in run.events()][-2:] == ["service_called", "case_closed"]
    completed = run.events("task_completed")[-1].detail
    assert (completed["task"], completed["data"]["acceptance"]) == ("assess", "不予受理")
    figures = stats.summary(run.session, run.user("town_staff"), **YEAR)
    assert (figures["received"], figures["resolved"], figures["outcomes"]["not_accepted"]) == (1, 0, 1)


def test_an_accepted_matter_goes_on_to_triage(run_case):
    run = run_case()
    steps.register(run)
    steps.assess(run)
    assert run.ready() == ["plan"] and "archive_not_accepted" not in run.path()
    assert run.case.outcome is None


def _withdraw(run):
    with pytest.raises(FormInvalid) as refused:  # a withdrawal without its reason
        steps.mediate(run, "withdrawn")
    assert "withdrawal_reason" in refused.value.fields
    run.session.rollback()
    run.complete("mediate", mediation_result="withdrawn", sessions=1, mediation_notes="",
                 withdrawal_reason="双方已自行和解，申请人撤回申请")
    return run


def test_an_application_withdrawn_at_the_village_ends_the_case_without_escalation(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    assert run.where() == ("village", steps.VILLAGE)
    _withdraw(run)
    assert run.done and run.ready() == []
    assert (run.value("order_outcome"), run.value("next_action")) == ("withdrawn", "withdrawn")
    assert run.where() == ("village", steps.VILLAGE) and run.moves() == [(TOWN, steps.VILLAGE)]
    assert run.case.outcome == "withdrawn" and _not_counted_as_resolved(run)
    assert run.value("case_status") == "closed"
    path = run.path()
    assert path.count("escalation") == 1 and path[-2:] == ["archive_withdrawn", "end_withdrawn"]
    for skipped in ("review_order", "jc_request", "return_visits", "find_mediator", "archive_case"):
        assert skipped not in path
    [order] = _orders(run)
    assert (order.status, order.closed_at) == ("withdrawn", run.now)
    event = run.session.scalars(select(ledger.OrderEvent).where(ledger.OrderEvent.order_id == order.id)
                                .order_by(ledger.OrderEvent.id)).all()[-1]
    assert (event.kind, event.detail) == ("withdrawn", {"reason": "双方已自行和解，申请人撤回申请"})
    archive = _archive(run)
    assert (archive.outcome, archive.summary["reason"], archive.summary["tier"]) == (
        "withdrawn", "双方已自行和解，申请人撤回申请", "village")
    assert [e.kind for e in run.events()][-1] == "case_closed"
    figures = stats.summary(run.session, run.user("town_staff"), **YEAR)
    assert (figures["resolved"], figures["outcomes"]["withdrawn"]) == (0, 1)
    assert (figures["orders_closed"], figures["orders_dispatched"]) == (0, 1)


def test_an_application_withdrawn_at_the_town_after_an_escalation_stays_at_the_town(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run, "failed")  # the village cannot settle it: up to the town
    assert run.where() == ("town", TOWN)
    steps.accept(run)
    _withdraw(run)
    assert run.done and run.where() == ("town", TOWN)
    assert run.case.outcome == "withdrawn" and _not_counted_as_resolved(run)
    assert [o.status for o in _orders(run)] == ["failed", "withdrawn"]
    assert [d["next_action"] for d in run.data_of("escalation")] == ["escalate", "withdrawn"]
    assert _archive(run).summary["tier"] == "town"
