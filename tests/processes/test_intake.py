"""一站式受理: each channel's way in. A grid worker settles a small dispute in the same visit (即采即办),
a clerk settles one at the centre's window (窗口直办), a joint consultation (联席会商) sends an order to
each named department and the lead department's result decides the round."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import FormInvalid
from engine.models import ledger

from . import steps

TOWN, COUNTY = "441581-01", "441581"
POLICE, HOUSING, COURT = "441581-GA", "441581-ZJ", "441581-FY"


def _orders(run):
    return list(run.session.scalars(select(ledger.Order).where(ledger.Order.case_id == run.case_id)
                                    .order_by(ledger.Order.id)))


def _archive(run):
    return run.session.scalars(select(ledger.Archive).where(ledger.Archive.case_id == run.case_id)).one()


def _patrol_report(run, **over):
    return steps.register(run, intake_channel="网格巡查", **over)


def _on_the_spot(run, resolved=True):
    data = {"spot_resolved": resolved, "actions_taken": "当场疏通排水沟", "photo_note": "疏通前后照片两张，存网格员手机"}
    if resolved:
        data |= {"agreement_summary": "双方同意轮流清理排水沟", "agreement_form": "口头协议"}
    return run.complete("resolve_on_spot", **data)


# -- 即采即办 -------------------------------------------------------------------------------------
def test_grid_worker_settles_a_small_patrol_report_in_the_same_visit(run_case):
    run = run_case("grid_worker")
    _patrol_report(run)
    assert (run.value("severity"), run.value("tier")) == ("ordinary", "grid")
    assert run.ready() == ["resolve_on_spot"]
    assert run.offered_to("resolve_on_spot") == ("grid_worker", steps.GRID, "grid_worker")
    _on_the_spot(run)
    assert run.ready() == ["return_visit"]
    steps.return_visit(run)
    assert run.done and run.value("case_status") == "closed"
    assert ("resolve_on_spot", "grid_worker") in run.worked
    path = run.path()
    assert "spot_triage" in path
    for skipped in ("assess", "plan", "route", "tier_rounds", "agreement", "jc_request", "record_subsidy"):
        assert skipped not in path, skipped
    assert "dispatch_order" not in run.operators() and _orders(run) == []
    archive = _archive(run)
    assert (archive.outcome, archive.summary["tier"]) == ("resolved", "grid")
    assert archive.summary["agreement"] == "双方同意轮流清理排水沟"
    assert run.value("reported_by") == "grid_worker"  # the engine's key, untouched by the diagrams


def test_a_spot_settlement_the_party_is_unhappy_with_is_followed_up(run_case):
    run = run_case("grid_worker")
    _patrol_report(run)
    _on_the_spot(run)
    steps.return_visit(run, "不满意")
    assert run.ready() == ["follow_up"]
    steps.follow_up(run)
    steps.return_visit(run)
    assert run.done


def test_what_the_grid_cannot_settle_goes_to_the_centre_and_on_past_the_grid(run_case):
    run = run_case("grid_worker")
    _patrol_report(run)
    _on_the_spot(run, resolved=False)
    assert run.ready() == ["assess"]
    assert run.offered_to("assess")[0] == "centre_staff"
    steps.assess(run)
    steps.plan(run)
    steps.route(run)  # the table still says grid: the grid's round is spent, the escalation table goes on
    assert run.ready() == ["accept_order"]
    assert (run.value("tier"), run.value("unit_code")) == ("village", steps.VILLAGE)
    assert "grid_handle" not in run.path() and "spot_tried" in run.path()
    assert [(o.to_unit.code, o.tier) for o in _orders(run)] == [(steps.VILLAGE, "village")]


def test_a_spot_record_not_made_within_the_grid_s_day_goes_to_the_centre(run_case):
    run = run_case("grid_worker")
    _patrol_report(run)
    run.advance(hours=23)
    assert run.ready() == ["resolve_on_spot"]
    run.advance(hours=2)  # the grid's handling duration: 24 hours
    assert run.fired() == [("spot_overdue", "handling_deadline")]
    assert run.ready() == ["assess"] and [r.spec_id for r in run.cancelled()] == ["resolve_on_spot"]
    steps.assess(run)
    steps.plan(run)
    steps.route(run)
    assert run.value("tier") == "village" and "grid_handle" not in run.path()


def test_a_patrol_report_too_big_for_the_grid_goes_straight_to_the_centre(run_case):
    run = run_case("grid_worker")
    _patrol_report(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    assert run.ready() == ["assess"]
    assert "spot_triage" in run.path() and "resolve_on_spot" not in run.path()


def test_other_channels_are_assessed_before_triage(run_case):
    run = run_case()
    steps.register(run)  # a walk-in with a small dispute
    assert run.ready() == ["assess"]
    assert "spot_triage" not in run.path()


def test_a_spot_settlement_needs_what_the_parties_agreed(run_case):
    run = run_case("grid_worker")
    _patrol_report(run)
    with pytest.raises(FormInvalid):
        run.complete("resolve_on_spot", spot_resolved=True, actions_taken="当场调解")
    run.session.rollback()
    assert run.ready() == ["resolve_on_spot"]


# -- 窗口直办 -------------------------------------------------------------------------------------
def _window_case(run):
    steps.register(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.assess(run)
    return steps.plan(run, "窗口直办", plan_summary="当事人到窗口，当面调解")


def test_window_clerk_settles_an_ordinary_dispute_without_dispatching(run_case):
    run = _window_case(run_case())
    assert run.ready() == ["window_handle"]
    assert run.offered_to("window_handle") == ("centre_staff", TOWN, "town_staff")
    assert run.value("window_clerk") == "town_staff"
    run.complete("window_handle", window_resolved=True, handling_notes="窗口当面调解", agreement_summary="三日内还款2000元",
                 agreement_form="书面协议", performance_deadline="2031-03-06", request_judicial_confirmation=True,
                 confirmation_court_code=steps.COURT)
    assert run.ready() == ["record_confirmation"]
    request = run.session.scalars(select(ledger.JudicialConfirmation)).one()
    assert (request.status, request.court) == ("requested", steps.COURT)
    run.complete("record_confirmation", confirmation_result="confirmed", ruling_no="(2031)粤1581民特2号",
                 decided_on="2031-03-05")
    steps.return_visit(run)
    assert run.done and run.value("case_status") == "closed"
    for skipped in ("route", "tier_rounds", "agreement", "record_subsidy"):
        assert skipped not in run.path(), skipped
    assert _orders(run) == [] and run.where() == ("village", TOWN)
    assert _archive(run).summary["agreement"] == "三日内还款2000元"


def test_what_the_window_cannot_settle_is_dispatched(run_case):
    run = _window_case(run_case())
    run.complete("window_handle", window_resolved=False, handling_notes="双方分歧较大")
    assert run.ready() == ["route"]
    steps.route(run)
    assert run.ready() == ["accept_order"]
    assert [o.to_unit.code for o in _orders(run)] == [steps.VILLAGE]


# -- 联席会商 -------------------------------------------------------------------------------------
def _joint_case(run, units, lead):
    steps.register(run, dispute_type="物业纠纷", summary="小区漏水引发业主与物业冲突", amount=20000,
                   location_unit_code=steps.GRID)
    steps.assess(run)
    assert (run.value("severity"), run.value("start_tier")) == ("complex", "town")
    steps.plan(run, "联席会商", consult_units=units, lead_unit_code=lead)
    return steps.route(run)


def _department_handles(run, unit, result, accepted=False):
    if not accepted:
        run.complete_where("accept_order", "order_unit_code", unit, order_accepted=True, return_reason="")
    run.complete_where("investigate", "order_unit_code", unit, site_visit_date="2031-03-04",
                       findings="现场查看", parties_interviewed=2)
    run.complete_where("mediate", "order_unit_code", unit, mediation_result=result, sessions=1,
                       mediation_notes="")
    if result == "agreed":  # the agreement is signed before 评单 and 核单
        run.complete_where("agreement", "order_unit_code", unit, agreement_summary="拆除违建、赔偿损失",
                           agreement_form="书面协议", performance_deadline="2031-03-20",
                           request_judicial_confirmation=False)
        run.complete_where("review_order", "order_unit_code", unit, review_score=5, review_comment="配合到位")
        run.complete_where("verify_order", "order_unit_code", unit, order_verified=True, verify_method="电话",
                           verify_note="当事人确认")


def test_joint_consultation_sends_each_department_an_order_and_the_lead_decides(run_case):
    run = _joint_case(run_case(), [POLICE, HOUSING], HOUSING)
    assert run.ready() == ["accept_order", "accept_order"]
    assert sorted(run.task_data(r)["unit_code"] for r in run.open_rows()) == [POLICE, HOUSING]
    assert sorted((o.to_unit.code, o.tier, o.status) for o in _orders(run)) == [
        (POLICE, "town", "dispatched"), (HOUSING, "town", "dispatched")]
    _department_handles(run, POLICE, "failed")  # a department that cannot settle does not decide
    assert run.ready() == ["accept_order"]
    _department_handles(run, HOUSING, "agreed")
    assert run.ready() == ["return_visit"]
    assert run.value("order_outcome") == "resolved" and run.value("unit_code") == HOUSING
    assert {r["planned_unit"]: r["outcome"] for r in run.value("consult_results")} == {
        POLICE: "failed", HOUSING: "resolved"}
    lead_order = next(o for o in _orders(run) if o.to_unit.code == HOUSING)
    assert run.value("order_id") == lead_order.id
    assert run.value("agreement_summary") == "拆除违建、赔偿损失"  # the lead's agreement is the case's
    steps.return_visit(run)
    assert run.done and run.path().count("escalation") == 1


def test_a_withdrawal_recorded_on_the_lead_department_s_order_ends_the_case(run_case):
    run = _joint_case(run_case(), [POLICE, HOUSING], HOUSING)
    _department_handles(run, POLICE, "failed")
    run.complete_where("accept_order", "order_unit_code", HOUSING, order_accepted=True, return_reason="")
    run.complete_where("investigate", "order_unit_code", HOUSING, site_visit_date="2031-03-04",
                       findings="现场查看", parties_interviewed=2)
    run.complete_where("mediate", "order_unit_code", HOUSING, mediation_result="withdrawn", sessions=1,
                       mediation_notes="", withdrawal_reason="业主与物业已自行协商解决")
    assert run.done and run.case.outcome == "withdrawn" and run.value("tier") == "town"
    assert sorted((o.to_unit.code, o.status) for o in _orders(run)) == [(POLICE, "failed"), (HOUSING, "withdrawn")]
    assert _archive(run).summary["reason"] == "业主与物业已自行协商解决"


def test_a_failed_lead_escalates_the_joint_consultation(run_case):
    run = _joint_case(run_case(), [POLICE], COURT)  # the lead is added to the departments consulted
    assert run.value("consult_units") == [COURT, POLICE]
    assert run.ready() == ["accept_order", "accept_order"]
    _department_handles(run, POLICE, "agreed")
    _department_handles(run, COURT, "failed")
    decided = [(d["order_outcome"], d["unit_code"]) for d in run.data_of("lead_decides")]
    assert decided == [("failed", COURT)]
    assert (run.value("tier"), run.value("next_action")) == ("county", "escalate")
    # The county convenes the same departments again.
    assert run.ready() == ["accept_order", "accept_order"]
    assert sorted(o.tier for o in _orders(run)) == ["county", "county", "town", "town"]


def test_a_department_that_does_not_accept_in_time_is_replaced_the_others_keep_their_orders(run_case):
    run = _joint_case(run_case(), [POLICE, HOUSING], POLICE)
    run.complete_where("accept_order", "order_unit_code", POLICE, order_accepted=True, return_reason="")
    run.advance(hours=23)
    assert sorted(run.ready()) == ["accept_order", "investigate"]
    run.advance(hours=2)  # town, complex: 24 hours to accept
    assert run.fired() == [("accept_overdue", "acceptance_deadline")]
    assert sorted(run.ready()) == ["choose_unit", "investigate"]
    run.complete_where("choose_unit", "order_unit_code", HOUSING, target_unit_code=COURT, redispatch_note="改由法院参加")
    assert [(o.to_unit.code, o.status) for o in _orders(run)] == [
        (POLICE, "accepted"), (HOUSING, "timed_out"), (COURT, "dispatched")]
    _department_handles(run, POLICE, "agreed", accepted=True)
    assert run.ready() == ["accept_order"]
    _department_handles(run, HOUSING, "failed")
    assert run.ready() == ["return_visit"]  # the lead settled it
    assert {r["planned_unit"]: (r["unit_code"], r["outcome"]) for r in run.value("consult_results")} == {
        POLICE: (POLICE, "resolved"), HOUSING: (COURT, "failed")}


def test_joint_consultation_needs_departments_and_a_lead(run_case):
    run = run_case()
    steps.register(run, dispute_type="物业纠纷", amount=20000, location_unit_code=steps.GRID)
    steps.assess(run)
    with pytest.raises(FormInvalid) as err:
        steps.plan(run, "联席会商")
    run.session.rollback()
    assert {"consult_units", "lead_unit_code"} <= set(err.value.fields)
