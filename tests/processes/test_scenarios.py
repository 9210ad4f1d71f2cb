"""How real cases go through the library; every wait state is saved and restored by the harness."""

from __future__ import annotations

from sqlalchemy import select

from engine.models import ledger

from . import steps

TOWN, OTHER_VILLAGE, COUNTY = "441581-01", "441581-01-002", "441581"


def _orders(db):
    return list(db.session.scalars(select(ledger.Order).order_by(ledger.Order.id)))


def _finish_after_agreement(run, rating="满意"):
    steps.agreement(run)
    steps.return_visit(run, rating)
    return run


def test_small_neighbour_dispute_is_resolved_by_the_grid_the_same_day(run_case, db):
    run = run_case()
    assert run.ready() == ["register"]
    steps.intake(run)
    assert (run.value("severity"), run.value("tier")) == ("ordinary", "grid")
    assert run.value("case_code") == "MT-441581-20250303-0001"
    steps.route(run)
    assert run.ready() == ["grid_handle"]
    assert run.task("grid_handle").task_spec.lane == "grid_worker"
    assert run.value("unit_code") == steps.GRID
    run.advance(hours=3).complete("grid_handle", grid_resolved=True, handling_notes="当场疏通")
    _finish_after_agreement(run)
    assert run.done
    assert run.value("case_status") == "closed"
    assert "dispatch_order" not in run.operators()
    assert "record_subsidy" not in run.path()  # no pool mediator took part
    assert run.path().count("escalation") == 1
    archive = db.session.scalars(select(ledger.Archive)).one()
    assert archive.outcome == "resolved" and archive.summary["tier"] == "grid"


def test_grid_that_runs_out_of_the_day_escalates_to_the_village(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    run.advance(hours=25)
    assert run.ready() == ["accept_order"]
    assert (run.value("tier"), run.value("unit_code")) == ("village", steps.VILLAGE)


def test_village_fails_and_the_town_resolves(run_case, db):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.VILLAGE)
    assert run.value("start_tier") == "village"
    steps.route(run)
    assert run.task("accept_order").task_spec.lane == "department"
    steps.accept(run)
    assert run.value("mediator_match")["name"] == "陈调解"
    steps.mediate(run, "failed")
    assert (run.value("tier"), run.value("unit_code")) == ("town", TOWN)
    steps.accept(run)
    steps.mediate(run, "agreed")
    assert run.value("mediator_match")["name"] == "林调解"  # specialty first, then load
    steps.review_and_verify(run)
    _finish_after_agreement(run)
    assert run.done and run.value("case_status") == "closed"
    assert [(o.to_unit.code, o.status) for o in _orders(db)] == [(steps.VILLAGE, "accepted"), (TOWN, "verified")]
    subsidy = db.session.scalars(select(ledger.SubsidyRecord)).one()
    assert (subsidy.mediator_id, subsidy.amount) == (2, 100)


def test_returned_order_is_redispatched_to_another_unit(run_case, db):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.VILLAGE)
    steps.route(run)
    steps.accept(run, accepted=False, reason="不属本村管辖")
    assert run.ready() == ["choose_unit"]
    run.complete("choose_unit", target_unit_code=OTHER_VILLAGE, redispatch_note="改派新园村")
    assert run.value("unit_code") == OTHER_VILLAGE
    steps.accept(run)
    assert run.value("mediator_match")["name"] == "吴调解"
    first, second = _orders(db)
    assert (first.status, first.return_reason, first.to_unit.code) == ("returned", "不属本村管辖", steps.VILLAGE)
    assert (second.status, second.round, second.to_unit.code) == ("accepted", 2, OTHER_VILLAGE)


def test_unaccepted_order_times_out_and_is_redispatched(run_case, db):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.VILLAGE)
    steps.route(run)
    run.advance(hours=3)  # village ordinary: 2 hours to accept
    assert run.ready() == ["choose_unit"]
    assert _orders(db)[0].return_reason.startswith("超时未接单")


def test_reminders_then_supervision_then_timeout_escalates(run_case, db):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.VILLAGE)
    steps.route(run)
    steps.accept(run)
    run.advance(minutes=1)  # timers fire once their time has passed
    for _ in range(5):  # village, ordinary: a reminder every 4 hours, the deadline after 24
        run.advance(hours=4)
    order = _orders(db)[0]
    assert (order.reminders, order.supervisions) == (5, 0)
    run.advance(hours=4)
    assert (order.reminders, order.supervisions) == (6, 1)
    kinds = [o.kind for o in db.session.scalars(select(ledger.Outbox))]
    assert (kinds.count("reminder"), kinds.count("supervision")) == (6, 1)
    assert run.ready() == ["investigate"]  # the supervision order does not take the work away
    run.advance(hours=24)  # overdue limit 48 hours: the village round ends as a timeout
    assert (run.value("tier"), run.value("unit_code")) == ("town", TOWN)
    assert run.ready() == ["accept_order"]


