"""How real cases go through the library, run by the engine: every step loads the case from the
database and saves it again, people complete tasks from their inbox, and the sweep fires timers."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import ledger

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


def _finish_after_agreement(run, rating="满意"):
    steps.agreement(run)
    steps.return_visit(run, rating)
    return run


def test_small_neighbour_dispute_is_resolved_by_the_grid_the_same_day(run_case):
    run = run_case()
    assert run.ready() == ["register"]
    assert run.offered_to("register") == ("centre_staff", TOWN, "town_staff")
    steps.intake(run)
    assert (run.value("severity"), run.value("tier")) == ("ordinary", "grid")
    assert run.value("case_code") == run.case.code == "MT-441581-20310303-0001"
    steps.route(run)
    assert run.ready() == ["grid_handle"]
    assert run.offered_to("grid_handle") == ("grid_worker", steps.GRID, "grid_worker")
    assert run.value("unit_code") == steps.GRID
    assert run.where() == ("grid", steps.GRID) and run.moves() == [(TOWN, steps.GRID)]
    run.advance(hours=3).complete("grid_handle", grid_resolved=True, handling_notes="当场疏通")
    _finish_after_agreement(run)
    assert run.done
    assert run.value("case_status") == "closed"
    assert run.fired() == []  # three hours is well inside the grid's day
    assert "dispatch_order" not in run.operators()
    assert "record_subsidy" not in run.path()  # no pool mediator took part
    assert run.path().count("escalation") == 1
    assert run.worked == [("register", "town_staff"), ("assess", "town_staff"), ("plan", "town_staff"),
                          ("route", "town_staff"), ("grid_handle", "grid_worker"),
                          ("agreement", "village_mediator"), ("return_visit", "town_staff")]
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
    _finish_after_agreement(run)
    assert run.done and run.value("case_status") == "closed"
    assert [(o.to_unit.code, o.status) for o in _orders(run)] == [(steps.VILLAGE, "accepted"), (TOWN, "verified")]
    assert run.path().count("escalation") == 2
    subsidy = run.session.scalars(select(ledger.SubsidyRecord)).one()
    assert (subsidy.mediator_id, subsidy.amount) == (_mediator_id(run, "赵红梅"), 100)


def test_returned_order_is_redispatched_to_another_unit(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run, accepted=False, reason="不属本村管辖")
    assert run.ready() == ["choose_unit"]
    run.complete("choose_unit", target_unit_code=OTHER_VILLAGE, redispatch_note="改派新园村")
    assert run.value("unit_code") == OTHER_VILLAGE
    assert run.where() == ("village", OTHER_VILLAGE)
    # Nobody works at the other village: the town centre, which sees it, takes the order there.
    assert run.offered_to("accept_order") == ("department", OTHER_VILLAGE, "town_staff")
    steps.accept(run)
    assert run.value("mediator_match")["name"] == "李建国"
    first, second = _orders(run)
    assert (first.status, first.return_reason, first.to_unit.code) == ("returned", "不属本村管辖", steps.VILLAGE)
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
    assert _orders(run)[0].return_reason.startswith("超时未接单")


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
    assert run.ready() == ["investigate"]  # the supervision order does not take the work away
    assert run.row("investigate").overdue
    run.advance(hours=24)  # overdue limit 48 hours: the village round ends as a timeout
    assert (run.value("tier"), run.value("unit_code")) == ("town", TOWN)
    assert run.where() == ("town", TOWN)
    assert run.ready() == ["accept_order"]
    assert order.reminders == 7 and _outbox(run).count("reminder") == 7  # the one due at 28 hours went out
    assert [kind for _, kind in run.fired()].count("reminder") == 7  # and its firing is on record
    assert run.fired()[-1] == ("overdue", "handling_deadline")


def test_order_not_verified_goes_back_to_the_unit_then_escalates(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run)
    steps.review_and_verify(run, verified=False)
    assert run.ready() == ["investigate"]  # back to the same unit
    assert run.where() == ("village", steps.VILLAGE)
    steps.mediate(run)
    steps.review_and_verify(run, verified=False)  # second and last round at the village
    assert run.value("tier") == "town"
    assert run.where() == ("town", TOWN)
    events = run.session.scalars(select(ledger.OrderEvent).where(ledger.OrderEvent.case_id == run.case_id))
    assert [e.kind for e in events].count("not_verified") == 2


def _major_intake(run):
    steps.register(run, dispute_type="征地拆迁", summary="三十余户村民对征地补偿有异议", party_count=35,
                   amount=3000000, risk_flags=["群体性"], intake_channel="领导接访",
                   location_unit_code=steps.GRID)
    steps.assess(run)
    assert run.value("leader_required") is True
    assert run.ready() == ["accept_ownership"]
    assert run.offered_to("accept_ownership") == ("leader", TOWN, "leader")
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
    steps.agreement(run)
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
    archive = run.session.scalars(select(ledger.Archive)).one()
    assert (archive.outcome, archive.summary["route"]) == ("litigation", "速裁法庭")


def test_agreement_gets_judicial_confirmation(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    run.complete("grid_handle", grid_resolved=True, handling_notes="")
    steps.agreement(run, confirm=True)
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
    run.complete("grid_handle", grid_resolved=True, handling_notes="")
    steps.agreement(run)
    steps.return_visit(run, "不满意")
    assert run.ready() == ["follow_up"]
    assert run.offered_to("follow_up") == ("department", steps.GRID, "village_mediator")
    assert run.value("case_status") == "reopened"
    steps.follow_up(run)
    steps.return_visit(run, "基本满意")  # basically satisfied still needs a follow-up
    steps.follow_up(run)
    steps.return_visit(run, "满意")
    assert run.done and run.value("case_status") == "closed"
    assert run.path().count("return_visit") == 3
    assert _outbox(run) == ["follow_up", "follow_up"]
