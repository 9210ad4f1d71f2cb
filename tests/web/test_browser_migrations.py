"""Moving running cases to a new version in a real browser: dry run, map the renamed element, move;
screenshots at 1280 and 360 px in Chinese and English."""

from __future__ import annotations

import re

import pytest

from engine import cases, demo, tasks
from engine.models import Case, User
from tests.engine.test_case_migration import deploy_version

from .browsing import DESKTOP, PHONE, county_app, new_context, no_sideways_scroll, serving, shot, sign_in
from .conftest import engine_session

pytestmark = pytest.mark.browser
PAGE = "/designer/processes/migrating/migrate"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The demo county with the two-version fixture process, served on a free port."""
    app = county_app(tmp_path_factory.mktemp("live-migrate"), county=False)
    with engine_session(app) as session:
        demo.load(session)
        session.commit()
        deploy_version(session, "migrating_v1.bpmn")
        deploy_version(session, "migrating_v2.bpmn")
    with serving(app) as url:
        yield {"url": url, "app": app}


def _cases_on_version_1(app) -> tuple[str, str]:
    """A case at ``intake`` (kept in version 2) and one at ``approve`` (renamed ``sign_off``)."""
    with engine_session(app) as session:
        staff = session.query(User).filter_by(username="town_staff").one()
        admin = session.query(User).filter_by(username="admin").one()
        kept = cases.open_case(session, staff, "migrating", {}, version=1)
        renamed = cases.open_case(session, staff, "migrating", {}, version=1)
        session.commit()
        for _ in range(2):
            tasks.complete(session, admin, cases.open_tasks(session, renamed)[0].id, {})
            session.commit()
        return kept.code, renamed.code


@pytest.mark.parametrize("language", ["中文", "English"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_designer_dry_runs_maps_the_renamed_element_and_moves_the_cases(chromium, live, viewport, language):
    kept, renamed = _cases_on_version_1(live["app"])
    context = new_context(chromium, viewport, language)
    page = context.new_page()
    sign_in(page, live, "designer")
    page.goto(live["url"] + PAGE)
    assert page.locator("#from").input_value() == "1" and page.locator("#to").input_value() == "2"
    no_sideways_scroll(page)
    shot(page, "migrate")

    page.get_by_role("button", name=re.compile("^(试迁移|Dry run)$")).click()
    page.locator(".result-table").wait_for()
    rows = page.locator(".result-row")
    assert page.locator(f".result-row.status-blocked:has-text('{renamed}')").count() == 1
    assert page.locator(f".result-row.status-can_move:has-text('{kept}')").count() == 1
    assert "approve" in page.locator(f".result-row:has-text('{renamed}')").inner_text()
    no_sideways_scroll(page)
    shot(page, "migrate-dry-run")

    page.get_by_label(re.compile("将 approve 对应到|Map approve to")).select_option("sign_off")
    page.get_by_role("button", name=re.compile("^(试迁移|Dry run)$")).click()
    page.locator(f".result-row.status-can_move:has-text('{renamed}')").wait_for()
    assert rows.count() == page.locator(".result-row.status-can_move").count()
    page.locator("#move-form button").click()
    page.locator(".result-row.status-moved").first.wait_for()
    assert page.locator(f".result-row.status-moved:has-text('{renamed}')").count() == 1
    assert "sign_off" in page.locator(f".result-row:has-text('{renamed}')").inner_text()
    no_sideways_scroll(page)
    shot(page, "migrate-moved")
    context.close()
    with engine_session(live["app"]) as session:
        assert {c.process_version.version for c in session.query(Case).filter(Case.code.in_([kept, renamed]))} == {2}
