"""An administrator changes a deadline in deadlines.dmn in the browser (dmn-js), sees which recent cases
would change, publishes, and the next case's decision uses it; screenshots at 1280 and 360 px, zh and en."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.models import DecisionRecord

from .browsing import DESKTOP, PHONE, county_app, new_context, no_sideways_scroll, serving, shot, sign_in
from .conftest import engine_session, waiting_order

pytestmark = pytest.mark.browser
CELL = 'td[data-element-id="deadlines_r2_o1"]'  # village, ordinary: the handling duration


@pytest.fixture(params=["中文", "English"])
def language(request):
    return request.param


@pytest.fixture
def served(tmp_path):
    """The app on a free port over its own database (publishing changes it), with two cases waiting."""
    app = county_app(tmp_path)
    waiting = [waiting_order(app) for _ in range(2)]
    with serving(app) as url:
        yield {"url": url, "app": app, "waiting": waiting}


def _type_cell(page, text: str) -> None:
    editable = page.locator(f"{CELL} [contenteditable]")
    editable.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_administrator_changes_a_deadline_replays_and_publishes(chromium, served, viewport, language):
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, served, username="admin")
    page.goto(served["url"] + "/admin/rules")
    no_sideways_scroll(page)
    shot(page, "rules")
    page.get_by_role("link", name=re.compile("办理时限|Deadlines")).click()
    page.wait_for_url("**/admin/rules/deadlines")
    page.locator(".check-ok").wait_for()
    assert page.locator("#dmn-editor .powered-by, #dmn-editor .bjs-powered-by").count() >= 1  # the watermark stays
    shot(page, "rule-edit")
    assert page.locator(f'{CELL}[data-duration]').get_attribute("data-duration") in ("1 天 0 小时", "1 d 0 h")
    assert page.locator("#publish").is_disabled()

    _type_cell(page, "__import__('os')")
    problems = page.locator(".check-problems")
    problems.wait_for()
    assert re.search(r"(规则|Rule) 2 · 办理时限 Handling duration", problems.inner_text())
    assert page.locator(f"{CELL}.cell-problem").count() == 1
    shot(page, "rule-problem")

    _type_cell(page, "'PT36H'")
    page.locator(".check-ok").wait_for()
    page.wait_for_function("(sel) => / 12 /.test(document.querySelector(sel).getAttribute('data-duration') || '')",
                           arg=CELL)
    assert page.locator(f"{CELL}").get_attribute("data-duration") in ("1 天 12 小时", "1 d 12 h")

    page.locator("#in-1").fill("village")
    page.locator("#in-2").fill("ordinary")
    page.get_by_role("button", name=re.compile("试算|Evaluate")).click()
    page.locator(".answer-draft").wait_for()
    assert "PT36H" in page.locator(".answer-draft").inner_text()
    assert "PT24H" in page.locator(".answer-live").inner_text()

    assert page.locator("#publish").is_disabled()
    page.get_by_role("button", name=re.compile("回放|Replay")).click()
    page.locator(".replay-result").wait_for()
    changed = page.locator(".changed-case").all_inner_texts()
    for waiting in served["waiting"]:
        assert any(waiting.case_code in row for row in changed), changed
    page.wait_for_function("!document.getElementById('publish').disabled")
    shot(page, "rule-replay")

    page.locator("#publish").click()
    page.locator(".published").wait_for()
    assert "v2" in page.locator(".published").inner_text()
    shot(page, "rule-published")
    page.get_by_role("button", name=re.compile("重新计算|Recalculate")).click()
    page.locator(".recalc-done").wait_for()
    context.close()

    later = waiting_order(served["app"])  # the next decision of the deadlines table
    with engine_session(served["app"]) as session:
        record = session.scalars(select(DecisionRecord).join(DecisionRecord.case).where(
            DecisionRecord.decision_id == "deadlines").order_by(DecisionRecord.id.desc())).first()
        assert record.case.code == later.case_code
        assert (record.dmn_version, record.outcome["handling_duration"]) == (2, "PT36H")
