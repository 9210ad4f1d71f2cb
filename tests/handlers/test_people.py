"""Case code, mediator choice, notifications, confirmation, subsidy and archive."""

from __future__ import annotations

from sqlalchemy import func, select

from engine import models
from engine.models import ledger
from handlers import (
    archive,
    case_code,
    judicial_confirmation,
    match_mediator,
    notify,
    pool_mediator,
    subsidy_record,
)

from .conftest import raises_code

MATCH = {"specialty": "合同债务", "tier": "town", "unit_code": "441581-01", "preferred_mediator_id": None,
         "mediation_type": "人民调解"}


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_case_code_step_hands_back_the_code_the_case_opened_with(ctx, db):
    """Old diagrams still draw the step: it never issues a second code, nor counts one."""
    db.case.code = "441581-20250303-0001X"
    assert case_code.handle({"county_code": "999999"}, ctx("a")) == {"case_code": "441581-20250303-0001X"}
    assert case_code.handle({}, ctx("b", case=db.other)) == {"case_code": "NEW-2"}
    assert _count(db, ledger.CaseCodeSequence) == 0


def test_mediator_by_specialty_then_load_and_kept_between_rounds(ctx, db):
    first = match_mediator.handle(MATCH, ctx("m1"))
    assert first["name"] == "林调解"
    assert match_mediator.handle(MATCH, ctx("m1")) == first
    assert match_mediator.handle(MATCH | {"specialty": "劳动争议"}, ctx("m2"))["name"] == "林调解"
    assert db.session.get(ledger.Mediator, 2).active_load == 4  # counted once


def test_the_partys_chosen_mediator_is_honoured(ctx, db):
    result = match_mediator.handle(MATCH | {"preferred_mediator_id": 4}, ctx())
    assert (result["name"], result["chosen_by_party"]) == ("郑律师", True)


def test_no_active_mediator_is_an_error(ctx, db):
    for m in db.session.scalars(select(ledger.Mediator)):
        m.active = False
    with raises_code("no_mediator"):
        match_mediator.handle(MATCH, ctx())


def test_notification_is_one_outbox_row_per_task(ctx, db):
    params = {"kind": "reminder", "unit_code": "441581-01", "role": "mediator", "subject": "催办", "body": "x"}
    assert notify.handle(params, ctx("n")) == notify.handle(params, ctx("n"))
    row = db.session.scalars(select(ledger.Outbox)).one()
    assert (row.recipient_unit_id, row.status) == (2, "pending")
    with raises_code("empty_subject"):
        notify.handle(params | {"subject": " "}, ctx("n2"))


def test_judicial_confirmation_request_then_record(ctx, db):
    req = judicial_confirmation.handle({"action": "request", "court": "陆丰市人民法院", "agreement_text": "协议"},
                                       ctx("j1"))
    record = {"action": "record", "confirmation_id": req["confirmation_id"], "result": "confirmed",
              "ruling_no": "(2025)1号"}
    assert judicial_confirmation.handle(record, ctx("j2"))["status"] == "confirmed"
    assert judicial_confirmation.handle(record | {"result": "rejected"}, ctx("j3"))["status"] == "confirmed"
    with raises_code("bad_result"):
        judicial_confirmation.handle(record | {"result": "maybe"}, ctx("j4"))


def test_subsidy_once_and_only_whole_yuan(ctx, db):
    params = {"mediator_id": 1, "amount": 300, "difficulty": "complex", "satisfaction": "满意"}
    assert subsidy_record.handle(params, ctx("s")) == subsidy_record.handle(params, ctx("s"))
    assert _count(db, ledger.SubsidyRecord) == 1
    for bad in (-1, True, 1.5):
        with raises_code("bad_amount"):
            subsidy_record.handle(params | {"amount": bad}, ctx("s2"))


def test_pool_mediator_is_the_one_linked_to_the_account(ctx, db):
    for uid, name in ((1, "zheng"), (2, "grid_li")):
        db.session.add(models.User(id=uid, username=name, password_hash="x", role="mediator",
                                   org_unit_id=db.units["county"].id))
    db.session.get(ledger.Mediator, 4).user_id = 1
    db.session.flush()
    found = pool_mediator.handle({"username": "zheng"}, ctx())
    assert found == {"mediator_id": 4, "name": "郑律师", "gold": True, "username": "zheng", "reason": None}
    stranger = pool_mediator.handle({"username": "grid_li"}, ctx())
    assert stranger["mediator_id"] is None and "grid_li 不在调解员库" in stranger["reason"]
    assert pool_mediator.handle({"username": None}, ctx())["reason"].startswith("无调解员组织调解")
    db.session.get(ledger.Mediator, 4).active = False
    assert pool_mediator.handle({"username": "zheng"}, ctx())["mediator_id"] is None


def test_archive_once_and_releases_the_mediators_load(ctx, db):
    match_mediator.handle(MATCH, ctx("m"))
    params = {"case_code": "MT-1", "outcome": "resolved", "summary": {"tier": "town"}}
    archive.handle(params, ctx("a"))
    archive.handle(params, ctx("a"))
    assert _count(db, ledger.Archive) == 1
    assert db.session.get(ledger.Mediator, 2).active_load == 3
