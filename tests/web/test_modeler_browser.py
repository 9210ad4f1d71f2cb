"""The modeler in a real browser: a designer opens a diagram, sets a user task's form in the side panel,
checks it, sees the changes and deploys; a new case runs the new version while an old case keeps its own.
Screenshots at 1280 and 360 px in Chinese and English."""

from __future__ import annotations

import re

import pytest

from . import test_browser as shared
from .browsing import DESKTOP, PASSWORD, PHONE, new_context, no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser
live = shared.live  # the app served on a free port
PAGE = "/designer/processes/dispute_case"
NEW_FORM = "dispute_case/assess.schema.json"


def _open(page, live):
    page.goto(live["url"] + PAGE)
    page.get_by_label("用户名").or_(page.get_by_label("Username")).fill("designer")
    page.get_by_label("密码").or_(page.get_by_label("Password")).fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**" + PAGE)
    page.locator("#modeler[data-ready=true]").wait_for()


def _select(page, element_id: str):
    # pan the drawing so that the element is clear of the palette on the left, as a designer would
    page.evaluate("""id => { const m = window.mediateModeler;
        m.get('canvas').scrollToElement(m.get('elementRegistry').get(id), {top: 100, left: 320, right: 100, bottom: 100}); }""",
                  element_id)
    page.locator(f'.djs-element.djs-shape[data-element-id="{element_id}"]').click()
    page.locator("#mp-panel p").get_by_text(re.compile(f"· {element_id}$")).wait_for()


def test_a_designer_sets_a_form_checks_and_deploys_a_new_version(chromium, live):
    old_case = live["orders"][0].case_code
    context = new_context(chromium, DESKTOP)
    page = context.new_page()
    _open(page, live)
    assert page.locator(".bjs-powered-by").count() == 1  # bpmn.io's watermark stays
    assert page.locator(".djs-palette").inner_text() is not None
    _select(page, "register")
    form = page.get_by_label("表单", exact=True)
    assert form.input_value() == "dispute_case/register.schema.json"

    form.select_option("")  # no form: the check names the task
    page.get_by_role("button", name="检查").click()
    page.locator(".mp-problems").wait_for()
    assert "register" in page.locator(".mp-problems").inner_text()
    assert page.locator('.djs-element[data-element-id="register"].mp-problem').count() == 1
    shot(page, "modeler-problems")

    form.select_option(NEW_FORM)
    page.get_by_role("button", name="预览表单").click()
    page.locator(".modeler-form-preview fieldset[disabled]").wait_for()
    page.get_by_role("button", name="检查").click()
    page.get_by_text("未发现问题，可以部署。").wait_for()
    assert page.locator(".mp-problem").count() == 0
    shot(page, "modeler-panel")

    page.get_by_role("button", name="部署…").click()
    confirm = page.get_by_role("button", name="部署为第 2 版")
    confirm.wait_for()
    changed = page.locator(".mp-diff-changed").inner_text()
    assert "register" in changed and f"表单: dispute_case/register.schema.json → {NEW_FORM}" in changed
    shot(page, "modeler-diff")
    confirm.click()
    page.get_by_text("已部署为第 2 版").wait_for()
    assert page.locator("#mp-version").inner_text() == "dispute_case · 第 2 版"
    context.close()

    # Town staff open a new case: its registration is the new version's form; the old case keeps its own.
    context = new_context(chromium, DESKTOP)
    staff = context.new_page()
    sign_in(staff, live, "town_staff")
    staff.get_by_role("button", name=re.compile("登记新纠纷")).first.click()
    staff.wait_for_url(re.compile(r".*/tasks/\d+$"))
    assert staff.locator('[name="assessment_notes"]').count() == 1
    assert staff.locator('[name="dispute_type"]').count() == 0
    new_case = staff.locator(".case-code").first.inner_text().strip()
    old_xml = staff.request.get(f"{live['url']}/cases/{old_case}/diagram.xml").text()
    new_xml = staff.request.get(f"{live['url']}/cases/{new_case}/diagram.xml").text()
    assert 'value="dispute_case/register.schema.json"' in old_xml and NEW_FORM not in _register(old_xml)
    assert NEW_FORM in _register(new_xml)
    context.close()


def _register(xml: str) -> str:
    start = xml.index('<bpmn:userTask id="register"')
    return xml[start:xml.index("</bpmn:userTask>", start)]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_the_modeler_at_each_width_and_language(chromium, live, viewport, english):
    context = new_context(chromium, viewport, "English" if english else "中文")
    page = context.new_page()
    _open(page, live)
    if viewport is PHONE:
        assert page.locator("[role=note]").is_visible()
        assert not page.locator("#mp-panel").is_visible() and not page.locator("#mp-validate").is_visible()
    else:
        _select(page, "find_mediator")
        assert page.get_by_label("Operator" if english else "服务操作", exact=True).input_value() == "pool_mediator"
        assert page.locator(".mp-param input").first.input_value() == "username"
        for element_id, label, value in (("lane_dispute_case_leader", ("Role of this lane", "本泳道的角色"), "leader"),
                                         ("participant_dispute_case", ("Cases can be opened of this process",
                                                                       "可用此流程登记案件"), "true")):
            page.evaluate("id => { const m = window.mediateModeler;"
                          " m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)
            assert page.get_by_label(label[0] if english else label[1], exact=True).input_value() == value
        # edits in the panel are what the saved XML says (the engine's tags), and undo takes them back
        page.get_by_label("Cases can be opened of this process" if english else "可用此流程登记案件", exact=True).select_option("false")
        _select(page, "find_mediator")
        page.locator(".mp-param input").nth(1).fill("mediated_by or reported_by")
        page.locator(".mp-param input").nth(1).press("Tab")
        saved = page.evaluate("window.mediateModeler.saveXML().then(r => r.xml)")
        assert '<spiffworkflow:parameter id="username" type="any" value="mediated_by or reported_by" />' in saved
        assert 'name="startable"' not in saved
        page.evaluate("window.mediateModeler.get('commandStack').undo(); window.mediateModeler.get('commandStack').undo()")
        saved = page.evaluate("window.mediateModeler.saveXML().then(r => r.xml)")
        assert 'value="mediated_by"' in saved and '<spiffworkflow:property name="startable" value="true" />' in saved
    no_sideways_scroll(page)
    shot(page, "modeler")
    context.close()
