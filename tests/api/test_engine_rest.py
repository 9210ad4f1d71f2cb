"""Camunda Modeler's Deploy, replayed: the requests it sends to ``/engine-rest`` and what it reads back."""

import base64
import io

import pytest
from sqlalchemy import select

from api import create_app
from api.extensions import db
from engine.models import AuditEvent, ProcessVersion
from tests.conftest import settings_for
from tests.helpers import FIXTURES, deploy_fixture, small_org

CAMUNDA_NS = b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '


def basic(username="designer", password="pw"):
    """The headers Camunda Modeler sends with "HTTP Basic" authentication."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"accept": "application/json", "authorization": f"Basic {token}"}


def _simple(changed=True) -> bytes:
    xml = (FIXTURES / "simple.bpmn").read_bytes()
    return xml.replace(b'name="\xe7\xbb\x93\xe6\x9d\x9f"', b'name="end2"') if changed else xml


def _deploy(client, files: dict[str, bytes], headers=None, **fields):
    """``POST /deployment/create`` as the Modeler builds it: the fields, then each file named by its name."""
    form = {"deployment-name": "simple", "deployment-source": "Camunda Modeler",
            "enable-duplicate-filtering": "true", "deploy-changed-only": "true", **fields}
    for name, content in files.items():
        form[name] = (io.BytesIO(content), name, "text/xml")
    return client.post("/engine-rest/deployment/create", data=form, headers=headers or basic())


def test_connection_check_and_version(client, world):
    res = client.get("/engine-rest/deployment?maxResults=0", headers=basic())
    assert res.status_code == 200 and res.json == []
    listed = client.get("/engine-rest/deployment", headers=basic()).json
    assert [d["id"] for d in listed] == ["1"] and listed[0]["deploymentTime"].endswith("+0000")
    assert client.get("/engine-rest/deployment?firstResult=1", headers=basic()).json == []
    bad = client.get("/engine-rest/deployment?maxResults=-1", headers=basic())
    assert bad.status_code == 400 and bad.json["type"] == "InvalidRequestException" and "maxResults" in bad.json["message"]
    version = client.get("/engine-rest/version", headers=basic())
    assert version.status_code == 200 and version.json["version"].startswith("7.")


def test_deploy_answers_in_camundas_shape_and_filters_duplicates(client, world):
    res = _deploy(client, {"simple.bpmn": _simple()})
    assert res.status_code == 200, res.json
    body = res.json
    assert body["name"] == "simple" and body["source"] == "Camunda Modeler" and body["tenantId"] is None
    definition_id = f"simple:2:{body['id']}"
    assert list(body["deployedProcessDefinitions"]) == [definition_id]
    definition = body["deployedProcessDefinitions"][definition_id]
    assert (definition["id"], definition["key"], definition["version"]) == (definition_id, "simple", 2)
    assert definition["resource"] == "simple.bpmn" and definition["deploymentId"] == body["id"]
    assert body["deployedDecisionDefinitions"] is None
    again = _deploy(client, {"simple.bpmn": _simple()}, **{"enable-duplicate-filtering": "false"})
    assert again.status_code == 200
    assert again.json["id"] == body["id"] and again.json["deployedProcessDefinitions"] is None
    with client.application.app_context():
        assert [v for (v,) in db.session.execute(select(ProcessVersion.version))] == [1, 2]
        event = db.session.scalars(select(AuditEvent).filter_by(kind="deployed", actor="designer")).one()
        assert event.actor == "designer"
        assert event.detail["via"] == "engine-rest" and event.detail["deployment_name"] == "simple"


def test_bearer_token_and_decision_tables(client, world, login):
    table = (FIXTURES / "rule.dmn").read_bytes()
    res = _deploy(client, {"rule.bpmn": (FIXTURES / "rule.bpmn").read_bytes(), "rule.dmn": table},
                  headers={"accept": "application/json", **login("designer")})
    assert res.status_code == 200, res.json
    assert list(res.json["deployedProcessDefinitions"]) == [f"rule:1:{res.json['id']}"]
    assert list(res.json["deployedDecisionDefinitions"]) == [f"deadline_rule:1:{res.json['id']}"]
    changed = _deploy(client, {"rule.dmn": table.replace(b"Deadline", b"Frist")}, headers=basic())
    assert list(changed.json["deployedDecisionDefinitions"]) == [f"deadline_rule:2:{changed.json['id']}"]


def test_a_bad_diagram_is_a_camunda_parse_error(client, world):
    res = _deploy(client, {"broken.bpmn": b"<bpmn:definitions"})
    assert res.status_code == 400
    assert res.json["type"] == "ParseException"
    assert res.json["message"].startswith("ENGINE-09005 Could not parse BPMN process.")
    assert "not well-formed XML" in res.json["details"]["broken.bpmn"]["errors"][0]["message"]
    unknown_operator = _simple().replace(b'id="echo"', b'id="no_such_operator"')
    res = _deploy(client, {"simple.bpmn": unknown_operator})
    assert res.status_code == 400 and "no_such_operator" in res.json["message"]
    assert res.json["details"]["simple.bpmn"]["errors"][0]["mainElementId"] == "stamp"


def test_camunda_extensions_are_refused_by_name(client, world):
    xml = _simple().replace(b"<bpmn:definitions ", b"<bpmn:definitions " + CAMUNDA_NS, 1)
    xml = xml.replace(b'<bpmn:userTask id="register"', b'<bpmn:userTask id="register" camunda:assignee="demo"')
    xml = xml.replace(b'<bpmn:process id="simple"', b'<bpmn:process id="simple" camunda:historyTimeToLive="180"')
    res = _deploy(client, {"simple.bpmn": xml})
    assert res.status_code == 400 and res.json["type"] == "ParseException"
    assert "element 'register' uses camunda:assignee" in res.json["message"]
    assert "historyTimeToLive" not in res.json["message"]
    assert res.json["details"]["simple.bpmn"]["errors"][0]["elementIds"] == ["register"]


def test_sign_in_and_role(client, world, login):
    wrong = client.get("/engine-rest/version", headers=basic(password="wrong"))
    assert wrong.status_code == 401 and wrong.json["type"] == "AuthenticationException"
    assert "Basic" not in wrong.headers["WWW-Authenticate"]  # no browser password dialog
    assert client.get("/engine-rest/deployment?maxResults=0").status_code == 401
    assert client.get("/engine-rest/version", headers={"authorization": "Bearer nonsense"}).status_code == 401
    for username in ("staff", "admin"):
        res = _deploy(client, {"simple.bpmn": _simple()}, headers=basic(username))
        assert res.status_code == 403 and res.json["type"] == "AuthorizationException", username
    assert client.get("/engine-rest/version", headers=login("staff")).status_code == 403
    with client.application.app_context():
        failed = db.session.scalars(select(AuditEvent).filter_by(kind="sign_in_failed")).one()
        assert failed.actor == "designer"
        assert db.session.scalar(select(ProcessVersion).filter_by(version=2)) is None


def test_request_problems_are_camunda_errors(client, world):
    flag = _deploy(client, {"simple.bpmn": _simple()}, **{"enable-duplicate-filtering": "maybe"})
    assert flag.status_code == 400 and "enable-duplicate-filtering" in flag.json["message"]
    tenant = _deploy(client, {"simple.bpmn": _simple()}, **{"tenant-id": "county-a"})
    assert tenant.status_code == 400 and "tenant-id" in tenant.json["message"]
    empty = _deploy(client, {})
    assert empty.status_code == 400 and empty.json["type"] == "InvalidRequestException"
    form = _deploy(client, {"simple.form": b"{}"})
    assert form.status_code == 400 and "only .bpmn, .dmn and .json" in form.json["message"]
    other = client.get("/engine-rest/process-definition", headers=basic())
    assert other.status_code == 404 and other.json["type"] == "NotFoundException"


def test_cors_for_the_modelers_file_page(client, world):
    preflight = client.options("/engine-rest/deployment/create", headers={
        "Origin": "null", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "accept, authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "null"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    res = client.get("/engine-rest/version", headers={**basic(), "Origin": "file://"})
    assert res.headers["Access-Control-Allow-Origin"] == "file://"
    foreign = client.get("/engine-rest/version", headers={**basic(), "Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


@pytest.fixture
def throttled_client(database_url, echo_handler):
    app = create_app(settings_for(database_url, login_limit="2 per minute"))
    with app.app_context():
        small_org(db.session)
        deploy_fixture(db.session)
    yield app.test_client()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_basic_sign_in_shares_the_sign_in_throttle(throttled_client):
    client = throttled_client
    assert [client.get("/engine-rest/version", headers=basic(password="wrong")).status_code
            for _ in range(2)] == [401, 401]
    res = client.get("/engine-rest/version", headers=basic())
    assert res.status_code == 429 and res.json["type"] == "TooManyRequestsException"
    assert 0 < int(res.headers["Retry-After"]) <= 60
    token = client.post("/api/v1/auth/token", json={"username": "designer", "password": "pw"})
    assert token.status_code == 429  # one set of counters for every door
    assert [client.get("/engine-rest/version", headers=basic("other_staff")).status_code
            for _ in range(4)] == [403] * 4  # successful sign-ins do not count


def test_a_diagram_saved_by_camunda_modeler_deploys(client, world):
    """What the Modeler writes into every Camunda 7 diagram: its exporter, platform and history settings."""
    xml = _simple().replace(b"<bpmn:definitions ", b"<bpmn:definitions " + CAMUNDA_NS +
                            b'xmlns:modeler="http://camunda.org/schema/modeler/1.0" exporter="Camunda Modeler" '
                            b'exporterVersion="5.29.0" modeler:executionPlatform="Camunda Platform" '
                            b'modeler:executionPlatformVersion="7.21.0" ', 1)
    xml = xml.replace(b'<bpmn:process id="simple"', b'<bpmn:process id="simple" camunda:historyTimeToLive="180"')
    assert client.application.config["WTF_CSRF_ENABLED"] is not False  # the pages' CSRF check is on, and exempts this
    res = _deploy(client, {"simple.bpmn": xml})
    assert res.status_code == 200, res.json
    assert [d["version"] for d in res.json["deployedProcessDefinitions"].values()] == [2]
