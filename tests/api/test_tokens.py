"""Tokens: signed with a key nobody else has, refused after they expire or their user's version moves on."""

from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer

from api import create_app
from api.extensions import db
from engine import accounts, clock
from engine.config import PUBLISHED_DEV_KEY, load_settings
from tests.helpers import small_org


def _forged(key: str, uid: int, version: int = 0) -> dict:
    token = URLSafeTimedSerializer(key, salt="mediate-token").dumps({"uid": uid, "sv": version})
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def keyless_app(database_url, tmp_path):
    """Started as `mediate serve` starts on a fresh install: no MEDIATE_SECRET_KEY in the environment."""
    app = create_app(load_settings({"MEDIATE_DATABASE_URL": database_url, "MEDIATE_SCHEDULER": "off",
                                    "MEDIATE_INSTANCE_DIR": str(tmp_path)}))
    with app.app_context():
        small_org(db.session)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_token_forged_with_the_old_default_key_is_refused(keyless_app):
    client = keyless_app.test_client()
    with keyless_app.app_context():
        admin_id = accounts.find_user(db.session, "admin").id
    res = client.get("/api/v1/cases", headers=_forged(PUBLISHED_DEV_KEY, admin_id))
    assert res.status_code == 401 and res.json["error"]["message"] == "the token is not valid"
    signed_in = client.post("/api/v1/auth/token", json={"username": "admin", "password": "pw"})
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {signed_in.json['token']}"}).status_code == 200


def _revoked(res) -> bool:
    return res.status_code == 401 and "revoked" in res.json["error"]["message"]


def test_changing_the_password_ends_the_tokens_issued_before(app, client, world, login):
    staff, other = login("staff"), login("staff2")
    assert client.get("/api/v1/cases", headers=staff).status_code == 200
    with app.app_context():
        accounts.change_password(db.session, accounts.find_user(db.session, "staff"), "a-new-password", "admin")
        db.session.commit()
    assert _revoked(client.get("/api/v1/cases", headers=staff))
    assert client.get("/api/v1/cases", headers=other).status_code == 200  # only that user's tokens end
    assert client.post("/api/v1/auth/token", json={"username": "staff", "password": "pw"}).status_code == 401
    assert client.get("/api/v1/cases", headers=login("staff", "a-new-password")).status_code == 200


def test_deactivating_a_user_ends_their_tokens_and_sign_in(app, client, world, login):
    staff = login("staff")
    with app.app_context():
        accounts.deactivate(db.session, accounts.find_user(db.session, "staff"), "admin")
        db.session.commit()
    res = client.get("/api/v1/cases", headers=staff)
    assert res.status_code == 401 and "disabled" in res.json["error"]["message"]
    assert client.post("/api/v1/auth/token", json={"username": "staff", "password": "pw"}).status_code == 401


def test_a_token_naming_another_version_is_refused(app, client, world):
    with app.app_context():
        staff_id = accounts.find_user(db.session, "staff").id
    key = app.config["SECRET_KEY"]
    assert client.get("/api/v1/cases", headers=_forged(key, staff_id, 0)).status_code == 200
    assert _revoked(client.get("/api/v1/cases", headers=_forged(key, staff_id, 1)))
    no_version = URLSafeTimedSerializer(key, salt="mediate-token").dumps({"uid": staff_id})  # issued before versions
    assert _revoked(client.get("/api/v1/cases", headers={"Authorization": f"Bearer {no_version}"}))


def test_a_token_ends_after_the_configured_hours(app, client, world, login):
    staff = login("staff")
    hours = app.config["MEDIATE"].token_hours
    with clock.frozen_at(clock.now() + timedelta(hours=hours, minutes=-1)):
        assert client.get("/api/v1/cases", headers=staff).status_code == 200
    with clock.frozen_at(clock.now() + timedelta(hours=hours, seconds=5)):
        res = client.get("/api/v1/cases", headers=staff)
    assert res.status_code == 401 and "expired" in res.json["error"]["message"]
