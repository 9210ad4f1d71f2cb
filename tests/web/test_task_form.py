"""The task page: the form drawn from the task's JSON Schema, drafts, completion and inline errors."""

from __future__ import annotations

import json
import re

import pytest
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from engine import form_labels
from engine.config import ROOT
from engine.form_messages import split_title
from engine.models import TaskItem
from web import forms

from .conftest import Browser, engine_session, waiting_order

FORMS = sorted((ROOT / "forms").glob("*/*.schema.json"))


def _text(res) -> str:
    return res.get_data(as_text=True)


def _english(browser: Browser) -> None:
    browser.get("/language/en")


def _field_error(page: str, name: str) -> str:
    """The message shown under the field named ``name``."""
    fid = "f-" + name.replace(".", "-")
    match = re.search(rf'id="{re.escape(fid)}-error">([^<]*)<', page)
    return match.group(1) if match else ""


# -- the renderer and the library's forms ----------------------------------------------------------------
def test_the_renderer_knows_every_keyword_of_the_library_s_forms():
    """A form using a keyword the pages do not draw fails here before a user meets it."""
    problems = {path.relative_to(ROOT).as_posix(): forms.unsupported(json.loads(path.read_text("utf-8")))
                for path in FORMS}
    assert {name: found for name, found in problems.items() if found} == {}
    assert forms.unsupported({"type": "object", "properties": {"a": {"type": "string", "format": "email"},
                                                              "b": {"patternProperties": {}}}}) == [
        "a: format email", "b: patternProperties"]


def _chinese_enums(node, where="") -> list[str]:
    found = []
    if isinstance(node, dict):
        if any(isinstance(v, str) and not v.isascii() for v in node.get("enum") or []):
            found.append(where or "(form)")
        for key, sub in node.items():
            found += _chinese_enums(sub, f"{where}.{key}" if where else key)
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            found += _chinese_enums(sub, f"{where}.{i}")
    return found


def test_choices_in_chinese_carry_titles_in_both_languages():
    """A plain enum of Chinese words would show Chinese on English pages: choices are oneOf const+title."""
    plain = {path.relative_to(ROOT).as_posix(): _chinese_enums(json.loads(path.read_text("utf-8"))) for path in FORMS}
    assert {name: found for name, found in plain.items() if found} == {}
    for path in FORMS:
        schema = json.loads(path.read_text("utf-8"))
        for name, field in form_labels.fields_of(schema):
            for option in field.get("oneOf") or []:
                if "const" in option:
                    zh, en = split_title(option.get("title"))
                    assert option.get("title") and (zh != en or str(option["const"]).isascii()), (path.name, name)


