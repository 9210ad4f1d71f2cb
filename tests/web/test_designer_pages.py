"""The designer's pages through the test client: who may open them, CSRF, the preview, review and save."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from engine import deploy
from engine.models import ProcessVersion

from .conftest import Browser, engine_session, waiting_order

FORM = "dispatch_round/accept_order.schema.json"
EDITOR = f"/designer/forms/{FORM}"
USERS = ["dispatch_round", "dispute_case", "five_orders", "resolution_round", "tier_round"]


def _text(res) -> str:
    return res.get_data(as_text=True)


def _editor_state(browser: Browser) -> tuple[str, str]:
    """The editor's text and base as the page holds them."""
    page = _text(browser.get(EDITOR))
    text = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
    return text, re.search(r'name="base" value="([^"]+)"', page).group(1)


def _post(browser: Browser, data: dict, path: str = EDITOR):
    return browser.client.post(path, data={"csrf_token": browser.token(EDITOR), **data})


def _newest(app) -> dict[str, int]:
    with engine_session(app) as session:
        out = {}
        for pv in session.scalars(select(ProcessVersion).order_by(ProcessVersion.id)):
            out[pv.process_id] = pv.version
        return out


@pytest.mark.parametrize("path", ["/designer", "/designer/forms", EDITOR])
def test_staff_get_a_403_and_visitors_the_sign_in(county, browser, path):
    assert browser.get(path).headers["Location"].startswith("/login?next=")
    browser.sign_in("town_staff")
    res = browser.get(path)
    assert res.status_code == 403 and "无权访问" in _text(res)
    assert browser.post("/designer/form-preview", {"schema": "{}"}, page="/inbox").status_code == 403


def test_the_overview_shows_versions_cases_tables_and_forms(county, browser):
    order = waiting_order(county)  # one running dispute_case
    assert order.case_code
    browser.sign_in("designer")
    page = _text(browser.get("/designer"))
    assert 'href="/designer"' in page and "流程设计" in page  # the menu entry
    assert 'href="/designer/processes/dispute_case"' in page and "矛盾纠纷案件" in page
    card = page[page.index('id="process-dispute_case"'):]
    card = card[:card.index("</table>")]
    assert re.search(r'class="text-md-end open-cases">1<', card) and re.search(r'class="text-md-end all-cases">1<', card)
    assert "可发起" in card and "test" in card
    assert 'href="/admin/rules/triage"' in page and "分级分类" in page and "triage.dmn" in page
    assert f'href="{EDITOR}"' in page and "dispute_case v1" in page
    browser.get("/language/en")
    page = _text(browser.get("/designer"))
    assert "Process design" in page and "Running cases" in page and "Dispute case" in page


def test_staff_do_not_see_the_menu_entry(county, browser):
    browser.sign_in("town_staff")
    assert 'href="/designer"' not in _text(browser.get("/inbox"))
    browser.post("/logout")
    browser.sign_in("admin")
    assert 'href="/designer"' in _text(browser.get("/inbox"))


def test_the_forms_list_links_each_form_to_its_editor(county, browser):
    browser.sign_in("designer")
    page = _text(browser.get("/designer/forms"))
    assert f'href="{EDITOR}"' in page and "dispute_case, five_orders" in page
    assert browser.get("/designer/forms/dispatch_round/nothing.schema.json").status_code == 404


def test_the_editor_shows_the_text_and_the_form_as_staff_see_it(county, browser):
    browser.sign_in("designer")
    page = _text(browser.get(EDITOR))
    assert '"title": "接单 Accept the order"' in html.unescape(page)
    assert 'id="preview-form"' in page and 'data-field="order_accepted"' in page and "退单理由" in page
    assert 'hx-post="/designer/form-preview"' in page


def test_the_preview_answers_the_rendered_form_or_its_problems(county, browser):
    browser.sign_in("designer")
    text, _ = _editor_state(browser)
    res = browser.post("/designer/form-preview", {"schema": text.replace("退单理由 Reason", "退回原因 Reason")},
                       htmx=True, page=EDITOR)
    assert res.status_code == 200 and "退回原因" in _text(res) and 'name="return_reason"' in _text(res)
    res = browser.post("/designer/form-preview", {"schema": text.replace('"maxLength": 500', '"maxLength": 500, "multipleOf": 3')},
                       htmx=True, page=EDITOR)
    page = _text(res)
    assert "<code>$.properties.return_reason.multipleOf</code>" in page and 'id="preview-form"' not in page
    assert "任务页面不支持关键字 &#39;multipleOf&#39;" in page
    res = browser.post("/designer/form-preview", {"schema": "{oops"}, htmx=True, page=EDITOR)
    assert "不是有效的 JSON:第 1 行第 2 列" in _text(res)
    browser.get("/language/en")
    res = browser.post("/designer/form-preview", {"schema": "{oops"}, htmx=True, page=EDITOR)
    assert "not valid JSON at line 1, column 2" in _text(res)


