"""一案一码: one code per case, issued when it opens, per county and day, with a check character."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from engine import case_codes, cases, clock, orgs, tasks
from engine.errors import Conflict, FormInvalid
from engine.models import Case, CaseCodeSequence, User
from tests.conftest import ON_POSTGRES
from tests.helpers import deploy_fixture, small_org

CODE = "441581-20261201-0007"
SAMPLES = [CODE, "441581-20261231-12345", "C0UNTY-20260101-0001", "9-20260615-9999"]


def _full(body: str) -> str:
    return body + case_codes.check_character(body)


@pytest.mark.parametrize("body", SAMPLES)
def test_every_single_wrong_character_is_caught(body):
    code = _full(body)
    for i, ch in enumerate(code):
        if ch == "-":
            continue
        for other in case_codes.ALPHABET:
            if other != ch:
                assert not case_codes.is_valid(code[:i] + other + code[i + 1:]), (code, i, other)


@pytest.mark.parametrize("body", SAMPLES)
def test_every_swap_of_neighbours_is_caught_check_character_included(body):
    chars = [ch for ch in _full(body) if ch != "-"]
    for i in range(len(chars) - 1):
        if chars[i] == chars[i + 1]:
            continue
        swapped = chars[:i] + [chars[i + 1], chars[i]] + chars[i + 2:]
        # Put the hyphens back where the code has them, so only the swap differs.
        text, k = "", 0
        for ch in _full(body):
            text += "-" if ch == "-" else swapped[k]
            k += ch != "-"
        assert not case_codes.is_valid(text), text


def test_codes_use_no_look_alike_letters_and_read_them_as_the_digit_they_resemble():
    assert not set("ILOSZ") & set(case_codes.ALPHABET)
    assert len(case_codes.ALPHABET) == case_codes.MODULUS == 31
    code = _full(CODE)
    typed = code.replace("1", "l").replace("0", "O").lower()
    assert case_codes.normalize(typed) == code
    assert case_codes.normalize("  ４４１５８１ － 20261201 — 0007" + code[-1] + " ") == code
    assert case_codes.normalize(code.replace("-", " ")) == code


@pytest.mark.parametrize("text", [
    "", "441581", "441581-20261201-0007", "441581-2026121-00071", "C20261201-000002",
    "MT-441581-20261201-0001", "441581-20261201-007X", None, 441581])
def test_malformed_or_old_style_codes_are_not_valid(text):
    assert case_codes.normalize(text) is None and not case_codes.is_valid(text)


def test_county_codes_outside_the_alphabet_are_refused():
    assert case_codes.county_segment("441581") == "441581"
    assert case_codes.county_segment("county") == "C0UNTY"
    for bad in ("4415-81", "示范县", "1234567890123"):
        with pytest.raises(Conflict):
            case_codes.county_segment(bad)


def _open(session, user, unit=None, at=datetime(2026, 12, 1, 3, 0, tzinfo=UTC)):
    with clock.frozen_at(at):
        return cases.open_case(session, user, "simple", {}, unit_code=unit)


def test_codes_carry_the_county_and_local_date_and_count_per_county_day(session, echo_handler):
    units, users = small_org(session)
    other_county = orgs.add_unit(session, "441582", "邻县", "county")
    deploy_fixture(session)
    staff, admin = users["staff"], users["admin"]
    first, second = _open(session, staff), _open(session, users["grid_worker"])
    elsewhere = _open(session, admin, unit=other_county.code)
    # 16:30 UTC is already the next day in Beijing: a new day, a new count.
    next_day = _open(session, staff, at=datetime(2026, 12, 1, 16, 30, tzinfo=UTC))
    codes = [c.code for c in (first, second, elsewhere, next_day)]
    assert [c[:-1] for c in codes] == ["C0UNTY-20261201-0001", "C0UNTY-20261201-0002",
                                       "441582-20261201-0001", "C0UNTY-20261202-0001"]
    assert all(case_codes.is_valid(c) for c in codes)
    counted = {s.prefix: s.last for s in session.scalars(select(CaseCodeSequence))}
    assert counted == {"C0UNTY-20261201": 2, "441582-20261201": 1, "C0UNTY-20261202": 1}


def test_the_code_is_in_the_data_from_the_start_and_never_changes(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session)
    case = _open(session, users["staff"])
    session.commit()
    code = case.code
    row = cases.open_tasks(session, case)[0]
    assert tasks.current_data(session, row)["case_code"] == code
    tasks.complete(session, users["staff"], row.id, {"title": "t", "parties_count": 2})
    session.commit()
    assert cases.get_case(session, users["staff"], code).id == case.id
    assert tasks.current_data(session, cases.open_tasks(session, case)[0])["case_code"] == code


def test_callers_and_forms_cannot_set_the_code(session, echo_handler):
    _, users = small_org(session)
    deploy_fixture(session)
    with pytest.raises(FormInvalid) as refused:
        cases.open_case(session, users["staff"], "simple", {"case_code": "X"})
    assert refused.value.fields == {"data.case_code": "系统保留的名称,表单不能使用 This name is reserved"}
    case = _open(session, users["staff"])
    session.commit()
    row = cases.open_tasks(session, case)[0]
    with pytest.raises(FormInvalid) as refused:
        tasks.complete(session, users["staff"], row.id, {"title": "t", "parties_count": 2, "case_code": "X"})
    assert "case_code" in refused.value.fields


def _open_in_thread(url, codes, barrier):
    engine = create_engine(url)
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == "staff"))
        barrier.wait()
        with clock.frozen_at(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)):
            case = cases.open_case(session, user, "simple", {})
        session.commit()
        codes.append(case.code)
    engine.dispose()


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers are PostgreSQL's; SQLite has one writer")
def test_openings_at_the_same_moment_get_distinct_numbers(session, database_url, echo_handler):
    small_org(session)
    deploy_fixture(session)
    session.commit()
    codes, barrier = [], threading.Barrier(6)
    threads = [threading.Thread(target=_open_in_thread, args=(database_url, codes, barrier)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(c[:-1] for c in codes) == [f"C0UNTY-20261201-{n:04d}" for n in range(1, 7)]
    assert session.scalar(select(CaseCodeSequence.last)) == 6 and session.query(Case).count() == 6
