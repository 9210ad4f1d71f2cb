"""The pages in a real browser: Playwright driving Debian's Chromium against the app served on a free port.

Screenshots of each page (desktop 1280 px and phone 360 px, Chinese and English) are saved under
``test-artifacts/screenshots/`` for people to look at (the shared steps are in ``browsing.py``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import clock
from engine.form_messages import split_title
from engine.models import TaskItem

from .browsing import DESKTOP, PHONE, county_app, no_sideways_scroll, open_page, serving, shot, sign_in
from .conftest import OTHER_VILLAGE, engine_session, waiting_order

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port over its own SQLite file: the demo county, the library, orders waiting."""
    app = county_app(tmp_path_factory.mktemp("live"))
    orders = _orders(app)
    with serving(app) as url:
        yield {"url": url, **orders}


def _orders(app) -> dict:
    """Three orders waiting at the first village (one overdue, one due soon) and one at another village."""
    orders = [waiting_order(app) for _ in range(3)]
    other = waiting_order(app, village=OTHER_VILLAGE)
    now = clock.now()
    with engine_session(app) as session:
        late, soon = session.get(TaskItem, orders[0].task_id), session.get(TaskItem, orders[1].task_id)
        late.due_at, late.overdue = now - timedelta(hours=2), True
        soon.due_at = now + timedelta(hours=5)
        session.commit()
    return {"orders": orders, "other": other}


@pytest.fixture
def page(chromium, live):
    context, page = open_page(chromium, DESKTOP)
    yield page
    context.close()


def test_sign_in_claim_from_the_list_and_sign_out(page, live):
    page.goto(live["url"] + "/")
    assert page.url.endswith("/login")
    shot(page, "login")
    sign_in(page, live)
    tabs = page.locator(".inbox-tabs .nav-link")
    assert tabs.all_inner_texts() == ["我的待办", "本单位", "可认领", "我上报的"]
    shot(page, "inbox-mine")
    page.get_by_role("link", name="可认领").click()
    order = live["orders"][2]
    row = page.locator(f"#task-{order.task_id}")
    assert order.case_code in row.inner_text() and "张*" in row.inner_text()
    assert page.locator(".due-overdue .badge").first.inner_text() == "已超期"
    assert page.locator(".due-soon .badge").first.inner_text() == "即将到期"
    shot(page, "inbox-claimable")
    row.get_by_role("button", name="认领").click()
    page.wait_for_function(f"!document.querySelector('#task-{order.task_id} form[action$=\"/claim\"]')")
    assert "村调解员" in page.locator(f"#task-{order.task_id}").inner_text()  # swapped in place, no reload
    page.get_by_role("link", name="我的待办").click()
    assert order.case_code in page.locator(f"#task-{order.task_id}").inner_text()
    page.locator(f"#task-{order.task_id}").get_by_role("link").first.click()
    page.wait_for_url(f"**/tasks/{order.task_id}")
    assert order.case_code in page.content() and page.get_by_role("heading", level=1).inner_text() == split_title(order.task_name)[0]
    shot(page, "task")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    page.goto(live["url"] + "/inbox")
    assert "/login" in page.url


def test_the_language_switch(page, live):
    page.goto(live["url"] + "/login")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    shot(page, "login")
    sign_in(page, live)
    assert page.locator(".inbox-tabs .nav-link").all_inner_texts() == ["Mine", "My unit", "Claimable", "Reported by me"]
    page.get_by_role("link", name="Claimable").click()
    assert page.locator(".due-overdue .badge").first.inner_text() == "Overdue"
    shot(page, "inbox-claimable")
    page.locator(f"#task-{live['orders'][0].task_id}").get_by_role("link").first.click()
    shot(page, "task")
    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("heading", level=2, name="案件概要").is_visible()


@pytest.mark.parametrize("language", ["中文", "English"])
def test_pages_fit_a_phone(chromium, live, language):
    context, page = open_page(chromium, PHONE)
    page.goto(live["url"] + "/login")
    if language == "English":
        page.get_by_role("link", name="English").click()
    no_sideways_scroll(page)
    shot(page, "login")
    sign_in(page, live)
    page.goto(live["url"] + "/inbox?scope=claimable")
    no_sideways_scroll(page)
    assert page.locator(".navbar-toggler").is_visible()
    shot(page, "inbox-claimable")
    page.locator(".navbar-toggler").click()
    page.locator("#nav-main.show").wait_for()
    shot(page, "menu")
    page.goto(live["url"] + f"/tasks/{live['orders'][0].task_id}")
    no_sideways_scroll(page)
    shot(page, "task")
    context.close()


def test_a_supervisor_reassigns_from_the_list(page, live):
    order = live["orders"][0]
    sign_in(page, live, "town_staff")
    page.get_by_role("link", name="本单位").click()
    row = page.locator(f"#task-{order.task_id}")
    row.locator("summary").click()
    row.get_by_label("转派给").select_option("village_mediator")
    shot(page, "inbox-reassign")
    row.get_by_role("button", name="确认转派").click()
    page.wait_for_function(f"document.querySelector('#task-{order.task_id}').textContent.includes('村调解员')")
    assert page.url.endswith("/inbox?scope=unit")  # swapped in place


def test_another_village_s_task_is_refused(page, live):
    sign_in(page, live)
    response = page.goto(live["url"] + f"/tasks/{live['other'].task_id}")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "无权访问"
    shot(page, "error-403")
    assert page.goto(live["url"] + "/no-such-page").status == 404
    shot(page, "error-404")


def test_a_post_without_the_token_is_refused(page, live):
    sign_in(page, live)
    response = page.request.post(live["url"] + "/logout")
    assert response.status == 400 and "页面已过期" in response.text()
    page.goto(live["url"] + "/inbox")
    assert page.url.endswith("/inbox")  # still signed in
