"""The risk pages: who sees the list, issuing a warning letter, the printable letter and its answer; CSRF."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, PartyKey, Risk, RiskLetter
from tests.processes import steps

from .conftest import engine_session, waiting_order

TOWN = "441581-01"
BUILDING = "五华县水寨镇幸福里小区3栋"


@pytest.fixture
def repeated(county):
    """Three cases registered with the same parties (steps.PARTIES): the same ID number and phone thrice."""
    codes = [waiting_order(county).case_code for _ in range(3)]
    return county, codes


def _risk_id(app) -> int:
    with engine_session(app) as session:
        return session.scalar(select(Risk.id).where(Risk.kind == "repeat_party"))


def test_registering_parties_writes_their_digests_never_their_values(repeated):
    app, codes = repeated
    with engine_session(app) as session:
        rows = session.execute(select(PartyKey.kind, PartyKey.digest)).all()
    assert {kind for kind, _ in rows} == {"id_number", "phone"}
    assert len({digest for kind, digest in rows if kind == "id_number"}) == 1  # the same person in each case
    assert not any(value in str(rows) for value in ("441581198001011234", "13800138000", "8812345"))


def test_centre_staff_see_the_risk_masked(repeated, browser):
    app, codes = repeated
    browser.sign_in("county_staff")
    page = browser.get("/risks")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "同一当事人" in html and all(code in html for code in codes)
    for value in ("441581198001011234", "13800138000", "张三", "张*"):
        assert value not in html
    assert "同一当事人" not in browser.get("/risks?kind=mass_dispute").get_data(as_text=True)


def test_one_address_in_three_cases_is_a_repeat_address_never_shown(county, browser):
    """Different people, the dispute at one building, typed three ways; the parties' own homes differ."""
    typed = (BUILDING, "广东省五华县水寨镇 幸福里小区３栋", "五华县水寨镇幸福里小区3栋。")
    codes = [waiting_order(county, address=place, parties=[{**party, "address": f"五华县华城镇新{n}村{n}号"}
                                                          for party in steps.parties(3)[n:n + 1]])
             for n, place in enumerate(typed)]
    with engine_session(county) as session:
        kinds = sorted(session.scalars(select(PartyKey.kind)))
    assert kinds == ["address"] * 6 + ["phone"] * 3  # each case: its place and its party's home
    browser.sign_in("county_staff")
    html = browser.get("/risks?kind=repeat_address").get_data(as_text=True)
    assert "同一地址90天内涉及3件纠纷" in html and "重复地址" in html
    assert all(order.case_code in html for order in codes)
    assert "同一当事人" not in html
    for text in ("幸福里", "水寨镇", "华城镇", "13800000001"):
        assert text not in html
    assert "同一地址" not in browser.get("/risks?kind=repeat_party").get_data(as_text=True)
    assert "同一地址" in browser.get("/risks").get_data(as_text=True)


@pytest.mark.parametrize("username", ["village_mediator", "grid_worker", "designer", "department"])
def test_other_roles_are_refused(repeated, browser, username):
    browser.sign_in(username)
    assert browser.get("/risks").status_code == 403


