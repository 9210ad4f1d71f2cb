"""Closing a case truthfully: a judicial confirmation the court rejects sends the case back to mediation
or to litigation, and the per-case subsidy goes to the pool mediator who did the mediation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import orgs, tasks
from engine.errors import FormInvalid
from engine.models import Timer, User, ledger

from . import steps

OTHER_VILLAGE = "441581-01-002"
RULING = {"ruling_no": "(2031)粤1581民特2号", "decided_on": "2031-03-06"}


def _mediator_id(run, name):
    return run.session.scalar(select(ledger.Mediator.id).where(ledger.Mediator.name == name))


def _village_case_agreed(run, confirm=True):
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run)
    steps.mediate(run, confirm=confirm)  # the agreement is signed before 评单 and 核单
    return steps.review_and_verify(run)


def test_a_rejected_confirmation_goes_back_to_mediation_at_the_same_tier(run_case):
    run = _village_case_agreed(run_case())
    assert run.ready() == ["record_confirmation"]
    with pytest.raises(FormInvalid) as refused:  # rejected without saying what comes next
        run.complete("record_confirmation", confirmation_result="rejected", **RULING)
    assert "after_rejection" in refused.value.fields
    run.session.rollback()
    run.advance(days=10)  # the court took its time; the village's deadlines count afresh from its answer
    run.complete("record_confirmation", confirmation_result="rejected", after_rejection="mediation", **RULING)
    assert run.where() == ("village", steps.VILLAGE)
    assert run.ready() == ["accept_order"]  # a new order to the same village
    assert run.value("case_status") == "dispatched"
    confirmation = run.session.scalars(select(ledger.JudicialConfirmation)).one()
    assert confirmation.status == "rejected"
    answered = run.now
    steps.accept(run)
    supervise = run.session.scalar(select(Timer.due_at).where(
        Timer.case_id == run.case_id, Timer.spec_id == "supervise", Timer.state == "waiting"))
    assert supervise == answered + timedelta(hours=24)  # the village's day counts from the court's answer
    steps.mediate(run, confirm=False)
    steps.review_and_verify(run)
    steps.return_visit(run)
    assert run.done
    assert run.path().count("agreement") == 2 and run.path().count("mediate") == 2
    orders = run.session.scalars(select(ledger.Order).where(ledger.Order.case_id == run.case_id)).all()
    assert [o.to_unit.code for o in orders] == [steps.VILLAGE, steps.VILLAGE]
    assert run.session.scalars(select(ledger.Archive)).one().outcome == "resolved"


def test_a_rejected_confirmation_can_go_to_litigation(run_case):
    run = _village_case_agreed(run_case())
    run.complete("record_confirmation", confirmation_result="rejected", after_rejection="litigation", **RULING)
    assert run.ready() == ["litigation_handoff"]
    run.complete("litigation_handoff", litigation_route="速裁法庭", court_code=steps.COURT, handoff_date="2031-03-07")
    assert run.done and run.value("case_status") == "litigation"
    assert "return_visit" not in run.path() and "record_subsidy" not in run.path()
    assert run.session.scalars(select(ledger.Archive)).one().outcome == "litigation"


def test_a_confirmed_agreement_closes_as_before(run_case):
    run = _village_case_agreed(run_case())
    run.complete("record_confirmation", confirmation_result="confirmed", **RULING)
    assert run.ready() == ["return_visit"]


def _redispatched_to_the_other_village(run):
    """A village case whose order ends up at a village where the matched pool mediator has no account."""
    steps.intake(run, dispute_type="合同债务", amount=2000, location_unit_code=steps.GRID)
    steps.route(run)
    steps.accept(run, accepted=False, reason="不属本村管辖")
    run.complete("choose_unit", target_unit_code=OTHER_VILLAGE, redispatch_note="改派新园村")
    steps.accept(run)
    assert run.value("mediator_match")["name"] == "李建国"  # matched from the pool, no user account
    return run


def _hand_over(run, spec_id: str, username: str) -> None:
    """The town centre reassigns a task named for the matched mediator to someone else."""
    tasks.reassign(run.session, run.user("town_staff"), run.row(spec_id).id, username)
    run.session.commit()


def test_the_subsidy_goes_to_the_mediator_who_mediated(run_case):
    run = _redispatched_to_the_other_village(run_case())
    run.complete("investigate", site_visit_date="2031-03-03", findings="双方各执一词", parties_interviewed=2)
    assert run.worked[-1] == ("investigate", "mediator_01_002")  # the village's own pool mediator, matched
    _hand_over(run, "mediate", "town_mediator")  # the town centre gives the mediation to the town mediator
    run.complete("mediate", mediation_result="agreed", sessions=1, mediation_notes="")
    assert run.worked[-1] == ("mediate", "town_mediator")
    steps.agreement(run)
    steps.review_and_verify(run)
    steps.return_visit(run)
    assert run.done
    subsidy = run.session.scalars(select(ledger.SubsidyRecord)).one()
    # 赵红梅 (the town mediator's pool entry, gold): an ordinary, satisfied case pays a gold mediator 150.
    assert (subsidy.mediator_id, subsidy.amount) == (_mediator_id(run, "赵红梅"), 150)
    summary = run.session.scalars(select(ledger.Archive)).one().summary
    assert (summary["mediated_by"], summary["subsidy_mediator"], summary["subsidy"]) == ("town_mediator", "赵红梅", 150)


def test_no_subsidy_when_whoever_mediated_is_not_in_the_pool(run_case):
    run = run_case()
    village = orgs.unit_by_code(run.session, OTHER_VILLAGE)
    run.session.add(User(username="xinyuan_mediator", password_hash="x", role="mediator", org_unit=village))
    run.session.commit()
    _redispatched_to_the_other_village(run)
    _hand_over(run, "investigate", "xinyuan_mediator")
    run.complete("investigate", site_visit_date="2031-03-03", findings="双方各执一词", parties_interviewed=2)
    _hand_over(run, "mediate", "xinyuan_mediator")
    run.complete("mediate", mediation_result="agreed", sessions=1, mediation_notes="")
    steps.agreement(run)
    steps.review_and_verify(run)
    steps.return_visit(run)
    assert run.done
    assert run.session.scalars(select(ledger.SubsidyRecord)).all() == []
    summary = run.session.scalars(select(ledger.Archive)).one().summary
    assert summary["subsidy"] == 0 and summary["mediated_by"] == "xinyuan_mediator"
    assert "xinyuan_mediator 不在调解员库" in summary["subsidy_note"]


def test_a_non_gold_mediator_gets_the_lower_amount(run_case):
    run = run_case()
    pool_entry = run.session.scalar(select(ledger.Mediator).where(ledger.Mediator.name == "张秀兰"))
    pool_entry.gold = False
    run.session.commit()
    run = _village_case_agreed(run, confirm=False)
    steps.return_visit(run)
    subsidy = run.session.scalars(select(ledger.SubsidyRecord)).one()
    assert (subsidy.mediator_id, subsidy.amount) == (pool_entry.id, 100)
