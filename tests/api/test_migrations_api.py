"""POST /api/v1/processes/<id>/migrations: dry run, then the move, for designers and administrators."""

import pytest

from api.extensions import db
from engine import cases, tasks
from tests.engine.test_case_migration import deploy_version
from tests.helpers import small_org

URL = "/api/v1/processes/migrating/migrations"


@pytest.fixture
def seeded(app):
    """Two cases of version 1: one at ``intake`` (kept), one at ``approve`` (renamed ``sign_off`` in version 2)."""
    with app.app_context():
        _, users = small_org(db.session)
        deploy_version(db.session, "migrating_v1.bpmn")
        kept = cases.open_case(db.session, users["staff"], "migrating", {})
        renamed = cases.open_case(db.session, users["staff"], "migrating", {})
        db.session.commit()
        for _ in range(2):
            row = cases.open_tasks(db.session, renamed)[0]
            tasks.complete(db.session, users["admin"], row.id, {})
            db.session.commit()
        deploy_version(db.session, "migrating_v2.bpmn")
        return kept.code, renamed.code


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "pw"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_dry_run_says_which_cases_can_move_and_why_others_cannot(client, seeded):
    kept, renamed = seeded
    response = client.post(URL, headers=token(client, "designer"), json={"from_version": 1, "to_version": 2})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["dry_run"], body["counts"]) == (True, {"can_move": 1, "blocked": 1})
    plans = {c["code"]: c for c in body["cases"]}
    assert plans[kept]["status"] == "can_move"
    assert plans[kept]["moves"][0] == {"process": "migrating", "old": "intake", "new": "intake", "how": "same",
                                       "state": "ready"}
    blocker = plans[renamed]["blockers"][0]
    assert (blocker["code"], blocker["element"], blocker["suggestion"]) == ("removed", "approve", "sign_off")
    assert "approve" in blocker["message"]
    assert plans[renamed]["waiting"] == [{"process": "migrating", "old": "approve", "new": "", "how": "blocked",
                                          "state": "ready"}]
    # A dry run writes nothing: the same request says the same.
    again = client.post(URL, headers=token(client, "designer"), json={"from_version": 1, "to_version": 2})
    assert again.get_json()["counts"] == body["counts"]


def test_the_move_with_a_mapping_moves_the_named_cases(client, seeded):
    kept, renamed = seeded
    response = client.post(URL, headers=token(client, "admin"), json={
        "from_version": 1, "to_version": 2, "mapping": {"approve": "sign_off"}, "dry_run": False,
        "cases": [renamed]})
    body = response.get_json()
    assert response.status_code == 200 and body["counts"] == {"moved": 1}
    assert body["cases"][0]["moves"][0]["how"] == "mapped"
    detail = client.get(f"/api/v1/cases/{renamed}", headers=token(client, "admin")).get_json()
    assert [(t["spec_id"], t["role"]) for t in detail["open_tasks"]] == [("sign_off", "leader")]
    left = client.post(URL, headers=token(client, "admin"), json={"from_version": 1, "to_version": 2}).get_json()
    assert [c["code"] for c in left["cases"]] == [kept]


def test_other_roles_and_bad_input_are_refused(client, seeded):
    staff = token(client, "staff")
    assert client.post(URL, headers=staff, json={"from_version": 1, "to_version": 2}).status_code == 403
    designer = token(client, "designer")
    response = client.post(URL, headers=designer, json={"from_version": 1, "to_version": 2,
                                                        "mapping": {"approve": "nowhere"}})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"mapping.approve": "no such element in the target version"}
    response = client.post(URL, headers=designer, json={"from_version": 1, "to_version": 9})
    assert response.status_code == 404
    response = client.post(URL, headers=designer, json={"from_version": 1})
    assert response.status_code == 400 and "to_version" in response.get_json()["error"]["fields"]
    assert client.post("/api/v1/processes/nope/migrations", headers=designer,
                       json={"from_version": 1, "to_version": 2}).status_code == 404
    assert client.post(URL, json={"from_version": 1, "to_version": 2}).status_code == 401
