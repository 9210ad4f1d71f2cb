"""Warning letters: written from the template, numbered per year, answered once by the addressed unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import clock, risk_letters
from engine.errors import BadRequest, Conflict, Forbidden, NotFound
from engine.models import CaseSignal, Risk
from tests.engine.test_risks import ADDRESS, add_case, with_address, with_phone
from tests.helpers import deploy_fixture, small_org


@pytest.fixture
def risk(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session)
    for days in (1, 2, 3):
        with_phone(session, add_case(session, units["village"], days))
    for days in (4, 5, 6):
        with_address(session, add_case(session, units["grid"], days))
    case = add_case(session, units["village"])
    session.add(CaseSignal(case_id=case.id, party_count=12, mass=True, extreme=False))
    session.flush()
    from engine import risks
    risks.scan(session)
    found = {r.kind: r for r in session.query(Risk)}
    return found, units, users


def test_a_repeat_address_letter_names_the_counts_never_the_address(session, risk):
    found, units, users = risk
    letter = risk_letters.issue(session, users["staff"], found["repeat_address"].id)
    assert "风险类型：重复地址" in letter.text and "风险等级：中" in letter.text
    assert "同一地址（当事人住址或纠纷发生地址相同）在90天内涉及3件纠纷" in letter.text
    assert all(code in letter.text for code in found["repeat_address"].case_codes)
    assert "幸福里" not in letter.text and ADDRESS not in letter.text and letter.unit_id == units["grid"].id


def test_the_letter_is_written_from_the_template_with_counts_only(session, risk):
    found, units, users = risk
    at = datetime(2031, 12, 31, 17, 0, tzinfo=UTC)  # 1 January 2032 in China
    with clock.frozen_at(at):
        letter = risk_letters.issue(session, users["leader"], found["repeat_party"].id, due_days="10",
                                    note="三日内走访")
    assert letter.number == "风险预警函〔2032〕第1号" and (letter.year, letter.serial) == (2032, 1)
    assert letter.unit_id == units["village"].id and letter.from_unit_id == units["county"].id
    assert letter.due_at == at + timedelta(days=10) and letter.status == "open"
    text = letter.text
    assert text.startswith("风险预警函\n风险预警函〔2032〕第1号\n\n村一：")
    assert "风险类型：重复当事人" in text and "风险等级：高" in text and "工作要求：三日内走访" in text
    assert "在90天内涉及3件纠纷" in text and "于2032年1月11日前" in text and text.rstrip().endswith("2032年1月1日")
    assert all(code in text for code in found["repeat_party"].case_codes)
    with clock.frozen_at(at):
        second = risk_letters.issue(session, users["staff"], found["mass_dispute"].id)
    assert second.number == "风险预警函〔2032〕第2号" and "工作要求" not in second.text
    assert "当事人12人，已标记为群体性纠纷。" in second.text and second.due_at == at + timedelta(days=7)


@pytest.mark.parametrize("due", ["0", "91", "x", "1.5", True, -3])
def test_a_due_that_is_no_whole_number_of_days_is_refused(session, risk, due):
    found, _, users = risk
    with pytest.raises(BadRequest) as refused:
        risk_letters.issue(session, users["leader"], found["repeat_party"].id, due_days=due)
    assert refused.value.fields == {"due_days": "1 to 90"}


def test_who_may_issue_and_to_whom(session, risk):
    found, units, users = risk
    with pytest.raises(Forbidden):
        risk_letters.issue(session, users["mediator"], found["repeat_party"].id)
    with pytest.raises(NotFound):
        risk_letters.issue(session, users["other_staff"], found["repeat_party"].id)
    with pytest.raises(Forbidden):  # a unit the issuer does not see
        risk_letters.issue(session, users["staff"], found["repeat_party"].id, unit_code="town-2")
    with pytest.raises(BadRequest):
        risk_letters.issue(session, users["staff"], found["repeat_party"].id, note="x" * 1001)


def test_the_addressed_unit_answers_once(session, risk):
    found, units, users = risk
    letter = risk_letters.issue(session, users["leader"], found["repeat_party"].id, unit_code="town-1")
    assert risk_letters.may_answer(users["staff"], letter) and not risk_letters.may_answer(users["leader"], letter)
    with pytest.raises(Forbidden):
        risk_letters.answer(session, users["leader"], letter.id, "已处置")
    with pytest.raises(NotFound):
        risk_letters.answer(session, users["other_staff"], letter.id, "已处置")
    with pytest.raises(BadRequest):
        risk_letters.answer(session, users["staff"], letter.id, "x" * 4001)
    with clock.frozen_at(letter.due_at + timedelta(hours=1)):
        risk_letters.answer(session, users["staff"], letter.id, "  已走访，落实稳控  ")
        assert risk_letters.as_dict(letter)["overdue"] is False  # answered, so no longer owed
    assert (letter.status, letter.answer, letter.answered_by) == ("answered", "已走访，落实稳控", "staff")
    assert not risk_letters.may_answer(users["staff2"], letter)
    with pytest.raises(Conflict):
        risk_letters.answer(session, users["staff2"], letter.id, "再次回复")
    assert [x.id for x in risk_letters.listing(session, users["staff"], status="answered")] == [letter.id]
    assert risk_letters.listing(session, users["other_staff"]) == []
