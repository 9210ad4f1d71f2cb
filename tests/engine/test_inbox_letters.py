"""Warning letters in the inbox: listed for who answers them at the unit addressed, paged with the tasks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import accounts, clock, inbox_letters, risk_letters, tasks
from engine.models import Case, Risk, TaskItem
from tests.engine.test_risk_letters import risk  # noqa: F401  (the fixture)


@pytest.fixture
def village(session, risk):  # noqa: F811
    found, units, users = risk
    users = dict(users, village_staff=accounts.add_user(session, "village_staff", "pw", "centre_staff", units["village"]),
                 village_mediator=accounts.add_user(session, "village_mediator", "pw", "mediator", units["village"]))
    session.flush()
    letter = risk_letters.issue(session, users["leader"], found["repeat_party"].id, due_days="3")
    session.commit()
    return letter, units, users


def _listed(session, user, scope="mine", **filters) -> list:
    rows, _ = tasks.inbox(session, user, scope, letters=True, **filters)
    return [(type(row).__name__, row.id) for row in rows]


def test_the_addressed_unit_s_answerers_see_the_letter_in_every_tab_of_their_own(session, village):
    letter, _, users = village
    assert letter.unit.code == "village-1"
    for scope in ("mine", "unit", "claimable"):
        assert _listed(session, users["village_staff"], scope) == [("RiskLetter", letter.id)]
    assert _listed(session, users["village_staff"], "reported") == []
    assert tasks.inbox(session, users["village_staff"], "mine")[0] == []  # only when asked for letters


@pytest.mark.parametrize("who", ["village_mediator", "staff", "other_staff", "leader", "admin", "grid_worker"])
def test_other_roles_and_other_units_do_not_see_it(session, village, who):
    _, _, users = village
    assert _listed(session, users[who], "unit") == []


def test_the_filters_apply_to_letters(session, village):
    letter, _, users = village
    staff = users["village_staff"]
    assert _listed(session, staff, spec_id=inbox_letters.KIND) == [("RiskLetter", letter.id)]
    assert _listed(session, staff, spec_id="Task_1") == []
    assert _listed(session, staff, code="R-1") == []
    assert _listed(session, staff, overdue=True) == []
    assert _listed(session, staff, overdue=False) == [("RiskLetter", letter.id)]
    with clock.frozen_at(letter.due_at + timedelta(minutes=1)):
        assert _listed(session, staff, overdue=True) == [("RiskLetter", letter.id)]
        assert _listed(session, staff, overdue=False) == []


def test_an_answered_letter_leaves_the_inbox(session, village):
    letter, _, users = village
    risk_letters.answer(session, users["village_staff"], letter.id, "已走访")
    session.commit()
    assert _listed(session, users["village_staff"]) == []


def _task(session, user, at) -> TaskItem:
    row = TaskItem(case_id=session.scalar(select(Case.id).limit(1)), spiff_task_id=str(uuid.uuid4()), spec_id="t",
                   name="t", process_id="p", role="centre_staff", org_unit_id=user.org_unit_id, assignee_id=user.id,
                   state="ready", created_at=at, candidates=[])
    session.add(row)
    session.flush()
    return row


def test_letters_and_tasks_page_together_oldest_first(session, village):
    letter, units, users = village
    staff = users["village_staff"]
    second = risk_letters.issue(session, users["leader"], session.scalar(
        select(Risk.id).where(Risk.kind == "mass_dispute")), unit_code="village-1")
    second.issued_at = letter.issued_at + timedelta(hours=2)
    before = _task(session, staff, letter.issued_at - timedelta(hours=1))
    between = _task(session, staff, letter.issued_at + timedelta(hours=1))
    after = _task(session, staff, letter.issued_at + timedelta(hours=3))
    session.commit()
    everything = [("TaskItem", before.id), ("RiskLetter", letter.id), ("TaskItem", between.id),
                  ("RiskLetter", second.id), ("TaskItem", after.id)]
    assert _listed(session, staff) == everything
    for per_page in (1, 2, 3, 4, 5, 6):
        count = -(-len(everything) // per_page)
        pages = [tasks.inbox(session, staff, "mine", letters=True, page=n, per_page=per_page)
                 for n in range(1, count + 2)]
        assert [more for _, more in pages] == [True] * (count - 1) + [False, False], per_page
        assert [(type(r).__name__, r.id) for rows, _ in pages for r in rows] == everything, per_page
    assert _listed(session, staff, spec_id=inbox_letters.KIND) == [("RiskLetter", letter.id), ("RiskLetter", second.id)]


def test_paging_holds_for_any_mix_and_page_size(session, village):
    import random

    letter, _, users = village
    staff, rng, base = users["village_staff"], random.Random(7), letter.issued_at
    risk_id = letter.risk_id
    letters = [letter] + [risk_letters.issue(session, users["leader"], risk_id) for _ in range(5)]
    for x in letters:
        x.issued_at = base + timedelta(minutes=rng.randrange(0, 300))
    rows = [_task(session, staff, base + timedelta(minutes=rng.randrange(0, 300))) for _ in range(20)]
    session.commit()
    keys = sorted([(x.issued_at, 1, x.id) for x in letters] + [(t.created_at, 0, t.id) for t in rows])
    everything = [("RiskLetter" if kind else "TaskItem", i) for _, kind, i in keys]
    for per_page in range(1, 9):
        got, n, more = [], 1, True
        while more:
            page_rows, more = tasks.inbox(session, staff, "mine", letters=True, page=n, per_page=per_page)
            got += [(type(r).__name__, r.id) for r in page_rows]
            n += 1
        assert got == everything, per_page