@pytest.mark.parametrize("path", FORMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_library_form_renders(app, path, locale):
    schema = json.loads(path.read_text("utf-8"))
    with app.test_request_context("/", headers={"Cookie": f"lang={locale}"}):
        macros = app.jinja_env.get_template("_form.html").make_module({"F": forms, "errors": {}})
        html = str(macros.form_fields(schema, {}))
    for key, node in schema.get("properties", {}).items():
        assert f'data-field="{key}"' in html
        zh, en = forms.form_messages.split_title(node.get("title"), key)
        assert escape(en if locale == "en" else zh) in html  # as the page writes it (an apostrophe escaped)
    assert "None" not in re.sub(r"<[^>]+>", "", html)


def test_controls_follow_the_schema(app):
    schema = json.loads((ROOT / "forms/dispute_case/register.schema.json").read_text("utf-8"))
    with app.test_request_context("/"):
        html = str(app.jinja_env.get_template("_form.html").make_module({"F": forms, "errors": {}})
                   .form_fields(schema, {"parties": [{"name": "张三"}]}))
    assert 'type="date"' in html and 'name="occurred_on"' in html
    assert '<select class="form-select" id="f-intake_channel" name="intake_channel"' in html  # six choices
    assert 'name="parties.0.name"' in html and 'value="张三"' in html and 'name="parties.__i__.phone"' in html
    assert 'type="radio"' in html and 'name="parties.0.role"' in html  # three choices: radios
    assert 'data-lookup="/pick/unit?kind=grid"' in html
    assert 'name="risk_flags"' in html and 'value="群体性"' in html and 'type="checkbox"' in html
    assert 'maxlength="2000"' in html and 'data-counter-for="f-summary"' in html
    assert html.count('aria-hidden="true">*</span>') == 7 + 3 + 3  # the form's, the party row's, the row template's


def test_a_post_is_read_back_as_the_schema_types_it():
    schema = json.loads((ROOT / "forms/dispute_case/register.schema.json").read_text("utf-8"))
    posted = MultiDict([("intake_channel", "窗口"), ("summary", ""), ("amount", "12.50"), ("risk_flags", "极端"),
                        ("parties.3.name", "张三"), ("parties.3.phone", "138"), ("parties.7.name", ""),
                        ("parties.1.name", "李四"), ("occurred_on", ""), ("location_unit_code", " 441581-01-001-01 ")])
    assert forms.read(schema, posted) == {
        "intake_channel": "窗口", "summary": "", "amount": 12.5, "risk_flags": ["极端"],
        "parties": [{"name": "李四", "phone": ""}, {"name": "张三", "phone": "138"}],
        "location_unit_code": "441581-01-001-01"}
    route = json.loads((ROOT / "forms/dispute_case/route.schema.json").read_text("utf-8"))
    assert forms.read(route, MultiDict([("preferred_mediator_id", "")]))["preferred_mediator_id"] is None
    assert forms.read(route, MultiDict([("preferred_mediator_id", "12")]))["preferred_mediator_id"] == 12
    accept = json.loads((ROOT / "forms/dispatch_round/accept_order.schema.json").read_text("utf-8"))
    assert forms.read(accept, MultiDict([("order_accepted", "false")])) == {"order_accepted": False, "return_reason": ""}


# -- the page: draft, complete, errors ---------------------------------------------------------------------
def _opened_by(app, username: str) -> tuple[str, int]:
    """A case opened by ``username``: its registration waits (case code, task id)."""
    from tests.processes.harness import Scenario
    with engine_session(app) as session:
        run = Scenario(session, username)
        row = run.row("register")
        return run.case.code, row.id


def test_the_task_page_draws_the_form_with_the_case_beside_it(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    page = _text(browser.get(f"/tasks/{row.task_id}"))
    assert f'action="/tasks/{row.task_id}"' in page and 'name="order_accepted"' in page and "接单" in page
    assert 'value="true"' in page and 'value="false"' in page and "退单理由" in page
    assert "案件概要" in page and row.case_code in page and "合同债务" in page and "办理记录" in page
    assert "完成任务" in page  # the timeline names what happened
    _english(browser)
    page = _text(browser.get(f"/tasks/{row.task_id}"))
    assert "Reason for returning" in page and "退单理由" not in page and "Case summary" in page


def test_an_invalid_submission_shows_each_message_beside_its_field_in_the_user_s_language(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    token = browser.token(f"/tasks/{row.task_id}")
    res = browser.client.post(f"/tasks/{row.task_id}", data={"csrf_token": token, "action": "complete",
                                                              "order_accepted": "false", "return_reason": ""})
    assert res.status_code == 422
    page = _text(res)
    assert _field_error(page, "return_reason") == "请填写退单理由"
    assert 'aria-invalid="true"' in page and "请查看各项旁的提示" in page
    with engine_session(county) as session:
        assert session.get(TaskItem, row.task_id).state == "ready"
    _english(browser)
    res = browser.client.post(f"/tasks/{row.task_id}", data={"csrf_token": token, "action": "complete",
                                                              "return_reason": "x" * 3})
    assert _field_error(_text(res), "order_accepted") == "Accept is required"


def test_errors_inside_party_rows_land_on_the_row_s_field(county, browser):
    code, task_id = _opened_by(county, "town_staff")
    browser.sign_in("town_staff")
    token = browser.token(f"/tasks/{task_id}")
    res = browser.client.post(f"/tasks/{task_id}", data={
        "csrf_token": token, "action": "complete", "intake_channel": "窗口", "dispute_type": "邻里纠纷",
        "summary": "邻居因排水沟堵塞发生争执", "amount": "0", "location_unit_code": "441581-01-001-01",
        "parties.0.name": "张三", "parties.0.role": "申请人", "parties.0.phone": "13800138000",
        "parties.1.name": "李四", "parties.1.role": "被申请人", "parties.1.phone": "12345"})
    assert res.status_code == 422
    page = _text(res)
    assert _field_error(page, "parties.1.phone") == "请填写11位手机号或带区号的固定电话"
    assert _field_error(page, "parties.0.phone") == ""
    assert 'value="12345"' in page and 'value="李四"' in page  # what was typed stays


def test_a_draft_is_kept_and_the_form_starts_from_it(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    token = browser.token(f"/tasks/{row.task_id}")
    res = browser.client.post(f"/tasks/{row.task_id}", data={"csrf_token": token, "action": "draft",
                                                              "order_accepted": "false", "return_reason": "不属本村"})
    assert res.status_code == 302 and res.headers["Location"].endswith(f"/tasks/{row.task_id}")
    with engine_session(county) as session:
        assert session.get(TaskItem, row.task_id).draft == {"order_accepted": False, "return_reason": "不属本村"}
    page = _text(browser.get(f"/tasks/{row.task_id}"))
    assert "草稿已保存" in page and ">不属本村</textarea>" in page
    assert re.search(r'value="false" checked', page)


def test_completing_goes_back_to_the_inbox_naming_the_task_and_case(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    token = browser.token(f"/tasks/{row.task_id}")
    res = browser.client.post(f"/tasks/{row.task_id}", data={"csrf_token": token, "action": "complete",
                                                              "order_accepted": "true", "return_reason": ""})
    assert res.status_code == 302 and res.headers["Location"].endswith("/inbox")
    page = _text(browser.get("/inbox"))
    assert f"“{split_title(row.task_name)[0]}”(案件 {row.case_code})已办结" in page
    with engine_session(county) as session:
        assert session.get(TaskItem, row.task_id).state == "completed"
        assert session.get(TaskItem, row.task_id).completed_by == "village_mediator"
    # The same form sent again (another tab, a colleague): someone else completed it.
    again = browser.client.post(f"/tasks/{row.task_id}", data={"csrf_token": token, "action": "complete",
                                                                "order_accepted": "true", "return_reason": ""})
    assert again.status_code == 409 and "该任务已被他人办理" in _text(again)


def test_text_that_cannot_be_stored_is_refused_on_its_field(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    token = browser.token(f"/tasks/{row.task_id}")
    res = browser.client.post(f"/tasks/{row.task_id}", data={"csrf_token": token, "action": "draft",
                                                              "order_accepted": "false", "return_reason": "a\x00b"})
    assert res.status_code == 422 and _field_error(_text(res), "return_reason") == "含有无法保存的字符"
    with engine_session(county) as session:
        assert session.get(TaskItem, row.task_id).draft is None


def test_posting_the_form_needs_the_token(county, browser):
    row = waiting_order(county)
    browser.sign_in("village_mediator")
    res = browser.client.post(f"/tasks/{row.task_id}", data={"action": "draft", "order_accepted": "true"})
    assert res.status_code == 400
    with engine_session(county) as session:
        assert session.get(TaskItem, row.task_id).draft is None


def test_pickers_list_the_user_s_county_by_the_declared_filter(county, browser):
    browser.sign_in("grid_worker")
    grids = browser.get("/pick/unit?kind=grid&q=441581-01-001").get_json()["items"]
    assert grids and all(item["value"].startswith("441581-01-001-") for item in grids)
    both = browser.get("/pick/unit?kind=town&kind=department").get_json()["items"]
    assert {"441581-01", "441581-FY"} <= {item["value"] for item in both}
    assert browser.get("/pick/user?role=leader&unit_kind=county").get_json()["items"]
    assert browser.get("/pick/mediator?q=张秀兰").get_json()["items"][0]["label"].startswith("张秀兰")
    assert browser.get("/pick/unit?q=%00").status_code == 400
    browser.post("/logout")
    assert browser.client.get("/pick/unit").status_code == 302  # to the sign-in page
