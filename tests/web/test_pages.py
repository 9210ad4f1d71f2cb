"""The pages through the Flask test client: statuses, redirects, CSRF, permissions and languages."""

from __future__ import annotations

from sqlalchemy import select

from api import create_app
from engine import accounts, tasks
from engine.form_messages import split_title
from engine.models import AuditEvent, TaskItem
from tests.conftest import settings_for

from .conftest import OTHER_VILLAGE, Browser, engine_session, waiting_order


def _text(res) -> str:
    return res.get_data(as_text=True)


def _holder(app, task_id: int) -> str | None:
    with engine_session(app) as session:
        row = session.get(TaskItem, task_id)
        return row.assignee.username if row.assignee else None


def _english(browser: Browser) -> None:
    browser.get("/language/en?next=/login")


# -- the front door, signing in and out ------------------------------------------------------------
def test_the_front_door_sends_visitors_to_sign_in_and_staff_to_their_inbox(county, browser):
    res = browser.get("/")
    assert res.status_code == 302 and res.headers["Location"] == "/login"
    assert browser.get("/inbox").headers["Location"] == "/login?next=/inbox"
    assert browser.sign_in("village_mediator").headers["Location"] == "/inbox"
    assert browser.get("/").headers["Location"] == "/inbox"
    assert browser.get("/login").headers["Location"] == "/inbox"


def test_sign_in_is_audited_and_a_wrong_password_is_refused(county, browser):
    res = browser.sign_in("village_mediator", "wrong-password")
    assert res.status_code == 401 and "用户名或密码错误" in _text(res)
    assert browser.get("/inbox").status_code == 302
    assert browser.sign_in("village_mediator", next="/inbox?scope=unit").headers["Location"] == "/inbox?scope=unit"
    with engine_session(county) as session:
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.actor == "village_mediator")).all()
    assert kinds == ["sign_in_failed", "signed_in"]


def test_missing_fields_are_named_on_the_form(county, browser):
    res = browser.client.post("/login", data={"username": "", "password": "", "csrf_token": browser.token()})
    assert res.status_code == 400
    assert "请填写用户名" in _text(res) and "请填写密码" in _text(res) and "is-invalid" in _text(res)


def test_sign_in_goes_back_only_to_a_page_of_this_site(county, browser):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert browser.sign_in("village_mediator", next=target).headers["Location"] == "/inbox"
        browser.post("/logout")
    res = browser.get("/language/en?next=https://evil.example/")
    assert res.headers["Location"] == "/"


def test_sign_out_needs_the_token_and_ends_the_session(county, browser):
    browser.sign_in("village_mediator")
    refused = browser.post("/logout", token=False)
    assert refused.status_code == 400 and "页面已过期" in _text(refused)
    assert browser.get("/inbox").status_code == 200
    assert browser.post("/logout").headers["Location"] == "/login"
    assert browser.get("/inbox").status_code == 302


def test_a_get_cannot_sign_out(county, browser):
    browser.sign_in("village_mediator")
    assert browser.get("/logout").status_code == 405
    assert browser.get("/inbox").status_code == 200


def test_sign_in_without_the_token_is_refused(county, browser):
    res = browser.client.post("/login", data={"username": "village_mediator", "password": "demo-pass"})
    assert res.status_code == 400 and "页面已过期" in _text(res)
    with engine_session(county) as session:
        assert session.scalars(select(AuditEvent).where(AuditEvent.kind == "signed_in")).all() == []


def test_the_json_api_needs_no_csrf_token(county, client):
    res = client.post("/api/v1/auth/token", json={"username": "village_mediator", "password": "demo-pass"})
    assert res.status_code == 200 and "token" in res.json


def test_a_new_password_or_a_deactivation_ends_the_page_session(county, browser):
    browser.sign_in("village_mediator")
    with engine_session(county) as session:
        accounts.change_password(session, accounts.find_user(session, "village_mediator"), "another-password", "admin")
        session.commit()
    assert browser.get("/inbox").headers["Location"] == "/login?next=/inbox"
    browser.sign_in("village_mediator", "another-password")
    with engine_session(county) as session:
        accounts.deactivate(session, accounts.find_user(session, "village_mediator"), "admin")
        session.commit()
    assert browser.get("/inbox").status_code == 302


def test_session_cookie_flags(county, browser, database_url):
    cookie = browser.sign_in("village_mediator").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app = create_app(settings_for(database_url, secure_cookies=True))
    secure = Browser(app.test_client())
    res = secure.client.get("/login", base_url="https://localhost")
    assert "Secure" in res.headers["Set-Cookie"]