def test_order_not_verified_goes_back_to_the_unit_then_escalates(run_case, db):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.VILLAGE)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run)
    steps.review_and_verify(run, verified=False)
    assert run.ready() == ["investigate"]  # back to the same unit
    steps.mediate(run)
    steps.review_and_verify(run, verified=False)  # second and last round at the village
    assert run.value("tier") == "town"
    assert [e.kind for e in db.session.scalars(select(ledger.OrderEvent))].count("not_verified") == 2


def _major_intake(run):
    steps.register(run, dispute_type="征地拆迁", summary="三十余户村民对征地补偿有异议", party_count=35,
                   amount=3000000, risk_flags=["群体性"], intake_channel="领导接访",
                   location_unit_code=steps.VILLAGE)
    steps.assess(run)
    assert run.value("leader_required") is True
    assert run.ready() == ["accept_ownership"]
    assert run.task("accept_ownership").task_spec.lane == "leader"
    run.complete("accept_ownership", owning_leader="王书记", leader_position="市委副书记", accepted=True)
    run.complete("file_plan", special_team=[{"name": "刘科长", "unit": "自然资源局", "duty": "政策解释"}],
                 plan="逐户走访、公开补偿标准", target_date="2025-06-01")
    steps.route(run)
    return run


def test_major_case_is_owned_by_a_county_leader(run_case, db):
    run = _major_intake(run_case())
    assert (run.value("severity"), run.value("tier"), run.value("unit_code")) == ("major", "county", COUNTY)
    steps.accept(run)
    run.advance(days=7, minutes=1)
    assert run.ready() == ["investigate", "progress_report"]
    assert run.task("progress_report").task_spec.lane == "leader"
    run.complete("progress_report", progress="已走访20户", risk_level="中", next_steps="继续走访")
    steps.mediate(run)
    steps.review_and_verify(run)
    steps.agreement(run)
    assert run.ready() == ["leader_signoff"]
    run.complete("leader_signoff", signed_off=True, leader_opinion="同意")
    steps.return_visit(run)
    assert run.done and run.value("case_status") == "closed"
    subsidy = db.session.scalars(select(ledger.SubsidyRecord)).one()
    assert (subsidy.mediator_id, subsidy.amount) == (4, 500)
    assert db.session.scalars(select(ledger.Outbox.kind)).first() == "leader_assignment"


def test_failure_at_the_top_tier_goes_to_litigation(run_case, db):
    run = _major_intake(run_case())
    steps.accept(run)
    steps.mediate(run, "failed")
    assert run.ready() == ["litigation_handoff"]
    run.complete("litigation_handoff", litigation_route="速裁法庭", court_name="陆丰市人民法院",
                 handoff_date="2025-03-10")
    assert run.done and run.value("case_status") == "litigation"
    assert "agreement" not in run.path()
    archive = db.session.scalars(select(ledger.Archive)).one()
    assert (archive.outcome, archive.summary["route"]) == ("litigation", "速裁法庭")


def test_agreement_gets_judicial_confirmation(run_case, db):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    run.complete("grid_handle", grid_resolved=True, handling_notes="")
    steps.agreement(run, confirm=True)
    assert run.ready() == ["record_confirmation"]
    request = db.session.scalars(select(ledger.JudicialConfirmation)).one()
    assert (request.status, request.court) == ("requested", "陆丰市人民法院")
    run.complete("record_confirmation", confirmation_result="confirmed", ruling_no="(2025)粤1581民特1号",
                 decided_on="2025-03-05")
    assert request.status == "confirmed" and request.ruling_no == "(2025)粤1581民特1号"
    steps.return_visit(run)
    assert run.done


def test_dissatisfied_return_visit_reopens_until_verified(run_case, db):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    run.complete("grid_handle", grid_resolved=True, handling_notes="")
    steps.agreement(run)
    steps.return_visit(run, "不满意")
    assert run.ready() == ["follow_up"]
    assert run.task("follow_up").task_spec.lane == "department"
    assert run.value("case_status") == "reopened"
    steps.follow_up(run)
    steps.return_visit(run, "基本满意")  # basically satisfied still needs a follow-up
    steps.follow_up(run)
    steps.return_visit(run, "满意")
    assert run.done and run.value("case_status") == "closed"
    assert run.path().count("return_visit") == 3
    assert [o.kind for o in db.session.scalars(select(ledger.Outbox))] == ["follow_up", "follow_up"]
