"""The monthly analysis page: who may open it (403), the ledger forms (CSRF, 422 naming the field), closing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from engine import analysis_figures, clock
from engine.models import AuditEvent, Case, LedgerEntry, OrgUnit, ProcessVersion

from .conftest import engine_session

RECEIVED = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)
PAGE = "/analysis/2031-03"


def seed_month(app) -> dict[str, int]:
    """Five unresolved 物业纠纷 at each of two towns and one resolved 邻里纠纷 at a village; March analysed."""
    with engine_session(app) as session:
        units = {u.code: u for u in session.scalars(select(OrgUnit))}
        pv = session.scalar(select(ProcessVersion.id))
        rows = [("441581-01", "物业纠纷", False)] * 5 + [("441581-02", "物业纠纷", False)] * 5 + \
            [("441581-01-001-01", "邻里纠纷", True)]
        session.execute(insert(Case), [
            {"code": f"A-{n}", "process_id": "p", "process_version_id": pv, "title": "", "opened_by": "x",
             "opened_at": RECEIVED, "received_at": RECEIVED, "org_unit_id": units[code].id,
             "received_unit_id": units[code].id, "county_id": units["441581"].id, "repeat_petition": False,
             "dispute_type": kind, "status": "closed" if done else "open",
             "outcome": "mediated" if done else None, "resolved_at": RECEIVED if done else None,
             "resolved_tier": "grid" if done else None} for n, (code, kind, done) in enumerate(rows)])
        with clock.frozen_at(datetime(2031, 4, 1, tzinfo=UTC)):
            analysis_figures.run(session, "2031-03")
        session.commit()
        return {e.unit.code: e.id for e in session.scalars(select(LedgerEntry))}


@pytest.fixture
def month(county):
    return seed_month(county)


def _text(res) -> str:
    return res.get_data(as_text=True)


def test_town_staff_see_their_town_in_chinese_and_english(month, browser):
    browser.sign_in("town_staff")
    res = browser.get(PAGE)
    assert res.status_code == 200
    text = _text(res)
    assert "综合研判" in text and "三级台账" in text and "化解不力" in text and "物业纠纷" in text
    assert "城关镇" in text and "河口镇" not in text  # the other town is not theirs
    assert 'aria-current="page"' in text
    browser.get("/language/en?next=/inbox")
    assert "Three-level ledger" in _text(browser.get(PAGE))
    assert browser.get("/analysis?month=2031-03").headers["Location"] == PAGE


@pytest.mark.parametrize("who", ["grid_worker", "village_mediator", "designer", "department"])
def test_other_roles_get_403_and_no_nav_entry(month, browser, who):
    browser.sign_in(who)
    assert "/analysis" not in _text(browser.get("/inbox"))
    assert browser.get(PAGE).status_code == 403
    entry = month["441581-01"]
    assert browser.post(f"{PAGE}/ledger/{entry}/close", {"closing_note": "x"}).status_code == 403


def test_bad_months_are_refused(month, browser):
    browser.sign_in("town_staff")
    assert browser.get("/analysis/2031-13").status_code == 422
    assert browser.get("/analysis?month=march").status_code == 422


def test_posts_without_the_csrf_token_are_refused(month, browser):
    browser.sign_in("town_staff")
    entry = month["441581-01"]
    for path in (f"{PAGE}/ledger/{entry}", f"{PAGE}/ledger/{entry}/close"):
        res = browser.post(path, {"closing_note": "x", "special_team": "x"}, token=False)
        assert res.status_code == 400 and "页面已过期" in _text(res)


def test_changing_and_closing_an_entry(county, month, browser):
    browser.sign_in("town_staff")
    entry = month["441581-01"]
    other = month["441581-02"]
    assert browser.post(f"{PAGE}/ledger/{other}/close", {"closing_note": "x"}, page=PAGE).status_code == 404
    bad = browser.post(f"{PAGE}/ledger/{entry}", {"owner": "town_staff", "special_team": "物业专班",
                                                 "due_date": "31/04/2031"}, page=PAGE)
    assert bad.status_code == 422 and 'id="due_date-error"' in _text(bad) and "物业专班" in _text(bad)
    saved = browser.post(f"{PAGE}/ledger/{entry}", {"owner": "town_mediator", "special_team": "物业专班",
                                                   "due_date": "2031-04-30"}, page=PAGE)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"#entry-{entry}")
    empty = browser.post(f"{PAGE}/ledger/{entry}/close", {"closing_note": " "}, page=PAGE)
    assert empty.status_code == 422 and 'id="closing_note-error"' in _text(empty)
    closed = browser.post(f"{PAGE}/ledger/{entry}/close", {"closing_note": "物业公司已整改"}, page=PAGE)
    assert closed.status_code == 302
    text = _text(browser.get(PAGE))
    assert "物业公司已整改" in text and "已销号" in text
    with engine_session(county) as session:
        row = session.get(LedgerEntry, entry)
        assert (row.status, row.owner.username, row.special_team, str(row.due_date)) == \
            ("closed", "town_mediator", "物业专班", "2031-04-30")
        kinds = [e.kind for e in session.scalars(select(AuditEvent).where(AuditEvent.actor == "town_staff",
                                                                          AuditEvent.kind.like("ledger_%")))]
        assert kinds == ["ledger_updated", "ledger_closed"]


def test_administrators_change_a_threshold_on_the_rules_page_and_the_next_run_uses_it(county, browser):
    from engine.config import ROOT
    live = (ROOT / "processes" / "analysis_flags.dmn").read_text(encoding="utf-8")
    draft = live.replace('<inputEntry id="analysis_flags_r1_i0"><text>? &gt;= 10</text>',
                         '<inputEntry id="analysis_flags_r1_i0"><text>? &gt;= 3</text>')
    assert draft != live
    browser.sign_in("admin")
    base = "/admin/rules/analysis_flags"
    assert browser.get(base).status_code == 200
    answer = browser.post(f"{base}/evaluate", {"xml": draft, "inputs.received": "4", "inputs.previous_received": "4",
                                               "inputs.major_cases": "0", "inputs.repeat_petitions": "0"}, htmx=True)
    assert answer.status_code == 200 and "frequent" in _text(answer)
    assert browser.post(f"{base}/replay", {"xml": draft, "cases": "10"}, htmx=True).status_code == 200
    assert browser.post(f"{base}/publish", {"xml": draft}, htmx=True).status_code == 200
    seed_month(county)  # five unresolved 物业纠纷 per town: badly handled, and now frequent too
    with engine_session(county) as session:
        reasons = {e.unit.code: e.reasons for e in session.scalars(select(LedgerEntry))}
    assert reasons == {"441581-01": ["frequent", "badly_handled"], "441581-02": ["frequent", "badly_handled"]}
