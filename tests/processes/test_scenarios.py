"""How real cases go through the library, run by the engine: every step loads the case from the
database and saves it again, people complete tasks from their inbox, and the sweep fires timers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine import case_codes, orders
from engine.models import OrgUnit, ledger

from . import steps

TOWN, OTHER_VILLAGE, COUNTY = "441581-01", "441581-01-002", "441581"


def _orders(run):
    return list(run.session.scalars(select(ledger.Order).where(ledger.Order.case_id == run.case_id)
                                    .order_by(ledger.Order.id)))


def _mediator_id(run, name):
    return run.session.scalar(select(ledger.Mediator.id).where(ledger.Mediator.name == name))


def _outbox(run):
    return [o.kind for o in run.session.scalars(select(ledger.Outbox).where(ledger.Outbox.case_id == run.case_id)
                                                .order_by(ledger.Outbox.id))]


def _supervisions(run):
    return list(run.session.scalars(select(ledger.Supervision).where(ledger.Supervision.case_id == run.case_id)
                                    .order_by(ledger.Supervision.id)))


def _outbox_rows(run, kind):
    return list(run.session.scalars(select(ledger.Outbox).where(ledger.Outbox.case_id == run.case_id,
                                                                ledger.Outbox.kind == kind)))


def _unit_id(run, code):
    return run.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def _statuses(run):
    return [(o.to_unit.code, o.status) for o in _orders(run)]


def test_small_neighbour_dispute_is_resolved_by_the_grid_the_same_day(run_case):
    run = run_case()
    assert run.ready() == ["register"]
    assert run.offered_to("register") == ("centre_staff", TOWN, "town_staff")
    opened = run.case.code  # 一案一码: issued when the case opens, in the county, the day's first
    assert opened[:-1] == "441581-20310303-0001" and case_codes.is_valid(opened)
    steps.intake(run)
    assert (run.value("severity"), run.value("tier")) == ("ordinary", "grid")
    assert run.value("case_code") == run.case.code == opened
    steps.route(run)
    assert run.ready() == ["grid_handle"]
    assert run.offered_to("grid_handle") == ("grid_worker", steps.GRID, "grid_worker")
    assert run.value("unit_code") == steps.GRID
    assert run.where() == ("grid", steps.GRID) and run.moves() == [(TOWN, steps.GRID)]
    steps.grid_handle(run.advance(hours=3))
    steps.return_visit(run)
    assert run.done
    assert run.value("case_status") == "closed"
    assert run.fired() == []  # three hours is well inside the grid's day
    assert "dispatch_order" not in run.operators()
    assert "record_subsidy" not in run.path()  # no pool mediator took part
    assert run.path().count("escalation") == 1
    assert run.worked == [("register", "town_staff"), ("assess", "town_staff"), ("plan", "town_staff"),
                          ("route", "town_staff"), ("grid_handle", "grid_worker"),
                          ("grid_agreement", "grid_worker"), ("return_visit", "town_staff")]
    assert len(run.events("task_completed")) == len(run.worked)
    assert [e.kind for e in run.events()][-1] == "case_closed"
    archive = run.session.scalars(select(ledger.Archive)).one()
    assert archive.outcome == "resolved" and archive.summary["tier"] == "grid"


def test_grid_that_runs_out_of_the_day_escalates_to_the_village(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    run.advance(hours=25)
    assert run.fired() == [("grid_overdue", "handling_deadline")]
    assert run.ready() == ["accept_order"]
    assert (run.value("tier"), run.value("unit_code")) == ("village", steps.VILLAGE)
    assert run.where() == ("village", steps.VILLAGE)
    assert run.offered_to("accept_order") == ("department", steps.VILLAGE, "village_mediator")
    assert [r.spec_id for r in run.cancelled()] == ["grid_handle"]


def test_village_fails_and_the_town_resolves(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    assert run.value("start_tier") == "village"
    steps.route(run)
    assert run.offered_to("accept_order") == ("department", steps.VILLAGE, "village_mediator")
    steps.accept(run)
    assert run.value("mediator_match")["name"] == "张秀兰"
    steps.mediate(run, "failed")
    assert (run.value("tier"), run.value("unit_code")) == ("town", TOWN)
    assert run.where() == ("town", TOWN)
    steps.accept(run)
    steps.mediate(run, "agreed")
    assert run.value("mediator_match")["name"] == "赵红梅"  # the specialist, though the busiest
    steps.review_and_verify(run)
    steps.return_visit(run)
    assert run.done and run.value("case_status") == "closed"
    assert _statuses(run) == [(steps.VILLAGE, "failed"), (TOWN, "resolved")]
    assert run.path().count("escalation") == 2
    subsidy = run.session.scalars(select(ledger.SubsidyRecord)).one()
    assert (subsidy.mediator_id, subsidy.amount) == (_mediator_id(run, "赵红梅"), 150)  # a gold mediator


def test_returned_order_is_redispatched_to_another_unit(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run, accepted=False, reason="不属本村管辖")
    assert run.ready() == ["choose_unit"]
    run.complete("choose_unit", target_unit_code=OTHER_VILLAGE, redispatch_note="改派新园村")
    assert run.value("unit_code") == OTHER_VILLAGE
    assert run.where() == ("village", OTHER_VILLAGE)
    # The other village's own mediator receives it; the town centre above dispatched it.
    assert run.offered_to("accept_order") == ("department", OTHER_VILLAGE, "mediator_01_002")
    assert run.value("dispatcher_unit_code") == TOWN
    steps.accept(run)
    assert run.value("mediator_match")["name"] == "李建国"
    first, second = _orders(run)
    assert (first.status, first.return_reason, first.to_unit.code) == ("returned", "不属本村管辖", steps.VILLAGE)
    assert first.closed_at == run.now
    assert (second.status, second.round, second.to_unit.code) == ("accepted", 2, OTHER_VILLAGE)


def test_unaccepted_order_times_out_and_is_redispatched(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    run.advance(hours=1)
    assert run.fired() == [] and run.ready() == ["accept_order"]
    run.advance(hours=2)  # village ordinary: 2 hours to accept
    assert run.fired() == [("accept_overdue", "acceptance_deadline")]
    assert run.ready() == ["choose_unit"]
    order = _orders(run)[0]
    assert order.return_reason.startswith("超时未接单")
    assert (order.status, order.closed_at) == ("timed_out", run.now)


def test_reminders_then_supervision_then_timeout_escalates(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    run.advance(minutes=1)  # timers fire once their time has passed
    for _ in range(5):  # village, ordinary: a reminder every 4 hours, the deadline after 24
        run.advance(hours=4)
    order = _orders(run)[0]
    assert (order.reminders, order.supervisions) == (5, 0)
    assert run.row("investigate").reminders == 5
    run.advance(hours=4)
    assert (order.reminders, order.supervisions) == (6, 1)
    assert _outbox(run).count("reminder") == 6 and _outbox(run).count("supervision") == 1
    kinds = [kind for _, kind in run.fired()]
    assert (kinds.count("reminder"), kinds.count("supervision")) == (6, 1)
    # The supervision order does not take the work away; it asks the unit for an answer.
    assert run.ready() == ["answer_supervision", "investigate"]
    assert run.offered_to("answer_supervision") == ("department", steps.VILLAGE, "village_mediator")
    supervision = _supervisions(run)[0]
    assert (supervision.from_unit.code, supervision.to_unit.code, supervision.status) == (TOWN, steps.VILLAGE, "open")
    assert (supervision.issued_at, supervision.due_at) == (run.now, run.now + timedelta(hours=12))
    assert run.row("answer_supervision").due_at == supervision.due_at
    assert run.row("investigate").overdue
    run.advance(hours=12)  # unanswered within 12 hours: it escalates to the county above the town
    assert ("supervision_unanswered", "answer_deadline") in run.fired()
    assert (supervision.status, supervision.escalated_to.code) == ("escalated", COUNTY)
    escalated = _outbox_rows(run, "supervision_escalated")
    assert [(o.recipient_unit_id, o.recipient_role) for o in escalated] == [(_unit_id(run, COUNTY), "centre_staff")]
    assert run.ready() == ["investigate"]
    run.advance(hours=12)  # overdue limit 48 hours: the village round ends as a timeout
    assert (run.value("tier"), run.value("unit_code")) == ("town", TOWN)
    assert run.where() == ("town", TOWN)
    assert run.ready() == ["accept_order"]
    # The sweep at 36 hours sent the reminder due at 28, the one at 48 the reminder due at 40.
    assert order.reminders == 8 and _outbox(run).count("reminder") == 8
    assert [kind for _, kind in run.fired()].count("reminder") == 8  # and their firings are on record
    assert run.fired()[-1] == ("overdue", "handling_deadline")
    assert (order.status, order.closed_at) == ("timed_out", run.now)
    assert not orders.is_overdue(order)  # a finished order is never overdue


def test_the_unit_answers_the_supervision_order_and_the_order_is_resolved(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    run.advance(hours=24, minutes=1)
    assert run.ready() == ["answer_supervision", "investigate"]
    run.complete("answer_supervision", supervision_answer_kind="说明", supervision_answer="当事人外出，约定后天调解")
    supervision = _supervisions(run)[0]
    assert (supervision.status, supervision.answer_kind, supervision.answered_by) == ("answered", "说明",
                                                                                      "village_mediator")
    assert run.ready() == ["investigate"]
    steps.mediate(run)
    steps.review_and_verify(run)
    assert _statuses(run) == [(steps.VILLAGE, "resolved")]
    events = [e.kind for e in run.session.scalars(select(ledger.OrderEvent).where(
        ledger.OrderEvent.case_id == run.case_id).order_by(ledger.OrderEvent.id))]
    assert events[0] == "accepted" and events[-2:] == ["review", "verified"]
    assert events.index("supervision") < events.index("supervision_answered")


def test_the_end_of_the_round_withdraws_an_unanswered_supervision_order(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    run.advance(hours=24, minutes=1)
    steps.mediate(run, "failed")
    assert "answer_supervision" in [r.spec_id for r in run.cancelled()]
    assert _supervisions(run)[0].status == "closed"
    assert _statuses(run)[0] == (steps.VILLAGE, "failed") and run.ready() == ["accept_order"]


def test_order_not_verified_goes_back_to_the_unit_then_escalates(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run)
    steps.review_and_verify(run, verified=False)
    assert run.ready() == ["investigate"]  # back to the same unit
    assert run.where() == ("village", steps.VILLAGE)
    assert _statuses(run) == [(steps.VILLAGE, "not_verified")]  # still open: the unit works on it again
    steps.mediate(run)
    steps.review_and_verify(run, verified=False)  # second and last round at the village
    assert run.value("tier") == "town"
    assert run.where() == ("town", TOWN)
    assert _statuses(run) == [(steps.VILLAGE, "unverified"), (TOWN, "dispatched")]
    events = run.session.scalars(select(ledger.OrderEvent).where(ledger.OrderEvent.case_id == run.case_id))
    assert [e.kind for e in events].count("not_verified") == 2


def _major_intake(run):
    steps.register(run, dispute_type="征地拆迁", summary="三十余户村民对征地补偿有异议",
                   parties=steps.parties(35),
                   amount=3000000, risk_flags=["群体性"], intake_channel="领导接访",
                   location_unit_code=steps.GRID)
    steps.assess(run)
    assert run.value("leader_required") is True
    assert run.ready() == ["accept_ownership"]
    assert run.offered_to("accept_ownership") == ("leader", COUNTY, "leader")
    run.complete("accept_ownership", owning_leader="leader", leader_position="市委副书记", accepted=True)
    run.complete("file_plan", special_team=[{"name": "刘科长", "unit_code": f"{COUNTY}-ZJ", "duty": "政策解释"}],
                 plan="逐户走访、公开补偿标准", target_date="2031-06-01")
    steps.route(run)
    return run


def test_major_case_is_owned_by_a_county_leader(run_case):
    run = _major_intake(run_case())
    assert (run.value("severity"), run.value("tier"), run.value("unit_code")) == ("major", "county", COUNTY)
    assert run.where() == ("county", COUNTY) and run.case.severity == "major"
    steps.accept(run)
    run.advance(days=6, hours=23, minutes=59)
    assert run.ready() == ["investigate"]
    run.advance(minutes=2)
    assert run.ready() == ["investigate", "progress_report"]
    assert run.offered_to("progress_report") == ("leader", COUNTY, "leader")
    run.complete("progress_report", progress="已走访20户", risk_level="中", next_steps="继续走访")
    steps.mediate(run)
    steps.review_and_verify(run)
    assert run.ready() == ["leader_signoff"]
    run.complete("leader_signoff", signed_off=True, leader_opinion="同意")
    steps.return_visit(run)
    assert run.done and run.value("case_status") == "closed"
    assert ("investigate", "county_mediator") in run.worked
    subsidy = run.session.scalars(select(ledger.SubsidyRecord)).one()
    assert (subsidy.mediator_id, subsidy.amount) == (_mediator_id(run, "周法官"), 500)
    assert _outbox(run)[0] == "leader_assignment"


def test_failure_at_the_top_tier_goes_to_litigation(run_case):
    run = _major_intake(run_case())
    steps.accept(run)
    steps.mediate(run, "failed")
    assert run.ready() == ["litigation_handoff"]
    run.complete("litigation_handoff", litigation_route="速裁法庭", court_code=f"{COUNTY}-FY",
                 handoff_date="2031-03-10")
    assert run.done and run.value("case_status") == "litigation"
    assert "agreement" not in run.path()
    assert _statuses(run) == [(COUNTY, "failed")]
    archive = run.session.scalars(select(ledger.Archive)).one()
    assert (archive.outcome, archive.summary["route"]) == ("litigation", "速裁法庭")


def test_agreement_gets_judicial_confirmation(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    steps.grid_handle(run, confirm=True)
    assert run.ready() == ["record_confirmation"]
    request = run.session.scalars(select(ledger.JudicialConfirmation)).one()
    assert (request.status, request.court) == ("requested", steps.COURT)
    run.complete("record_confirmation", confirmation_result="confirmed", ruling_no="(2031)粤1581民特1号",
                 decided_on="2031-03-05")
    assert request.status == "confirmed" and request.ruling_no == "(2031)粤1581民特1号"
    steps.return_visit(run)
    assert run.done


def test_dissatisfied_return_visit_reopens_until_verified(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    steps.grid_handle(run)
    steps.return_visit(run, "不满意")
    assert run.ready() == ["follow_up"]
    assert run.offered_to("follow_up") == ("department", steps.GRID, "grid_worker")
    assert run.value("case_status") == "reopened"
    steps.follow_up(run)
    steps.return_visit(run, "基本满意")  # basically satisfied still needs a follow-up
    steps.follow_up(run)
    steps.return_visit(run, "满意")
    assert run.done and run.value("case_status") == "closed"
    assert run.path().count("return_visit") == 3
    assert _outbox(run) == ["follow_up", "follow_up"]


def test_the_agreement_is_signed_before_review_and_verification(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    run.complete("investigate", site_visit_date="2031-03-03", findings="欠款属实", parties_interviewed=2)
    run.complete("mediate", mediation_result="agreed", sessions=2, mediation_notes="")
    assert run.ready() == ["agreement"]  # the mediator signs it inside the handling round
    assert run.offered_to("agreement")[:2] == ("mediator", steps.VILLAGE)
    steps.agreement(run, confirm=True)
    assert run.value("case_status") == "agreed"
    steps.review_and_verify(run)
    path = run.path()
    assert path.index("agreement") < path.index("review_order") < path.index("verify_order")
    # dispute_case does not ask for the agreement again: it goes to judicial confirmation.
    assert run.ready() == ["record_confirmation"]
    request = run.session.scalars(select(ledger.JudicialConfirmation)).one()
    assert (request.court, request.agreement_text) == (steps.COURT, "被申请人三日内疏通排水沟")
    run.complete("record_confirmation", confirmation_result="confirmed", ruling_no="(2031)粤1581民特2号",
                 decided_on="2031-03-06")
    steps.return_visit(run)
    assert run.done
    archive = run.session.scalars(select(ledger.Archive)).one()
    assert (archive.summary["agreement"], archive.summary["judicial_confirmation"]) == ("被申请人三日内疏通排水沟", True)


def test_review_and_verification_are_done_by_the_dispatching_centre(run_case):
    """Needs the engine side of ``unit=`` (the dispatcher rule): until it lands the tasks sit at the
    case's unit, the receiving one, and this test fails."""
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run, "failed")  # the village fails; the town takes it, dispatched by the county
    steps.accept(run)
    steps.mediate(run)
    village, town = _orders(run)
    assert (village.from_unit.code, town.from_unit.code) == (TOWN, COUNTY)
    for task in ("review_order", "verify_order"):
        row = run.row(task)
        assert row.org_unit.code == town.from_unit.code == COUNTY != town.to_unit.code
        assert run.worker_for(row).org_unit.code == COUNTY
        if task == "review_order":
            run.complete(task, review_score=4, review_comment="处置及时")
    run.complete("verify_order", order_verified=True, verify_method="上门", verify_note="当事人确认")
    assert _statuses(run) == [(steps.VILLAGE, "failed"), (TOWN, "resolved")]


