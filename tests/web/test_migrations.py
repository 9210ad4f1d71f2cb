"""The page moving running cases between versions: /designer/processes/<id>/migrate."""

import pytest

from engine import cases, tasks
from engine.models import AuditEvent, Case
from tests.engine.test_case_migration import deploy_version
from tests.helpers import small_org
from tests.web.conftest import engine_session

PAGE = "/designer/processes/migrating/migrate"


@pytest.fixture
def seeded(app):
    """Version 1 with a case at ``intake`` (kept in version 2) and one at ``approve`` (renamed ``sign_off``)."""
    with engine_session(app) as session:
        _, users = small_org(session)
        deploy_version(session, "migrating_v1.bpmn")
        kept = cases.open_case(session, users["staff"], "migrating", {})
        renamed = cases.open_case(session, users["staff"], "migrating", {})
        session.commit()
        for _ in range(2):
            tasks.complete(session, users["admin"], cases.open_tasks(session, renamed)[0].id, {})
            session.commit()
        deploy_version(session, "migrating_v2.bpmn")
        return kept.code, renamed.code


def versions(app) -> dict:
    with engine_session(app) as session:
        return {c.code: c.process_version.version for c in session.query(Case)}


def test_the_page_offers_the_versions_and_a_mapping_for_each_removed_element(browser, seeded):
    browser.sign_in("designer", "pw")
    response = browser.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="map.approve"' in html and '<option value="sign_off">' in html
    assert "版本 1 · 在办 2 件" in html and "版本 2 · 在办 0 件" in html
    assert 'name="from_version" value="1"' in html and 'name="to_version" value="2"' in html


def test_dry_run_then_move_with_a_mapping(browser, seeded, app):
    kept, renamed = seeded
    browser.sign_in("designer", "pw")
    dry = browser.post(PAGE, {"from_version": "1", "to_version": "2", "action": "dry_run"}, page=PAGE)
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200
    assert "可迁移" in html and "不能迁移" in html and f'name="cases" value="{kept}"' in html
    assert f'name="cases" value="{renamed}"' not in html
    assert versions(app) == {kept: 1, renamed: 1}  # a dry run changes nothing

    dry = browser.post(PAGE, {"from_version": "1", "to_version": "2", "action": "dry_run", "map.approve": "sign_off"},
                       page=PAGE)
    html = dry.get_data(as_text=True)
    assert f'name="cases" value="{renamed}"' in html and 'name="map.approve" value="sign_off"' in html
    moved = browser.post(PAGE, {"from_version": "1", "to_version": "2", "action": "move", "map.approve": "sign_off",
                                "cases": [kept, renamed]}, page=PAGE)
    assert moved.status_code == 200
    assert "已迁移: 2" in moved.get_data(as_text=True)
    assert versions(app) == {kept: 2, renamed: 2}
    with engine_session(app) as session:
        assert session.query(AuditEvent).filter_by(kind="case_migrated", actor="designer").count() == 2


def test_other_roles_get_403_and_a_post_without_csrf_is_refused(browser, seeded, app):
    browser.sign_in("staff", "pw")
    assert browser.get(PAGE).status_code == 403
    assert browser.post(PAGE, {"from_version": "1", "to_version": "2"}, page="/inbox").status_code == 403
    browser.get("/logout")
    browser.client.post("/logout", headers={"X-CSRFToken": browser.token("/inbox")})
    browser.sign_in("admin", "pw")
    refused = browser.post(PAGE, {"from_version": "1", "to_version": "2", "action": "move"}, token=False)
    assert refused.status_code == 400
    assert set(versions(app).values()) == {1}


def test_signed_out_goes_to_sign_in_and_bad_input_is_a_4xx(browser, seeded):
    assert browser.get(PAGE).status_code == 302
    browser.sign_in("admin", "pw")
    assert browser.get("/designer/processes/nope/migrate").status_code == 404
    assert browser.post(PAGE, {"from_version": "x", "to_version": "2"}, page=PAGE).status_code == 400
    response = browser.post(PAGE, {"from_version": "1", "to_version": "2", "map.approve": "nowhere"}, page=PAGE)
    assert response.status_code == 400
    assert browser.post(PAGE, {"from_version": "1", "to_version": "2", "cases": "a\x00b"}, page=PAGE).status_code == 400
