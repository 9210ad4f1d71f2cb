"""The risk pages in a real browser: county staff find the repeat party, issue a warning letter, print it;
the letter lapses and goes up to the county centre; the town centre finds it in its inbox and answers it.
Screenshots at 1280 and 360 px in Chinese and English, and the printed letter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from engine import clock, letter_escalation
from engine.models import RiskLetter
from tests.processes import steps

from . import test_browser as shared
from .browsing import (
    DESKTOP,
    PHONE,
    SHOTS,
    county_app,
    new_context,
    no_sideways_scroll,
    serving,
    shot,
    sign_in,
)
from .conftest import engine_session, waiting_order

pytestmark = pytest.mark.browser
PLACES = ("五华县水寨镇幸福里小区3栋", "五华县水寨镇 幸福里小区３栋", "广东省五华县水寨镇幸福里小区3栋。")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The shared orders (four cases registered with the same parties), three cases of other parties at one
    building, its address typed three ways, and the app to run the sweep's steps on."""
    app = county_app(tmp_path_factory.mktemp("live"))
    orders = shared._orders(app)
    places = [waiting_order(app, address=place, parties=steps.parties(3)[n:n + 1]) for n, place in enumerate(PLACES)]
    with serving(app) as url:
        yield {"url": url, "app": app, **orders, "places": places}


def _lapse(app, letter_id: int) -> None:
    """The letter's due time passes unanswered: the sweep's step sends it up a tier."""
    with engine_session(app) as session:
        due = session.get(RiskLetter, letter_id).due_at
        with clock.frozen_at(due + timedelta(minutes=1)):
            assert letter_escalation.escalate_due(session) == 1


@pytest.fixture(params=["中文", "English"])
def language(request):
    return request.param


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_issue_print_and_answer_a_warning_letter(chromium, live, viewport, language):
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    sign_in(page, live, "county_staff")
    page.goto(live["url"] + "/risks")
    row = page.locator(".risk-row").filter(has_text=re.compile("同一当事人|The same person"))
    assert row.count() == 1
    assert all(order.case_code in row.inner_text() for order in live["orders"])
    assert "13800138000" not in page.content() and "441581198001011234" not in page.content()
    no_sideways_scroll(page)
    shot(page, "risks")
    row.locator("summary").click()
    row.get_by_label(re.compile("回复期限|Days to answer")).fill("5")
    row.get_by_label(re.compile("工作要求|Requirements")).fill("请立即走访当事人，落实稳控措施")
    shot(page, "risks-issue")
    row.get_by_role("button", name=re.compile("^(发出|Issue)$")).click()
    page.wait_for_url(re.compile(r".*/risks/letters/\d+$"))
    letter_url = page.url
    sheet = page.locator(".letter-sheet")
    assert "风险预警函〔" in sheet.inner_text() and "请立即走访当事人" in sheet.inner_text()
    no_sideways_scroll(page)
    shot(page, "risk-letter")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible() and not page.locator(".no-print").first.is_visible()
    lang = page.locator("html").get_attribute("lang")
    page.screenshot(path=str(SHOTS / f"risk-letter-print-{lang}-{viewport['width']}.png"), full_page=True)
    if viewport is DESKTOP and language == "中文":
        page.pdf(path=str(SHOTS / "risk-letter-print.pdf"), format="A4")
    context.close()

    context = new_context(chromium, viewport, language)
    page = context.new_page()
    _lapse(live["app"], int(letter_url.rsplit("/", 1)[1]))
    sign_in(page, live, "town_staff")
    page.goto(live["url"] + "/risks")
    page.get_by_role("link", name=re.compile(r"风险预警函〔")).first.wait_for()
    page.goto(live["url"] + "/inbox")
    row = page.locator(f"#letter-{letter_url.rsplit('/', 1)[1]}")
    assert re.search("已升级至示范县综治中心|Escalated to 示范县综治中心", row.inner_text())
    no_sideways_scroll(page)
    shot(page, "inbox-letter")
    row.get_by_role("link", name=re.compile(r"风险预警函〔")).click()
    page.wait_for_url(letter_url)
    assert re.search("升级记录|Escalations", page.locator(".letter-escalations").inner_text())
    no_sideways_scroll(page)
    shot(page, "risk-letter-escalated")
    page.get_by_label(re.compile("本单位回复|Your unit's answer")).fill("已走访当事人，签订稳控协议")
    page.get_by_role("button", name=re.compile("提交回复|Send answer")).click()
    page.locator(".letter-answer").wait_for()
    assert "已走访当事人" in page.locator(".letter-answer").inner_text()
    no_sideways_scroll(page)
    shot(page, "risk-letter-answered")
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_repeat_address_is_listed_without_the_address(chromium, live, viewport, language):
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    sign_in(page, live, "county_staff")
    page.goto(live["url"] + "/risks")
    kind = page.get_by_label(re.compile("^(类型|Kind)$"))
    kind.select_option(value="repeat_address")
    assert kind.locator("option:checked").inner_text() in ("重复地址", "Repeat address")
    page.get_by_role("button", name=re.compile("^(筛选|Filter)$")).click()
    page.wait_for_url(re.compile(r".*kind=repeat_address.*"))
    rows = page.locator(".risk-row")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert re.search("同一地址90天内涉及3件纠纷|The same address in 3 cases within 90 days", text)
    assert all(order.case_code in text for order in live["places"])
    assert "幸福里" not in page.content() and "水寨镇" not in page.content()
    no_sideways_scroll(page)
    shot(page, "risks-repeat-address")
    context.close()
