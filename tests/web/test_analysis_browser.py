"""The monthly analysis page in Chromium: town staff open it from the menu, give an entry a team and close it;
the page at 1280 and 360 px in Chinese and English (screenshots ``test-artifacts/screenshots/analysis-*``)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from api import create_app
from tests.conftest import _migrate, settings_for

from .test_analysis_pages import PAGE, seed_month
from .test_browser import DESKTOP, PHONE, _county, _no_sideways_scroll, _shot, _sign_in, chromium  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port over its own SQLite file: the demo county and March 2031 analysed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('analysis-live') / 'mediate.sqlite'}"
    _migrate(url)
    app = create_app(settings_for(url))
    _county(app)
    entries = seed_month(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "entries": entries}
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.parametrize("viewport, language", [(DESKTOP, "中文"), (DESKTOP, "English"), (PHONE, "中文"),
                                                (PHONE, "English")])
def test_the_page_fits_and_reads_in_both_languages(chromium, live, viewport, language):  # noqa: F811
    phone = viewport is PHONE
    context = chromium.new_context(viewport=viewport, locale="zh-CN", is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.goto(live["url"] + "/login")
    if language == "English":
        page.get_by_role("link", name="English").click()
    _sign_in(page, live, "county_staff")
    page.goto(live["url"] + PAGE)
    assert page.locator("h1").inner_text().startswith("综合研判" if language == "中文" else "Monthly analysis")
    assert page.locator(".ledger-entry").count() == 2
    page.locator(".ledger-entry summary").first.click()
    if phone:
        _no_sideways_scroll(page)
    _shot(page, "analysis-month")
    context.close()


def test_town_staff_give_an_entry_a_team_and_close_it(chromium, live):  # noqa: F811
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, live, "town_staff")
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
    _shot(page, "analysis-closed")
    context.close()
