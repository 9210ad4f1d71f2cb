"""The case pages and the public pages in a real browser: a citizen reports and tracks a dispute, staff see a
case's path highlighted on its diagram; screenshots at 1280 and 360 px in Chinese and English."""

from __future__ import annotations

import re

import pytest

from tests.processes import steps

from . import test_browser as shared
from .browsing import DESKTOP, PHONE, new_context, no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser
live = shared.live  # the app served on a free port
CONTACT = "13912345678"


@pytest.fixture(params=["中文", "English"])
def language(request):
    return request.param


def _report(page, live) -> str:
    page.goto(live["url"] + "/report")
    page.locator("#dispute_type").select_option("邻里纠纷")
    page.locator("#summary").fill("邻居堆放杂物堵住通道")
    page.locator("#parties-0-name").fill("王五")
    page.locator("#parties-0-phone").fill(CONTACT)
    page.locator("#contact_phone").fill(CONTACT)
    for kind, code in (("county", "441581"), ("town", "441581-01"), ("village", steps.VILLAGE), ("grid", steps.GRID)):
        page.locator(f'#place-{kind}:not([disabled]) option[value="{code}"]').wait_for(state="attached")
        # each choice reloads the levels below it; the next pick waits until htmx has settled them
        page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')")
        with page.expect_response(lambda r: "/report/places" in r.url):
            page.locator(f"#place-{kind}").select_option(code)
    page.wait_for_function("document.querySelector('#place-grid') && document.querySelector('#place-grid').value !== ''"
                           " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")
    page.get_by_role("button", name=re.compile("提交|Send the report")).click()
    page.locator("#case-code").wait_for()
    return page.locator("#case-code").inner_text().strip()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_citizen_reports_a_dispute_then_tracks_it_by_code(chromium, live, viewport, language):
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    page.goto(live["url"] + "/report")
    no_sideways_scroll(page)
    shot(page, "report")
    page.get_by_role("button", name=re.compile("提交|Send the report")).click()  # nothing filled in
    assert page.locator(".is-invalid").count() >= 3
    shot(page, "report-errors")
    code = _report(page, live)
    no_sideways_scroll(page)
    shot(page, "report-done")
    page.goto(live["url"] + "/track")
    page.locator("#code").fill(code.lower())
    page.locator("#digits").fill(CONTACT[-4:])
    page.get_by_role("button", name=re.compile("查询|Look up")).click()
    page.locator("#track-result .next-step").wait_for()
    assert code in page.locator("#track-result").inner_text()
    assert page.locator("#track-result .next-step").inner_text() == ("Registration" if language == "English" else "受理登记")
    assert "王五" not in page.content() and CONTACT not in page.content()
    no_sideways_scroll(page)
    shot(page, "track")
    page.locator("#code").fill(code)
    page.locator("#digits").fill("0000")
    page.get_by_role("button", name=re.compile("查询|Look up")).click()
    page.wait_for_function("document.querySelector('#track-result.alert')")
    assert page.locator("#track-result").inner_text() in ("未找到。", "Not found.")
    shot(page, "track-not-found")
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_case_page_shows_the_diagram_with_the_current_task_highlighted(chromium, live, viewport, language):
    order = live["orders"][0]
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    sign_in(page, live)
    page.goto(live["url"] + "/cases")
    assert order.case_code in page.locator(".case-table").inner_text()
    no_sideways_scroll(page)
    shot(page, "cases")
    page.get_by_role("link", name=order.case_code).click()
    page.wait_for_url(f"**/cases/{order.case_code}")
    page.locator("#diagram svg .djs-element.current").first.wait_for()
    assert page.locator("#diagram svg .djs-element.done").count() >= 2  # registration and assessment at least
    no_sideways_scroll(page)
    shot(page, "case")
    page.locator("#diagram a.diagram-badge.drill").first.wait_for()
    page.goto(live["url"] + f"/cases/{order.case_code}?process=dispatch_round")
    current = page.locator('#diagram svg [data-element-id="accept_order"]')
    current.wait_for()
    page.wait_for_function("document.querySelector('#diagram svg [data-element-id=\"accept_order\"]')"
                           ".classList.contains('current')")
    assert "current" in current.get_attribute("class")
    assert page.locator("#diagram .diagram-badge.current").count() >= 1
    shot(page, "case-subprocess")
    context.close()


def test_a_village_mediator_is_refused_another_villages_case(chromium, live):
    context = new_context(chromium, DESKTOP, "中文")
    page = context.new_page()
    sign_in(page, live)
    assert page.goto(live["url"] + f"/cases/{live['other'].case_code}").status == 403
    context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_open_a_new_dispute_from_the_inbox_and_land_on_its_registration(chromium, live, viewport, language):
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    sign_in(page, live, "grid_worker")
    button = page.get_by_role("button", name=re.compile("登记新纠纷|Register a new dispute"))
    no_sideways_scroll(page)
    shot(page, "inbox-new-dispute")
    button.focus()
    page.keyboard.press("Enter")  # reachable and usable from the keyboard
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    assert page.locator("h1").inner_text() == ("Registration" if language == "English" else "受理登记")
    code = page.locator("dd.case-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z-]+", code), code
    held_by = page.locator("dt", has_text=re.compile("任务办理人|Task held by")).locator("xpath=following-sibling::dd[1]")
    assert "网格员" in held_by.inner_text() or "Grid worker" in held_by.inner_text()  # named for who opened it
    assert page.locator('[name="intake_channel"]').count() >= 1  # the registration form, empty, to fill in
    no_sideways_scroll(page)
    shot(page, "new-dispute-registration")
    page.goto(live["url"] + "/cases?reported=1")
    assert code in page.locator(".case-table").inner_text()  # the new case is the grid worker's report
    context.close()