def test_a_village_order_is_reviewed_by_its_town_centre(run_case):
    """Needs the engine side of ``unit=`` too."""
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run)
    assert run.row("review_order").org_unit.code == TOWN != steps.VILLAGE
    assert run.offered_to("review_order") == ("centre_staff", TOWN, "town_staff")


def test_review_and_verification_have_deadlines_that_flag_the_centre_s_task(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run)  # village, ordinary: 24 hours to review, 48 to verify
    assert run.row("review_order").due_at == run.now + timedelta(hours=24)
    run.advance(hours=24, minutes=1)
    assert run.fired()[-1] == ("review_overdue", "review_deadline")
    assert run.row("review_order").overdue and run.ready() == ["review_order"]
    notice = _outbox_rows(run, "stage_overdue")
    assert [(o.recipient_unit_id, o.recipient_role) for o in notice] == [(_unit_id(run, TOWN), "centre_staff")]
    run.complete("review_order", review_score=3, review_comment="偏慢")
    assert _orders(run)[0].status == "handled"
    # 48 hours to verify, but an ordinary case is due three days from receipt: the earlier deadline shows.
    assert run.case.due_at < run.now + timedelta(hours=48)
    assert run.row("verify_order").due_at == run.case.due_at
    assert not run.row("verify_order").overdue
    run.advance(hours=48, minutes=1)
    assert run.fired()[-1] == ("verify_overdue", "verification_deadline")
    assert run.row("verify_order").overdue
    run.complete("verify_order", order_verified=True, verify_method="电话", verify_note="当事人确认")
    order = _orders(run)[0]
    assert (order.status, order.closed_at, orders.is_overdue(order)) == ("resolved", run.now, False)


def test_an_unfulfilled_agreement_starts_a_follow_up_whatever_the_rating(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    steps.grid_handle(run)
    steps.return_visit(run, "满意", fulfilled=False)
    assert run.ready() == ["follow_up"]
    assert run.value("follow_up_reason").startswith("协议未履行")
    steps.follow_up(run)
    steps.return_visit(run, "满意")
    assert run.done and run.path().count("return_visit") == 2
