"""The task page in a real browser: a village mediator's order, a grid worker's registration on a phone, the
centre's assessment that declines a matter (不予受理).

Screenshots of the task page (1280 and 360 px, Chinese and English, with and without messages) go to
``test-artifacts/screenshots/`` beside the other pages'.
"""

from __future__ import annotations

import pytest

from engine.form_messages import split_title
from tests.processes import steps
from tests.processes.harness import Scenario

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
from .conftest import engine_session, waiting_order

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port: the demo county, two orders at the first village, a grid worker's new case."""
    app = county_app(tmp_path_factory.mktemp("live-forms"))
    orders = [waiting_order(app) for _ in range(2)]
    with engine_session(app) as session:
        run = Scenario(session, "grid_worker")
        registration = (run.case.code, run.row("register").id)
        assessments = [_registered(Scenario(session, "town_staff")) for _ in range(2)]
    with serving(app) as url:
        yield {"url": url, "orders": orders, "registration": registration, "assessments": assessments}


def _registered(run):
    steps.register(run)
    return run.case.code, run.row("assess").id


def test_a_mediator_sees_the_messages_then_completes_and_the_case_moves_on(chromium, live):
    context, page = open_page(chromium, DESKTOP)
    order = live["orders"][0]
    sign_in(page, live)
    page.goto(live["url"] + f"/tasks/{order.task_id}")
    assert page.get_by_role("heading", level=1).inner_text() == split_title(order.task_name)[0]
    assert page.locator("aside").get_by_text(order.case_code).count() >= 1
    shot(page, "task-form")
    page.get_by_role("radio", name="否").check()
    page.get_by_role("button", name="提交办结").click()
    error = page.locator("#f-return_reason-error")
    assert error.inner_text() == "请填写退单理由"
    assert page.locator("#f-return_reason").get_attribute("aria-invalid") == "true"
    shot(page, "task-form-errors")
    page.get_by_role("link", name="English").click()
    page.goto(live["url"] + f"/tasks/{order.task_id}")
    shot(page, "task-form")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Complete").click()
    assert page.locator("#f-return_reason-error").inner_text() == "Reason for returning is required"
    shot(page, "task-form-errors")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Complete").click()
    page.wait_for_url("**/inbox")
    assert order.case_code in page.locator("#messages").inner_text()
    page.goto(live["url"] + f"/inbox?scope=unit&q={order.case_code}")
    names = page.locator(".task-row").all_inner_texts()
    assert names and all(order.task_name not in row.split("\n")[0] for row in names)  # the next step waits
    context.close()


@pytest.mark.parametrize("language", ["中文", "English"])
def test_the_task_page_fits_a_phone(chromium, live, language):
    context, page = signed_in(chromium, live, PHONE, "village_mediator", language)
    page.goto(live["url"] + f"/tasks/{live['orders'][1].task_id}")
    no_sideways_scroll(page)
    form_bottom = page.locator("form.task-form").bounding_box()
    case_top = page.locator("aside").bounding_box()
    assert case_top["y"] >= form_bottom["y"] + form_bottom["height"]  # the case below the form
    shot(page, "task-form")
    context.close()


def test_a_grid_worker_registers_a_dispute_on_a_phone(chromium, live):
    code, task_id = live["registration"]
    context, page = open_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(live["url"] + f"/tasks/{task_id}")
    page.locator('[name="intake_channel"]').select_option("网格巡查")
    page.locator('[name="dispute_type"]').select_option("邻里纠纷")
    page.locator('[name="summary"]').fill("两户因宅基地边界发生争执")
    assert page.locator('[data-counter-for="f-summary"] .count').inner_text() == "12"
    page.locator('[name="amount"]').fill("0")
    page.get_by_role("button", name="添加当事人").click()
    page.locator('[name="parties.0.name"]').fill("王五")
    page.locator('[data-field="parties.0.role"]').get_by_text("申请人").first.click()
    page.locator('[name="parties.0.phone"]').fill("13900139000")
    page.get_by_role("button", name="添加当事人").click()
    page.get_by_role("button", name="删除").nth(1).click()  # a row added by mistake goes again
    assert page.locator('[name="parties.1.name"]').count() == 0
    picker = page.locator('[name="location_unit_code"]')
    picker.fill("441581-01-001-0")
    page.locator("#f-location_unit_code-options .ref-option").first.wait_for()
    no_sideways_scroll(page)
    shot(page, "task-register-picker")
    page.locator('#f-location_unit_code-options .ref-option[data-value="441581-01-001-01"]').click()
    assert picker.input_value() == "441581-01-001-01"
    page.get_by_role("button", name="提交办结").click()
    page.wait_for_url("**/inbox")
    assert code in page.locator("#messages").inner_text()
    context.close()


def test_a_matter_not_accepted_at_the_assessment_needs_its_reason_then_closes_the_case(chromium, live):
    code, task_id = live["assessments"][0]
    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "town_staff")
    page.goto(live["url"] + f"/tasks/{task_id}")
    page.locator("#f-acceptance-2").check()  # 不予受理, without saying why
    page.locator("#f-facts_verified-1").check()
    page.locator('[name="assessment_notes"]').fill("当事人已向县法院起诉")
    page.get_by_role("button", name="提交办结").click()
    assert "is-invalid" in page.locator("#f-not_accepted_reason").get_attribute("class")
    assert page.locator("#f-not_accepted_reason-error").inner_text() == "请填写不予受理原因"
    shot(page, "task-assess-errors")
    page.locator("#f-not_accepted_reason").select_option("已进入诉讼或仲裁")
    page.get_by_role("button", name="提交办结").click()
    page.wait_for_url("**/inbox")
    assert code in page.locator("#messages").inner_text()
    page.goto(live["url"] + f"/cases/{code}")
    shot(page, "case-not-accepted")
    context.close()


@pytest.mark.parametrize("language", ["中文", "English"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_assessment_form_shows_whether_the_matter_is_accepted(chromium, live, language, viewport):
    context, page = signed_in(chromium, live, viewport, "town_staff", language)
    page.goto(live["url"] + f"/tasks/{live['assessments'][1][1]}")
    accepted = "受理" if language == "中文" else "Accepted"
    assert page.locator('label[for="f-acceptance-1"]').inner_text() == accepted
    assert page.locator("#f-not_accepted_reason option").count() == 6  # a blank and the five reasons
    no_sideways_scroll(page)
    shot(page, "task-assess")
    context.close()
