"""The pages in a real browser: Playwright driving Debian's Chromium against the app served on a free port.

Screenshots of each page (desktop 1280 px and phone 360 px, Chinese and English) are saved under
``test-artifacts/screenshots/`` for people to look at. A missing browser is installed with apt-get
where possible; on CI (``CI=true``) a browser that is still missing fails the tests, never skips them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from engine import clock
from engine.config import ROOT
from engine.form_messages import split_title
from engine.models import TaskItem
from tests.conftest import _migrate, settings_for

from .conftest import OTHER_VILLAGE, engine_session, waiting_order

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP, PHONE = {"width": 1280, "height": 860}, {"width": 360, "height": 780}
PASSWORD = "demo-pass"


def _ensure_chromium() -> None:
    """Install Debian's Chromium when it is missing, as .ci/run does; CI fails without it, elsewhere it skips."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium", "fonts-noto-cjk"], env=env, check=False, timeout=1200)
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and could not be installed (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium package to run the browser tests")


@pytest.fixture(scope="module")
def chromium():
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port over its own SQLite file: the demo county, the library, orders waiting."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'mediate.sqlite'}"
    _migrate(url)
    app = create_app(settings_for(url))
    _county(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", **_orders(app)}
    server.shutdown()
    thread.join(timeout=10)


def _county(app) -> None:
    from engine import demo, deploy
    settings = app.config["MEDIATE"]
    with engine_session(app) as session:
        deploy.deploy(session, deploy.read_directories(settings.processes_dir, settings.forms_dir), "test",
                      max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
        demo.load(session)
        session.commit()


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


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    lang = page.locator("html").get_attribute("lang")
    page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)


def _sign_in(page, live, username="village_mediator", path="/"):
    page.goto(live["url"] + path)
    page.get_by_label("用户名").or_(page.get_by_label("Username")).fill(username)
    page.get_by_label("密码").or_(page.get_by_label("Password")).fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/inbox**")


def _no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    cut = page.evaluate("[...document.querySelectorAll('td, dd, .nav-link')]"
                        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())")
    assert cut == [], f"cut off at the right: {cut}"


@pytest.fixture
def page(chromium, live):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def test_sign_in_claim_from_the_list_and_sign_out(page, live):
    page.goto(live["url"] + "/")
    assert page.url.endswith("/login")
    _shot(page, "login")
    _sign_in(page, live)
    tabs = page.locator(".inbox-tabs .nav-link")
    assert tabs.all_inner_texts() == ["我的待办", "本单位", "可认领", "我上报的"]
    _shot(page, "inbox-mine")
    page.get_by_role("link", name="可认领").click()
    order = live["orders"][2]
    row = page.locator(f"#task-{order.task_id}")
    assert order.case_code in row.inner_text() and "张*" in row.inner_text()
    assert page.locator(".due-overdue .badge").first.inner_text() == "已超期"
    assert page.locator(".due-soon .badge").first.inner_text() == "即将到期"
    _shot(page, "inbox-claimable")
    row.get_by_role("button", name="认领").click()
    page.wait_for_function(f"!document.querySelector('#task-{order.task_id} form[action$=\"/claim\"]')")
    assert "村调解员" in page.locator(f"#task-{order.task_id}").inner_text()  # swapped in place, no reload
    page.get_by_role("link", name="我的待办").click()
    assert order.case_code in page.locator(f"#task-{order.task_id}").inner_text()
    page.locator(f"#task-{order.task_id}").get_by_role("link").first.click()
    page.wait_for_url(f"**/tasks/{order.task_id}")
    assert order.case_code in page.content() and page.get_by_role("heading", level=1).inner_text() == split_title(order.task_name)[0]
    _shot(page, "task")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    page.goto(live["url"] + "/inbox")
    assert "/login" in page.url


def test_the_language_switch(page, live):
    page.goto(live["url"] + "/login")
    page.get_by_role("link", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    _shot(page, "login")
    _sign_in(page, live)
    assert page.locator(".inbox-tabs .nav-link").all_inner_texts() == ["Mine", "My unit", "Claimable", "Reported by me"]
    page.get_by_role("link", name="Claimable").click()
    assert page.locator(".due-overdue .badge").first.inner_text() == "Overdue"
    _shot(page, "inbox-claimable")
    page.locator(f"#task-{live['orders'][0].task_id}").get_by_role("link").first.click()
    _shot(page, "task")
    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("heading", level=2, name="案件概要").is_visible()


@pytest.mark.parametrize("language", ["中文", "English"])
def test_pages_fit_a_phone(chromium, live, language):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live["url"] + "/login")
    if language == "English":
        page.get_by_role("link", name="English").click()
    _no_sideways_scroll(page)
    _shot(page, "login")
    _sign_in(page, live)
    page.goto(live["url"] + "/inbox?scope=claimable")
    _no_sideways_scroll(page)
    assert page.locator(".navbar-toggler").is_visible()
    _shot(page, "inbox-claimable")
    page.locator(".navbar-toggler").click()
    page.locator("#nav-main.show").wait_for()
    _shot(page, "menu")
    page.goto(live["url"] + f"/tasks/{live['orders'][0].task_id}")
    _no_sideways_scroll(page)
    _shot(page, "task")
    context.close()


def test_a_supervisor_reassigns_from_the_list(page, live):
    order = live["orders"][0]
    _sign_in(page, live, "town_staff")
    page.get_by_role("link", name="本单位").click()
    row = page.locator(f"#task-{order.task_id}")
    row.locator("summary").click()
    row.get_by_label("转派给").select_option("village_mediator")
    _shot(page, "inbox-reassign")
    row.get_by_role("button", name="确认转派").click()
    page.wait_for_function(f"document.querySelector('#task-{order.task_id}').textContent.includes('村调解员')")
    assert page.url.endswith("/inbox?scope=unit")  # swapped in place


def test_another_village_s_task_is_refused(page, live):
    _sign_in(page, live)
    response = page.goto(live["url"] + f"/tasks/{live['other'].task_id}")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "无权访问"
    _shot(page, "error-403")
    assert page.goto(live["url"] + "/no-such-page").status == 404
    _shot(page, "error-404")


def test_a_post_without_the_token_is_refused(page, live):
    _sign_in(page, live)
    response = page.request.post(live["url"] + "/logout")
    assert response.status == 400 and "页面已过期" in response.text()
    page.goto(live["url"] + "/inbox")
    assert page.url.endswith("/inbox")  # still signed in