def test_posts_without_the_token_are_refused(county, browser):
    browser.sign_in("designer")
    text, base = _editor_state(browser)
    assert browser.post("/designer/form-preview", {"schema": text}, token=False).status_code == 400
    res = browser.client.post(EDITOR, data={"schema": text, "base": base, "action": "save"})
    assert res.status_code == 400 and _newest(county)["dispute_case"] == 1


def test_review_lists_the_new_versions_then_save_deploys_them(county, browser):
    browser.sign_in("designer")
    text, base = _editor_state(browser)
    edited = text.replace("接单 Accept the order", "确认接单 Confirm the order")
    res = _post(browser, {"schema": edited, "base": base, "action": "review"})
    page = _text(res)
    assert res.status_code == 200 and 'class="new-versions"' in page
    assert all(f"<code>{pid}</code> → v2" in page for pid in USERS)
    assert _newest(county)["dispute_case"] == 1  # nothing saved by a review
    reviewed = re.search(r'name="reviewed" value="([^"]+)"', page).group(1)
    # A text changed after its review is reviewed again, not saved.
    res = _post(browser, {"schema": edited + " ", "base": base, "action": "save", "reviewed": reviewed})
    assert res.status_code == 200 and _newest(county)["dispute_case"] == 1
    res = _post(browser, {"schema": edited, "base": base, "action": "save", "reviewed": reviewed})
    assert res.status_code == 302 and res.headers["Location"] == EDITOR
    assert "表单已保存" in _text(browser.get(EDITOR))
    newest = _newest(county)
    assert {pid: newest[pid] for pid in USERS} == dict.fromkeys(USERS, 2)
    assert newest["mediation"] == 1 and newest["leader_ownership"] == 1  # they do not use the form
    # Saving from the old base again is someone else's save: a 409 that keeps the text.
    res = _post(browser, {"schema": edited.replace("确认", "同意"), "base": base, "action": "save",
                          "reviewed": reviewed})
    assert res.status_code == 409 and 'id="conflict"' in _text(res)


def test_a_form_with_problems_is_sent_back_with_them(county, browser):
    browser.sign_in("designer")
    text, base = _editor_state(browser)
    broken = text.replace('"type": "boolean"', '"type": "bool"')
    res = _post(browser, {"schema": broken, "base": base, "action": "review"})
    assert res.status_code == 422 and "<code>$.properties.order_accepted.type</code>" in _text(res)
    assert 'name="action" value="save"' not in _text(res)
    from engine.form_design import digest
    res = _post(browser, {"schema": broken, "base": base, "action": "save", "reviewed": digest(broken)})
    assert res.status_code == 422 and 'id="save-problems"' in _text(res)
    assert _newest(county)["dispute_case"] == 1


def _second_version(app) -> None:
    """Deploy dispute_case again with another name, so that it has a version to roll back to."""
    settings = app.config["MEDIATE"]
    with engine_session(app) as session:
        xml = (settings.processes_dir / "dispute_case.bpmn").read_text(encoding="utf-8")
        renamed = xml.replace('<bpmn:process id="dispute_case" name="', '<bpmn:process id="dispute_case" name="新 ', 1)
        assert renamed != xml
        deploy.deploy(session, [deploy.SourceFile("dispute_case.bpmn", renamed.encode())], "designer",
                      max_bytes=settings.max_upload_bytes, forms_dir=settings.forms_dir)
        session.commit()


def test_a_designer_rolls_a_process_back_from_the_overview(county, browser):
    _second_version(county)
    path = "/designer/processes/dispute_case/versions/1/rollback"
    browser.sign_in("town_staff")
    assert browser.post(path, page="/inbox").status_code == 403
    browser.client.post("/logout", data={"csrf_token": browser.token("/inbox")})
    browser.sign_in("designer")
    page = _text(browser.get("/designer"))
    assert f'action="{path}"' in page  # the older version offers the button, the newest does not
    assert 'action="/designer/processes/dispute_case/versions/2/rollback"' not in page
    assert browser.post(path, token=False).status_code == 400  # no CSRF token
    assert _newest(county)["dispute_case"] == 2
    res = browser.post(path, page="/designer")
    assert res.status_code == 302 and res.headers["Location"].startswith("/designer")
    assert _newest(county)["dispute_case"] == 3
    assert "已回滚到第 1 版" in _text(browser.get("/designer"))
    assert browser.post(path, page="/designer").status_code == 409  # v3 already equals v1
