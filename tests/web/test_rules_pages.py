"""/admin/rules through the Flask test client: administrators only, CSRF on every POST, check, replay, publish."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from engine.config import ROOT
from engine.models import AuditEvent, DecisionRecord

from .conftest import engine_session, waiting_order

LIVE = (ROOT / "processes" / "deadlines.dmn").read_text(encoding="utf-8")
# The village's ordinary disputes get 36 hours instead of 24 to handle.
DRAFT = LIVE.replace('<outputEntry id="deadlines_r2_o1"><text>\'PT24H\'</text>',
                     '<outputEntry id="deadlines_r2_o1"><text>\'PT36H\'</text>')
BASE = "/admin/rules/deadlines"


def _text(res) -> str:
    return res.get_data(as_text=True)


@pytest.fixture
def admin(county, browser):
    browser.sign_in("admin")
    return browser


def test_the_list_shows_every_table_with_its_live_version(admin):
    res = admin.get("/admin/rules")
    assert res.status_code == 200
    page = _text(res)
    for name in ("deadlines.dmn", "triage.dmn", "escalation.dmn", "follow_up.dmn", "subsidy.dmn"):
        assert name in page
    assert 'href="/admin/rules/deadlines"' in page and "v1" in page


def test_the_editor_page_loads_dmn_js_with_the_live_table(admin):
    page = _text(admin.get(BASE))
    assert "dmn-modeler.production.min.js" in page and "rules-editor.js" in page
    assert 'name="inputs.tier"' in page and 'name="inputs.severity"' in page
    xml = admin.get(f"{BASE}/live.dmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml" and "deadlines_r2_o1" in _text(xml)
    assert admin.get("/vendor/dmn-js/dmn-modeler.production.min.js").status_code == 200
    assert admin.get("/admin/rules/nothing").status_code == 404


@pytest.mark.parametrize("username", ["designer", "town_staff", "village_mediator"])
def test_other_roles_are_refused(county, browser, username):
    browser.sign_in(username)
    for path in ("/admin/rules", BASE, f"{BASE}/live.dmn"):
        assert browser.get(path).status_code == 403
    assert browser.post(f"{BASE}/check", {"xml": DRAFT}).status_code == 403
    assert browser.post(f"{BASE}/recalc").status_code == 403
    assert "/admin/rules" not in _text(browser.get("/inbox"))


def test_signed_out_goes_to_sign_in(county, client):
    assert client.get("/admin/rules").status_code == 302


@pytest.mark.parametrize("action", ["check", "evaluate", "replay", "publish", "recalc"])
def test_posts_without_the_csrf_token_are_refused(admin, action):
    assert admin.post(f"{BASE}/{action}", {"xml": DRAFT, "cases": "5"}, token=False).status_code == 400


def test_check_names_rule_and_column_of_a_refused_cell(admin):
    bad = DRAFT.replace("<text>'PT36H'</text>", "<text>open('/etc/passwd').read()</text>")
    res = admin.post(f"{BASE}/check", {"xml": bad})
    assert res.status_code == 422
    problem = res.get_json()["problems"][0]
    assert (problem["rule"], problem["row"], problem["column"]) == ("deadlines_r2", 2, "办理时限 Handling duration")
    ok = admin.post(f"{BASE}/check", {"xml": DRAFT}).get_json()
    assert ok["ok"] is True and ok["durations"]["deadlines_r2_o1"] == "1 天 12 小时"


def test_evaluate_answers_with_draft_and_live(admin):
    res = admin.post(f"{BASE}/evaluate", {"xml": DRAFT, "inputs.tier": "village", "inputs.severity": "ordinary"},
                     htmx=True)
    assert res.status_code == 200
    page = _text(res)
    assert "PT36H" in page and "PT24H" in page and "1 天 12 小时" in page


def test_replay_lists_the_changed_cases_then_publish_applies_to_the_next_decision(county, admin):
    waiting = [waiting_order(county) for _ in range(2)]
    assert admin.post(f"{BASE}/publish", {"xml": DRAFT}, htmx=True).status_code == 409  # not replayed yet

    res = admin.post(f"{BASE}/replay", {"xml": DRAFT, "cases": "10"}, htmx=True)
    assert res.status_code == 200
    page = _text(res)
    for w in waiting:
        assert f'href="/cases/{w.case_code}"' in page
    assert page.count('class="changed-case"') == 2 and "PT36H" in page

    res = admin.post(f"{BASE}/publish", {"xml": DRAFT}, htmx=True)
    assert res.status_code == 200 and "v2" in _text(res)
    later = waiting_order(county)
    with engine_session(county) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "rules_published")).one()
        assert event.actor == "admin" and event.detail["changes"]["cells"][0]["to"] == "'PT36H'"
        record = session.scalars(select(DecisionRecord).join(DecisionRecord.case).where(
            DecisionRecord.decision_id == "deadlines").order_by(DecisionRecord.id.desc())).first()
        assert record.case.code == later.case_code
        assert (record.dmn_version, record.outcome["handling_duration"]) == (2, "PT36H")
    assert "v2" in _text(admin.get("/admin/rules"))

    with engine_session(county) as session:
        recorded = session.scalar(select(func.count()).select_from(DecisionRecord))
    res = admin.post(f"{BASE}/recalc", htmx=True)  # the offer after publishing
    assert res.status_code == 200 and "recalc-done" in _text(res)
    with engine_session(county) as session:  # re-deriving due times is no decision of the case
        assert session.scalar(select(func.count()).select_from(DecisionRecord)) == recorded
        # The cases wait to be accepted: their acceptance deadlines did not change, so nothing moved.
        assert session.scalars(select(AuditEvent).where(AuditEvent.kind == "timers_recalculated")).all() == []


def test_an_empty_or_oversized_draft_is_refused(county, admin):
    assert admin.post(f"{BASE}/check", {"xml": ""}).status_code == 400
    county.config["MEDIATE"] = dataclasses.replace(county.config["MEDIATE"], max_upload_bytes=1000)
    res = admin.post(f"{BASE}/replay", {"xml": DRAFT, "cases": "5"}, htmx=True)
    assert res.status_code == 400 and "larger" in _text(res)


def test_a_bad_replay_count_is_refused_naming_it(admin):
    res = admin.post(f"{BASE}/replay", {"xml": DRAFT, "cases": "0"}, htmx=True)
    assert res.status_code == 400 and "cases" in _text(res)
