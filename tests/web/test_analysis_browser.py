"""The analysis pages in Chromium: town staff open the monthly one from the menu, give an entry a team and close
it; the monthly page and the weekly digest at 1280 and 360 px in Chinese and English (screenshots
``test-artifacts/screenshots/analysis-*``)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.models import LedgerEntry

from .browsing import (
    DESKTOP,
    PHONE,
    county_app,
    no_sideways_scroll,
    open_page,
    serving,
    shot,
    sign_in,
    signed_in,
)
from .conftest import engine_session
from .test_analysis_pages import PAGE, seed_month

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port over its own SQLite file: the demo county and March 2031 analysed."""
    app = county_app(tmp_path_factory.mktemp("analysis-live"))
    entries = seed_month(app)
    with serving(app) as url:
        yield {"url": url, "entries": entries, "app": app}


@pytest.mark.parametrize("viewport, language", [(DESKTOP, "中文"), (DESKTOP, "English"), (PHONE, "中文"),
                                                (PHONE, "English")])
def test_the_page_fits_and_reads_in_both_languages(chromium, live, viewport, language):
    context, page = signed_in(chromium, live, viewport, "county_staff", language)
    page.goto(live["url"] + PAGE)
    assert page.locator("h1").inner_text().startswith("综合研判" if language == "中文" else "Monthly analysis")
    assert page.locator(".ledger-entry").count() == 2
    page.locator(".ledger-entry summary").first.click()
    if viewport is PHONE:
        no_sideways_scroll(page)
    shot(page, "analysis-month")
    context.close()


def test_town_staff_give_an_entry_a_team_and_close_it(chromium, live):
    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "town_staff")
    page.get_by_role("link", name="综合研判").click()
    page.goto(live["url"] + PAGE)  # the menu opens last month; the seeded month is March 2031
    entry = page.locator(f"#entry-{live['entries']['441581-01']}")
    entry.locator("summary").click()
    entry.get_by_label("专班").fill("物业纠纷专班")
    entry.get_by_label("办结期限").fill("2031-04-30")
    entry.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**{PAGE}#entry-*")
    assert "已保存" in page.locator("#messages").inner_text()
    entry = page.locator(f"#entry-{live['entries']['441581-01']}")
    assert "物业纠纷专班" in entry.inner_text() and "2031-04-30" in entry.inner_text()
    entry.locator("summary").click()
    entry.get_by_label("整治情况").fill("约谈物业公司，完成整改")
    entry.get_by_role("button", name="销号").click()
    page.wait_for_url(f"**{PAGE}#entry-*")
    entry = page.locator(f"#entry-{live['entries']['441581-01']}")
    assert "约谈物业公司，完成整改" in entry.inner_text() and "已办结" in entry.inner_text()
    shot(page, "analysis-closed")
    context.close()


@pytest.mark.parametrize("viewport, language", [(DESKTOP, "中文"), (DESKTOP, "English"), (PHONE, "中文"),
                                                (PHONE, "English")])
def test_the_weekly_digest_fits_and_reads_in_both_languages(chromium, live, viewport, language):
    with engine_session(live["app"]) as session:  # one entry due within the week, so the ledger shows
        session.get(LedgerEntry, live["entries"]["441581-02"]).due_date = date(2031, 3, 6)
        session.commit()
    context, page = signed_in(chromium, live, viewport, "county_staff", language)
    page.goto(live["url"] + PAGE)
    page.get_by_role("link", name="周研判" if language == "中文" else "Weekly digest").click()
    page.wait_for_url("**/analysis/weekly")
    page.goto(live["url"] + "/analysis/weekly/2031-W10")
    assert page.locator("h1").inner_text().startswith("周研判" if language == "中文" else "Weekly digest")
    assert page.locator("[data-figure=received]").inner_text() == "11"
    assert page.locator("#by-type tbody tr").count() == 2
    assert page.locator(".ledger-due").count() == 1
    if viewport is PHONE:
        no_sideways_scroll(page)
    shot(page, "analysis-weekly")
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible() and not page.locator(".export-links").first.is_visible()
    if viewport is DESKTOP:
        shot(page, "analysis-weekly-print")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="2031-W09").click()
    page.wait_for_url("**/analysis/weekly/2031-W09")
    assert page.locator("[data-figure=received]").inner_text() == "0"
    context.close()
