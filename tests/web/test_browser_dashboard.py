"""The statistics dashboard in Chromium: the charts draw (a canvas each, no console errors), the filters
narrow them, the tables hold the same numbers, and the page fits 360 px in Chinese and English.

Screenshots (desktop and phone, Chinese and English) go to ``test-artifacts/screenshots/dashboard-*``.
"""

from __future__ import annotations

import pytest

from .browsing import (
    DESKTOP,
    PHONE,
    county_app,
    no_sideways_scroll,
    open_page,
    serving,
    shot,
    sign_in_in_language,
)
from .test_dashboard_pages import sample

pytestmark = pytest.mark.browser
YEAR = "/dashboard?from=2031-01-01&to=2031-12-31"
CHARTS = ("#chart-month", "#chart-tier", "#chart-unit", "#chart-type")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port over its own SQLite file: the demo county with cases in 2031."""
    app = county_app(tmp_path_factory.mktemp("dashboard-live"))
    sample(app)
    with serving(app) as url:
        yield {"url": url}


def _open(chromium, live, viewport, language="中文", who="county_staff"):
    context, page = open_page(chromium, viewport)
    problems = []
    # the browser asks for /favicon.ico on its own (the site has none): not an error of the page
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    sign_in_in_language(page, live, who, language)
    return context, page, problems


def _drawn(page) -> None:
    for chart in CHARTS:
        page.locator(f"{chart} canvas").first.wait_for()
        box = page.locator(f"{chart} canvas").first.bounding_box()
        assert box["width"] > 100 and box["height"] > 100, chart


@pytest.mark.parametrize("viewport, language", [(DESKTOP, "中文"), (DESKTOP, "English"), (PHONE, "中文"),
                                                (PHONE, "English")])
def test_the_charts_draw_and_the_page_fits(chromium, live, viewport, language):
    context, page, problems = _open(chromium, live, viewport, language)
    page.goto(live["url"] + YEAR)
    _drawn(page)
    heading = "统计" if language == "中文" else "Statistics"
    assert page.locator("h1").inner_text() == heading
    if viewport is PHONE:
        no_sideways_scroll(page)
        width = page.locator("#chart-month canvas").first.bounding_box()["width"]
        assert width <= PHONE["width"]  # the chart follows the screen
    page.locator("#month-table summary").click()
    page.wait_for_timeout(1500)  # the charts' opening animation
    shot(page, "dashboard")
    if viewport is DESKTOP:  # turned to a phone's width, the charts follow
        page.set_viewport_size(PHONE)
        page.wait_for_function("document.querySelector('#chart-type canvas').getBoundingClientRect().width <= 360")
        no_sideways_scroll(page)
    assert problems == []
    context.close()


def test_a_period_without_cases_says_so_instead_of_empty_charts(chromium, live):
    context, page, problems = _open(chromium, live, DESKTOP)
    page.goto(live["url"] + "/dashboard?from=2020-01-01&to=2020-12-31")
    assert page.locator(".chart-empty").count() == len(CHARTS)
    assert page.locator("#chart-month").inner_text() == "该期间没有案件。"
    assert page.locator(".figure-cards .figure-value").nth(2).inner_text() == "—"  # no rate without cases
    assert problems == []
    context.close()


def test_the_menu_leads_there_and_the_filters_narrow_the_figures(chromium, live):
    context, page, problems = _open(chromium, live, DESKTOP)
    page.get_by_role("link", name="统计").click()
    page.wait_for_url("**/dashboard")
    page.get_by_label("起始日期").fill("2031-01-01")
    page.get_by_label("截止日期").fill("2031-12-31")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**/dashboard?**")
    _drawn(page)
    cards = page.locator(".figure-cards .figure-value")
    assert cards.nth(0).inner_text() == "12" and cards.nth(2).inner_text() == "83.33%"
    page.get_by_label("单位", exact=True).select_option("441581-01")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**unit=441581-01**")
    _drawn(page)
    assert cards.nth(0).inner_text() == "8"
    page.locator("#month-table summary").click()
    rows = page.locator("#month-table tbody tr")
    assert rows.count() == 1 and rows.first.locator("th").inner_text() == "2031-03"
    # the numbers the chart draws are those of the table
    drawn = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-month'))"
                          ".getOption().series[0].data")
    assert drawn == [8]
    assert problems == []
    context.close()


def test_town_staff_charts_show_only_their_town(chromium, live):
    context, page, problems = _open(chromium, live, PHONE, who="town_staff")
    page.goto(live["url"] + YEAR)
    _drawn(page)
    assert page.locator(".figure-cards .figure-value").nth(0).inner_text() == "8"
    assert "441581-02" not in page.locator("#unit").inner_text()
    page.wait_for_timeout(1500)
    shot(page, "dashboard-town")
    assert problems == []
    context.close()
