"""An administrator shortens a town deadline in dmn-js and runs the what-if panel: the table of figures,
live beside draft, marks what the draft changes; screenshots at 1280 and 360 px, zh and en."""

from __future__ import annotations

import re

import pytest

from .browsing import DESKTOP, PHONE, new_context, no_sideways_scroll, shot, sign_in
from .test_rules_browser import language, served  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser
CELL = 'td[data-element-id="deadlines_r4_o1"]'  # town, ordinary: the handling duration (3 days)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_administrator_simulates_a_shorter_deadline(chromium, served, viewport, language):  # noqa: F811
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    sign_in(page, served, username="admin")
    page.goto(served["url"] + "/admin/rules/deadlines")
    page.locator(".check-ok").wait_for()
    editable = page.locator(f"{CELL} [contenteditable]")
    editable.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("'PT12H'")
    page.locator(".check-ok").wait_for()
    page.wait_for_function("(sel) => /12/.test(document.querySelector(sel).getAttribute('data-duration') || '')",
                           arg=CELL)

    panel = page.locator("#simulate-form")
    panel.scroll_into_view_if_needed()
    page.get_by_text(re.compile("案件与人员的构成|The mix of cases")).click()  # the mix, shown on demand
    assert page.locator(".simulate-mix-tiers tbody tr").count() == 4
    page.get_by_label(re.compile("模拟案件数|Synthetic cases")).fill("40")
    page.get_by_label(re.compile("随机种子|Seed")).fill("2")
    button = page.get_by_role("button", name=re.compile("模拟推演草稿|Simulate draft"))
    page.wait_for_function("!document.querySelector('#simulate-form button').disabled")
    page.evaluate("""() => {  // note whether the progress bar showed while the server simulated
      const bar = document.getElementById('simulate-progress');
      new MutationObserver(() => { if (getComputedStyle(bar).display !== 'none') { window.progressShown = true; } })
        .observe(bar, {attributes: true});
    }""")
    button.click()
    page.locator(".simulate-result").wait_for(timeout=60_000)
    assert page.evaluate("window.progressShown === true")
    assert page.locator("#simulate-progress").is_hidden()
    page.wait_for_function("!document.querySelector('#simulate-form button').disabled")  # offered again
    text = page.locator(".simulate-result").inner_text()
    assert "40" in text
    # A town settling within 12 hours changes the town's and the county's figures; the cases stay the same.
    assert page.locator('tr[data-figure^="town: "].sim-changed').count() >= 1
    assert re.search("按期完成的轮次|Rounds on time", page.locator('tr[data-figure="town: rounds on time"]').inner_text())
    assert page.locator('tr[data-figure="cases"].sim-changed').count() == 0
    no_sideways_scroll(page)
    page.mouse.move(0, 0)
    page.locator("#simulate-result").scroll_into_view_if_needed()
    shot(page, "rule-simulate")

    page.get_by_label(re.compile("模拟案件数|Synthetic cases")).fill("0")
    page.evaluate("document.getElementById('simulate-cases').removeAttribute('min')")
    button.click()
    page.locator("#simulate-result .rules-refused").wait_for()
    assert "cases" in page.locator("#simulate-result").inner_text()
    context.close()
