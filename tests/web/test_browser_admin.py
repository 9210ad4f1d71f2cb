"""The administrator's people pages in Chromium: an admin creates a user who then signs in; the pages at 360 px.

Screenshots (desktop and phone, Chinese and English) go to ``test-artifacts/screenshots/admin-*``.
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
    sign_in,
    signed_in,
)

pytestmark = pytest.mark.browser
PAGES = ["/admin/users", "/admin/users/town_staff", "/admin/units", "/admin/units/441581-01", "/admin/mediators",
         "/admin/mediators/1", "/admin/organisation"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port over its own SQLite file: the demo county and the process library."""
    with serving(county_app(tmp_path_factory.mktemp("admin-live"))) as url:
        yield {"url": url}


def test_an_admin_creates_a_user_who_signs_in(chromium, live):
    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "admin")
    page.get_by_role("link", name="组织机构").click()
    page.wait_for_url("**/admin/users")
    shot(page, "admin-users")
    form = page.locator("form[action='/admin/users'][method='post']")
    form.get_by_label("用户名").fill("li_mediator")
    form.get_by_label("姓名").fill("李调解员")
    form.get_by_label("岗位").select_option("mediator")
    form.get_by_label("单位").select_option("441581-02-001")
    form.get_by_role("button", name="创建用户").click()
    shown = page.locator(".one-time-password")
    shown.wait_for()
    password = shown.inner_text().strip()
    assert len(password) >= 8 and "用户 li_mediator 已创建" in page.content()
    shot(page, "admin-user-created")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/login")
    page.get_by_label("用户名").fill("li_mediator")
    page.get_by_label("密码").fill(password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/inbox**")
    assert "李调解员" in page.locator(".navbar .who").inner_text()
    assert page.get_by_role("link", name="组织机构").count() == 0  # not an administrator
    context.close()


def test_deactivating_the_only_grid_worker_shows_in_the_organisation_check(chromium, live):
    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "admin")
    page.goto(live["url"] + "/admin/users/grid_02_003_02")
    page.get_by_role("button", name="停用").click()
    page.wait_for_url("**/admin/users/grid_02_003_02")
    assert "已停用" in page.locator("#messages").inner_text()
    page.get_by_role("link", name="组织检查").click()
    page.wait_for_url("**/admin/organisation")
    assert page.get_by_role("link", name="441581-02-003-02").first.is_visible()
    context.close()


def test_a_bad_field_is_named_beside_it(chromium, live):
    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "admin")
    page.goto(live["url"] + "/admin/users")
    form = page.locator("form[action='/admin/users'][method='post']")
    form.get_by_label("用户名").fill("grid_worker")
    form.get_by_label("岗位").select_option("grid_worker")
    form.get_by_label("单位").select_option("441581-01")
    form.get_by_role("button", name="创建用户").click()
    page.locator("#username-error").wait_for()
    assert page.locator("#username-error").inner_text() == "用户名 grid_worker 已被占用"
    assert page.locator("#username").get_attribute("aria-invalid") == "true"
    assert page.locator("#username").input_value() == "grid_worker"  # what was typed stays
    shot(page, "admin-user-invalid")
    context.close()


@pytest.mark.parametrize("viewport, language", [(DESKTOP, "中文"), (DESKTOP, "English"), (PHONE, "中文"),
                                                (PHONE, "English")])
def test_every_admin_page_fits_and_reads_in_both_languages(chromium, live, viewport, language):
    context, page = signed_in(chromium, live, viewport, "admin", language)
    for path in PAGES:
        page.goto(live["url"] + path)
        assert page.locator("h1").inner_text() == ("组织机构" if language == "中文" else "Organisation")
        if viewport is PHONE:
            no_sideways_scroll(page)
        shot(page, "admin-" + path.removeprefix("/admin/").replace("/", "-"))
    context.close()