def test_issue_print_and_answer_a_letter(repeated, browser):
    app, codes = repeated
    browser.sign_in("county_staff")
    browser.get("/risks")
    risk_id = _risk_id(app)
    refused = browser.post(f"/risks/{risk_id}/letters", {"due_days": "5", "unit": TOWN}, token=False)
    assert refused.status_code == 400
    issued = browser.post(f"/risks/{risk_id}/letters", {"due_days": "5", "note": "立即走访", "unit": TOWN},
                          page="/risks")
    assert issued.status_code == 302
    url = issued.headers["Location"]
    assert re.search(r"/risks/letters/\d+$", url)
    letter = browser.get(url).get_data(as_text=True)
    assert "风险预警函〔" in letter and "立即走访" in letter and 'name="answer"' not in letter
    assert "@page" not in letter and "letter.css" in letter
    bad = browser.post(f"/risks/{risk_id}/letters", {"due_days": "0"}, page="/risks")
    assert bad.status_code == 400

    browser.client.post("/logout", data={"csrf_token": browser.token("/risks")})
    browser.sign_in("town_staff")
    assert "本单位待回复的风险预警函" in browser.get("/risks").get_data(as_text=True)
    page = browser.get(url).get_data(as_text=True)
    assert 'name="answer"' in page
    answer_url = url + "/answer"
    assert browser.post(answer_url, {"answer": "已走访"}, token=False).status_code == 400
    assert browser.post(answer_url, {"answer": "  "}, page=url).status_code == 400
    done = browser.post(answer_url, {"answer": "已走访当事人，落实稳控措施"}, page=url)
    assert done.status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "已走访当事人，落实稳控措施" in page and 'name="answer"' not in page
    assert browser.post(answer_url, {"answer": "again"}, page=url).status_code == 409
    with engine_session(app) as session:
        letter = session.scalar(select(RiskLetter))
        assert (letter.status, letter.answered_by) == ("answered", "town_staff")
        kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("risk_letter%")).order_by(AuditEvent.id)))
    assert kinds == ["risk_letter_issued", "risk_letter_answered"]


def test_another_town_cannot_open_the_letter(repeated, browser):
    app, _ = repeated
    browser.sign_in("county_staff")
    browser.get("/risks")
    issued = browser.post(f"/risks/{_risk_id(app)}/letters", {"unit": TOWN}, page="/risks")
    url = issued.headers["Location"]
    browser.client.post("/logout", data={"csrf_token": browser.token("/risks")})
    browser.sign_in("staff_02")
    assert browser.get(url).status_code == 404
    assert browser.post(url + "/answer", {"answer": "x"}, page="/risks").status_code == 404


def test_a_letter_is_a_row_in_the_inbox_and_goes_up_when_unanswered(repeated, browser):
    from engine import clock, sweep

    app, _ = repeated
    browser.sign_in("county_staff")
    browser.get("/risks")
    issued = browser.post(f"/risks/{_risk_id(app)}/letters", {"due_days": "2", "unit": TOWN}, page="/risks")
    url = issued.headers["Location"]
    browser.client.post("/logout", data={"csrf_token": browser.token("/risks")})
    browser.sign_in("town_staff")
    inbox = browser.get("/inbox").get_data(as_text=True)
    with engine_session(app) as session:
        letter = session.scalar(select(RiskLetter))
        number, due = letter.number, letter.due_at
    assert number in inbox and 'class="task-row letter-row' in inbox and url.split("localhost")[-1] in inbox
    assert "风险预警函</span>" in inbox and "已升级至" not in inbox
    assert number in browser.get("/inbox?task=risk_letter").get_data(as_text=True)
    assert number not in browser.get("/inbox?overdue=1").get_data(as_text=True)
    browser.client.post("/logout", data={"csrf_token": browser.token("/inbox")})
    browser.sign_in("town_mediator")
    assert number not in browser.get("/inbox").get_data(as_text=True)
    browser.client.post("/logout", data={"csrf_token": browser.token("/inbox")})

    with engine_session(app) as session, clock.frozen_at(due + timedelta(minutes=1)):
        assert sweep.sweep(session).letters == 1
    browser.sign_in("county_staff")
    inbox = browser.get("/inbox").get_data(as_text=True)
    assert number in inbox and "已升级至示范县综治中心" in inbox
    page = browser.get(url).get_data(as_text=True)
    assert "升级记录" in page and 'name="answer"' in page
    assert "已升级至示范县综治中心" in browser.get("/risks").get_data(as_text=True)
    done = browser.post(url + "/answer", {"answer": "县中心已督促镇里走访"}, page=url)
    assert done.status_code == 302
    assert number not in browser.get("/inbox").get_data(as_text=True)
