"""What lists and page sessions read from the engine: case fields for lists, inbox search, the commands a
row offers, the task filter's names, and the user a page session names."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine import accounts, demo, deploy, tasks
from engine.models import Case, User
from tests.processes import steps
from tests.processes.harness import Scenario


@pytest.fixture
def county(app, session):
    settings = app.config["MEDIATE"]
    deploy.deploy(session, deploy.read_directories(settings.processes_dir, settings.forms_dir), "test",
                  max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
    demo.load(session)
    session.commit()
    return session


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


def _order_at_the_village(session, **over) -> Scenario:
    run = Scenario(session, "town_staff")
    steps.intake(run, **({"dispute_type": "合同债务", "amount": 2000, "location_unit_code": steps.GRID} | over))
    steps.route(run)
    return run


def test_the_case_row_keeps_the_dispute_type_and_masked_names_for_lists(county):
    run = _order_at_the_village(county)
    case = county.get(Case, run.case_id)
    assert case.dispute_type == "合同债务"
    assert case.party_names == ["张*", "李*"]
    stored = json.dumps([case.title, case.party_names, case.dispute_type], ensure_ascii=False)
    assert "张三" not in stored and "李四" not in stored


def test_a_case_without_parties_yet_lists_none(county):
    run = Scenario(county, "town_staff")
    case = county.get(Case, run.case_id)
    assert case.party_names in ([], None) and case.dispute_type is None


def test_inbox_search_matches_part_of_a_case_code_in_any_case(county):
    first, second = _order_at_the_village(county), _order_at_the_village(county)
    mediator = _user(county, "village_mediator")
    code = county.get(Case, second.case_id).code
    rows, _ = tasks.inbox(county, mediator, "claimable", code=code[-4:].lower())
    assert [r.case_id for r in rows] == [second.case_id]
    rows, _ = tasks.inbox(county, mediator, "claimable", code="%")
    assert rows == []  # a wildcard is a character, not "anything"
    rows, _ = tasks.inbox(county, mediator, "claimable", code=code[:3])
    assert {r.case_id for r in rows} == {first.case_id, second.case_id}


def test_a_row_offers_claim_to_who_may_take_it_and_reassign_to_supervisors(county):
    run = _order_at_the_village(county)
    row = run.row("accept_order")
    mediator, staff, grid = (_user(county, n) for n in ("village_mediator", "town_staff", "grid_worker"))
    assert tasks.actions(mediator, row) == tasks.Actions(claim=True, reassign=False)
    assert tasks.actions(staff, row) == tasks.Actions(claim=True, reassign=True)
    assert tasks.actions(grid, row).claim is False
    tasks.claim(county, mediator, row.id)
    county.commit()
    assert tasks.actions(mediator, row).claim is False
    assert tasks.actions(staff, row) == tasks.Actions(claim=False, reassign=True)


def test_task_kinds_name_the_library_s_user_tasks(county):
    kinds = dict(tasks.task_kinds(county))
    assert {"register", "accept_order", "mediate"} <= set(kinds)
    assert all(name for name in kinds.values())


@pytest.mark.parametrize("session_id", ["", "x:y", "1", "1:", ":0", "²:0", "1:-1", "99999999999:0", "1:0:0"])
def test_a_malformed_page_session_names_nobody(county, session_id):
    assert accounts.session_user(county, session_id) is None


def test_a_page_session_ends_when_the_user_s_version_moves_on(county):
    user = _user(county, "village_mediator")
    assert accounts.session_user(county, f"{user.id}:{user.session_version}") is user
    accounts.change_password(county, user, "a-new-password", "admin")
    assert accounts.session_user(county, f"{user.id}:{user.session_version - 1}") is None
    assert accounts.session_user(county, f"{user.id}:{user.session_version}") is user
    accounts.deactivate(county, user, "admin")
    assert accounts.session_user(county, f"{user.id}:{user.session_version}") is None