def test_failed_page_sign_ins_are_throttled_with_the_api_s(county, database_url):
    app = create_app(settings_for(database_url, login_limit="2 per minute"))
    browser = Browser(app.test_client())
    assert [browser.sign_in("village_mediator", "nope").status_code for _ in range(2)] == [401, 401]
    res = browser.sign_in("village_mediator", "nope")
    assert res.status_code == 429 and "尝试次数过多" in _text(res)
    api = app.test_client().post("/api/v1/auth/token", json={"username": "village_mediator", "password": "demo-pass"})
    assert api.status_code == 429  # the same counter at the API's door


# -- languages -------------------------------------------------------------------------------------------
def test_pages_are_in_chinese_by_default_and_english_on_request(county, browser):
    page = _text(browser.get("/login"))
    assert '<html lang="zh-CN">' in page and "用户名" in page and "Username" not in page
    res = browser.get("/language/en?next=/login")
    assert res.status_code == 302 and res.headers["Location"] == "/login"
    assert "HttpOnly" in res.headers["Set-Cookie"]
    page = _text(browser.get("/login"))
    assert '<html lang="en">' in page and "Username" in page and "用户名" not in page
    browser.get("/language/zh_Hans_CN?next=/login")
    assert "用户名" in _text(browser.get("/login"))


def test_an_unknown_language_keeps_chinese(county, browser):
    browser.get("/language/xx?next=/login")
    assert "用户名" in _text(browser.get("/login"))


def test_the_inbox_speaks_chinese(county, browser):
    waiting_order(county)
    browser.sign_in("village_mediator")
    page = _text(browser.get("/inbox?scope=claimable"))
    for label in ("待办事项", "可认领", "我上报的", "案件编号", "办理期限", "纠纷类型", "当事人", "认领", "退出登录", "村（社区）"):
        assert label in page, label
    for english in ("Inbox", "Claimable", "Case code", "Sign out", "Claim<"):
        assert english not in page, english


# -- the inbox -----------------------------------------------------------------------------------------------
def test_inbox_tabs_list_what_each_scope_holds(county, browser):
    run = waiting_order(county)
    browser.sign_in("village_mediator")
    assert run.case_code not in _text(browser.get("/inbox"))  # nothing is the mediator's own yet
    claimable = _text(browser.get("/inbox?scope=claimable"))
    assert run.case_code in claimable and "合同债务" in claimable and "认领" in claimable
    assert run.case_code in _text(browser.get("/inbox?scope=unit"))
    browser.post("/logout")
    browser.sign_in("town_staff")
    assert run.case_code in _text(browser.get("/inbox?scope=reported"))


def test_lists_show_parties_masked(county, browser):
    waiting_order(county)
    browser.sign_in("village_mediator")
    page = _text(browser.get("/inbox?scope=claimable"))
    assert "张*" in page and "李*" in page
    assert "张三" not in page and "13800138000" not in page and "441581198001011234" not in page


def test_claim_from_the_list_swaps_the_row(county, browser):
    run = row = waiting_order(county)
    browser.sign_in("village_mediator")
    res = browser.post(f"/tasks/{row.task_id}/claim", htmx=True)
    assert res.status_code == 200
    fragment = _text(res)
    assert fragment.lstrip().startswith(f'<tr id="task-{row.task_id}"') and "村调解员" in fragment
    assert f'/tasks/{row.task_id}/claim"' not in fragment  # no second claim offered
    assert run.case_code in _text(browser.get("/inbox?scope=mine"))
    assert _holder(county, row.task_id) == "village_mediator"


