"""The modeler's pages server-side: designers and admins only, CSRF on every post, the check, the
changes and the deploy answer as the page reads them."""

from __future__ import annotations

import pytest

from engine.models import ProcessVersion

from .conftest import engine_session

PAGE = "/designer/processes/dispute_case"
XML_HEADERS = {"Content-Type": "application/xml"}


def _xml(browser) -> str:
    return browser.get(PAGE + "/diagram.xml").get_data(as_text=True)


def _post(browser, path: str, xml: str, token: bool = True):
    headers = dict(XML_HEADERS)
    if token:
        headers["X-CSRFToken"] = browser.token(PAGE)
    return browser.client.post(path, data=xml.encode("utf-8"), headers=headers)


@pytest.fixture
def designer(county, browser):
    browser.sign_in("designer")
    return browser


def test_the_page_opens_the_latest_version_for_a_designer(designer):
    page = designer.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "bpmn-modeler.production.min.js" in html and 'data-version="1"' in html
    assert 'href="/designer"' in html  # the nav link
    assert '<bpmn:process id="dispute_case"' in _xml(designer)
    catalogue = designer.get("/designer/catalogue").get_json()
    assert "pool_mediator" in {o["id"] for o in catalogue["operators"]}
    assert "dispute_case/register.schema.json" in catalogue["forms"]
    preview = designer.get("/designer/forms/preview?path=dispute_case/register.schema.json")
    assert preview.status_code == 200 and "<fieldset disabled>" in preview.get_data(as_text=True)
    assert designer.get("/designer/forms/preview?path=nope.json").status_code == 404
    assert designer.get("/designer/forms/preview").status_code == 400
    assert designer.get("/designer/processes/no_such").status_code == 404
    assert designer.get("/vendor/bpmn-js-i18n/zn.js").status_code == 200


@pytest.mark.parametrize("username", ["county_staff", "village_mediator", "leader"])
def test_other_roles_get_403(county, browser, username):
    browser.sign_in(username)
    for path in (PAGE, PAGE + "/diagram.xml", "/designer/catalogue",
                 "/designer/forms/preview?path=dispute_case/register.schema.json"):
        assert browser.get(path).status_code == 403, path
    for action in ("validate", "diff", "deploy"):
        assert _post(browser, f"{PAGE}/{action}", "<x/>").status_code == 403
    assert 'href="/designer/processes/dispute_case"' not in browser.get("/inbox").get_data(as_text=True)


def test_signed_out_goes_to_sign_in(county, client):
    assert client.get(PAGE).status_code == 302


def test_posts_without_a_csrf_token_are_refused(designer):
    xml = _xml(designer)
    for action in ("validate", "diff", "deploy"):
        assert _post(designer, f"{PAGE}/{action}", xml, token=False).status_code == 400


def test_validate_answers_the_problems_by_element(designer):
    xml = _xml(designer)
    assert _post(designer, PAGE + "/validate", xml).get_json() == {"problems": []}
    bad = xml.replace('serviceTaskOperator id="pool_mediator"', 'serviceTaskOperator id="nope"')
    problems = _post(designer, PAGE + "/validate", bad).get_json()["problems"]
    assert [(p["element"], p["message"]) for p in problems] == [("find_mediator", "unknown service operator 'nope'")]
    assert _post(designer, PAGE + "/validate", "").status_code == 400
    not_utf8 = designer.client.post(PAGE + "/validate", data=b"\xff\xfe<x/>",
                                    headers={**XML_HEADERS, "X-CSRFToken": designer.token(PAGE)})
    assert not_utf8.status_code == 400


def test_diff_and_deploy(county, designer):
    xml = _xml(designer)
    edited = xml.replace('value="dispute_case/register.schema.json"', 'value="dispute_case/assess.schema.json"')
    diff = _post(designer, PAGE + "/diff", edited).get_json()
    assert [c["id"] for c in diff["changed"]] == ["register"] and diff["version"] == 1
    refused = _post(designer, PAGE + "/deploy?base_version=1", edited.replace('Operator id="pool_mediator"', 'Operator id="x"'))
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["element"] == "find_mediator"
    deployed = _post(designer, PAGE + "/deploy?base_version=1", edited)
    assert deployed.status_code == 201
    mine = next(v for v in deployed.get_json()["versions"] if v["process_id"] == "dispute_case")
    assert mine == {"process_id": "dispute_case", "version": 2, "name": "矛盾纠纷案件 Dispute case", "created": True}
    with engine_session(county) as session:
        v2 = session.query(ProcessVersion).filter_by(process_id="dispute_case", version=2).one()
        assert v2.bpmn_xml == edited
    assert _post(designer, PAGE + "/deploy?base_version=1", edited).status_code == 409  # opened before version 2
    again = _post(designer, PAGE + "/deploy?base_version=2", edited)
    assert again.status_code == 200 and again.get_json()["deployment"] is None


def test_an_admin_may_deploy_too(county, browser):
    browser.sign_in("admin")
    assert browser.get(PAGE).status_code == 200
    assert _post(browser, PAGE + "/validate", _xml(browser)).get_json() == {"problems": []}


def test_hostile_process_ids_are_not_found(designer):
    assert designer.get("/designer/processes/a%00b").status_code == 404
    assert designer.get("/designer/processes/" + "x" * 300).status_code == 404
    assert designer.get("/designer/forms/preview?path=a%00b").status_code in (400, 404)
