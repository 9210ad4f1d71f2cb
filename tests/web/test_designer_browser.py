"""The designer's pages in a real browser: a form edited beside its live preview, saved as new versions.

A designer opens ``/designer``, opens the registration form, retitles a field, watches the preview
follow, reviews and saves; a case opened afterwards shows the new title while a case opened before
keeps its form. Screenshots (1280 and 360 px, Chinese and English) go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import pytest

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
from .conftest import engine_session

pytestmark = pytest.mark.browser

FORM = "dispute_case/register.schema.json"
OLD, NEW = "受理渠道 Intake channel", "来源渠道 Source channel"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The app on a free port: the demo county and the library, a grid worker's registration waiting."""
    app = county_app(tmp_path_factory.mktemp("live-designer"))
    old = _registration(app)
    with serving(app) as url:
        yield {"url": url, "app": app, "old": old}


def _registration(app) -> int:
    """A case a grid worker opens now: the id of its registration task."""
    with engine_session(app) as session:
        return Scenario(session, "grid_worker").row("register").id


def _legend(page, name: str) -> str:
    return page.locator(f'[data-field="{name}"] legend, [data-field="{name}"] label.form-label').first.inner_text()


def test_a_designer_retitles_a_field_and_only_new_cases_get_it(chromium, live):
    from playwright.sync_api import expect

    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "designer")
    page.get_by_role("link", name="流程设计").click()
    page.wait_for_url("**/designer")
    expect(page.locator("#process-dispute_case .open-cases").first).to_have_text("1")
    shot(page, "designer")
    page.locator(f'a[href="/designer/forms/{FORM}"]').click()
    page.wait_for_url(f"**/designer/forms/{FORM}")
    expect(page.locator("#preview")).to_contain_text("受理渠道")
    shot(page, "designer-form")

    editor = page.get_by_label("JSON Schema")
    editor.fill(editor.input_value().replace(OLD, NEW))
    expect(page.locator("#preview")).to_contain_text("来源渠道")
    expect(page.locator("#preview")).not_to_contain_text("受理渠道")
    # A mistake shows at once with its place in the schema; the preview comes back when it is mended.
    editor.fill(editor.input_value().replace('"type": "object"', '"type": "objet"', 1))
    expect(page.locator("#preview-problems")).to_contain_text("$.type")
    shot(page, "designer-form-problem")
    editor.fill(editor.input_value().replace('"type": "objet"', '"type": "object"', 1))
    expect(page.locator("#preview-form")).to_contain_text("来源渠道")

    page.get_by_role("button", name="检查并保存…").click()
    expect(page.locator(".new-versions")).to_contain_text("dispute_case")
    expect(page.locator(".diff")).to_contain_text("来源渠道")
    shot(page, "designer-form-review")
    page.get_by_role("button", name="保存并部署").click()
    expect(page.locator("#messages")).to_contain_text("dispute_case v2")
    context.close()

    new_task = _registration(live["app"])
    context, page = open_page(chromium, DESKTOP)
    sign_in(page, live, "grid_worker")
    page.goto(live["url"] + f"/tasks/{new_task}")
    assert _legend(page, "intake_channel").startswith("来源渠道")
    page.goto(live["url"] + f"/tasks/{live['old']}")
    assert _legend(page, "intake_channel").startswith("受理渠道")
    context.close()


@pytest.mark.parametrize("language", ["中文", "English"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_designer_pages_fit_the_screen(chromium, live, language, viewport):
    context, page = signed_in(chromium, live, viewport, "designer", language)
    for path, name in (("/designer", "designer"), (f"/designer/forms/{FORM}", "designer-form"),
                       ("/designer/forms", "designer-forms")):
        page.goto(live["url"] + path)
        no_sideways_scroll(page)
        shot(page, name)
    if viewport is PHONE:  # the preview below the text on a phone
        text, preview = page.locator("#schema"), page.locator("#preview")
        page.goto(live["url"] + f"/designer/forms/{FORM}")
        assert preview.bounding_box()["y"] > text.bounding_box()["y"] + text.bounding_box()["height"]
    context.close()