def test_claim_without_htmx_goes_back_to_the_list(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    res = browser.post(f"/tasks/{row.task_id}/claim", {"next": "/inbox?scope=claimable"})
    assert res.status_code == 302 and res.headers["Location"] == "/inbox?scope=claimable"


def test_htmx_claim_without_the_token_is_refused(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    res = browser.post(f"/tasks/{row.task_id}/claim", htmx=True, token=False)
    assert res.status_code == 400 and res.headers["HX-Retarget"] == "#messages"
    assert _holder(county, row.task_id) is None


def test_a_task_someone_else_took_is_a_conflict_page(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    with engine_session(county) as session:
        tasks.claim(session, accounts.find_user(session, "admin"), row.task_id)
        session.commit()
    res = browser.post(f"/tasks/{row.task_id}/claim")
    assert res.status_code == 409 and "该任务已被他人办理" in _text(res)
    banner = browser.post(f"/tasks/{row.task_id}/claim", htmx=True)
    assert banner.status_code == 409 and "该任务已被他人办理" in _text(banner)
    assert banner.headers["HX-Retarget"] == "#messages" and "<html" not in _text(banner)
    _english(browser)
    assert "Someone else just completed this task" in _text(browser.post(f"/tasks/{row.task_id}/claim"))


def test_supervisors_reassign_from_the_list(county, browser):
    row = waiting_order(county)
    browser.sign_in("town_staff")
    page = _text(browser.get("/inbox?scope=unit"))
    assert f'/tasks/{row.task_id}/reassign"' in page and 'value="village_mediator"' in page
    res = browser.post(f"/tasks/{row.task_id}/reassign", {"username": "village_mediator"}, htmx=True)
    assert res.status_code == 200 and "村调解员" in _text(res)
    assert _holder(county, row.task_id) == "village_mediator"


def test_a_mediator_may_not_reassign(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    assert f'/tasks/{row.task_id}/reassign"' not in _text(browser.get("/inbox?scope=claimable"))
    res = browser.post(f"/tasks/{row.task_id}/reassign", {"username": "village_mediator"})
    assert res.status_code == 403 and "无权访问" in _text(res)


def test_search_filters_and_pages(county, browser):
    app = county
    first, second = waiting_order(county), waiting_order(county, summary="另一户的欠款纠纷")
    browser.sign_in("village_mediator")
    page = _text(browser.get(f"/inbox?scope=claimable&q={second.case_code.lower()}"))
    assert second.case_code in page and first.case_code not in page
    assert first.case_code not in _text(browser.get("/inbox?scope=claimable&overdue=1"))
    only = _text(browser.get("/inbox?scope=claimable&task=accept_order"))
    assert first.case_code in only and second.case_code in only
    assert first.case_code not in _text(browser.get("/inbox?scope=claimable&task=mediate"))
    app.config["MEDIATE"] = app.config["MEDIATE"].__class__(**{**app.config["MEDIATE"].__dict__, "page_size": 1})
    one = _text(browser.get("/inbox?scope=claimable"))
    assert 'rel="next"' in one and (first.case_code in one) != (second.case_code in one)
    two = _text(browser.get("/inbox?scope=claimable&page=2"))
    assert 'rel="prev"' in two and 'rel="next"' not in two
    assert browser.get("/inbox?page=banana").status_code == 200


def test_bad_inbox_arguments_are_a_page_not_a_crash(county, browser):
    browser.sign_in("village_mediator")
    res = browser.get("/inbox?scope=everyone")
    assert res.status_code == 400 and "无法处理此请求" in _text(res)
    assert browser.get("/inbox?q=%00").status_code == 400


# -- a task's page and permissions --------------------------------------------------------------------
def test_a_task_page_summarises_the_task(county, browser):
    run = row = waiting_order(county)
    browser.sign_in("village_mediator")
    page = _text(browser.get(f"/tasks/{row.task_id}"))
    assert split_title(row.task_name)[0] in page and run.case_code in page and 'href="/inbox"' in page
    assert f'<form method="post" action="/tasks/{row.task_id}" class="task-form"' in page


def test_a_village_mediator_may_not_open_another_village_s_task(county, browser):
    row = waiting_order(county, village=OTHER_VILLAGE)
    assert row.unit_code == OTHER_VILLAGE
    browser.sign_in("village_mediator")
    res = browser.get(f"/tasks/{row.task_id}")
    assert res.status_code == 403 and "无权访问" in _text(res)
    assert browser.post(f"/tasks/{row.task_id}/claim").status_code == 403
    assert browser.get("/tasks/999999").status_code == 404


# -- errors, assets ----------------------------------------------------------------------------------------
def test_unknown_pages_are_pages_and_the_api_keeps_json(county, browser):
    res = browser.get("/no-such-page")
    assert res.status_code == 404 and res.mimetype == "text/html" and "未找到" in _text(res)
    api = browser.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json["error"]["code"] == "not_found"


def test_an_unexpected_error_is_a_page_without_a_trace(county, browser, monkeypatch):
    browser.sign_in("village_mediator")

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(tasks, "inbox", broken)
    res = browser.get("/inbox")
    assert res.status_code == 500 and "系统出错了" in _text(res)
    assert "secret internals" not in _text(res) and "Traceback" not in _text(res)


def test_browser_libraries_are_served_from_the_npm_packages(county, browser):
    for path in ("/vendor/htmx/htmx.min.js", "/vendor/bootstrap/css/bootstrap.min.css",
                 "/vendor/bootstrap/js/bootstrap.bundle.min.js", "/static/mediate.css"):
        assert browser.get(path).status_code == 200, path
    assert browser.get("/vendor/left-pad/index.js").status_code == 404
    assert browser.get("/vendor/htmx/../package.json").status_code == 404


def test_a_busy_database_is_a_conflict_page(county, browser, monkeypatch):
    from sqlalchemy.exc import OperationalError
    row = waiting_order(county)
    browser.sign_in("village_mediator")

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE task", {}, Exception("database is locked"))

    monkeypatch.setattr(tasks, "claim", locked)
    res = browser.post(f"/tasks/{row.task_id}/claim")
    assert res.status_code == 409 and "该任务已被他人办理" in _text(res)
