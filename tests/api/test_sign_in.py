"""Sign-in: throttled per username (failures) and per client address (every attempt), and audited."""

import json

import pytest
from sqlalchemy import select

from api import create_app
from api.extensions import db
from engine.models import AuditEvent
from tests.conftest import settings_for
from tests.helpers import small_org


@pytest.fixture
def make_client(database_url):
    """A client of an app with small sign-in limits; the county of ``small_org`` is loaded once."""
    apps = []

    def _make(login_limit="3 per minute", address_limit="100 per minute", **extra):
        app = create_app(settings_for(database_url, login_limit=login_limit, login_address_limit=address_limit,
                                      **extra))
        with app.app_context():
            if not apps:
                small_org(db.session)
                db.session.commit()
        apps.append(app)
        return app.test_client()

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _sign_in(client, username, password="pw", address="10.0.0.1", **headers):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_failed_sign_ins_for_a_user_get_429_with_retry_after(make_client):
    client = make_client(login_limit="3 per minute")
    failures = [_sign_in(client, "staff", "wrong") for _ in range(3)]
    assert [r.status_code for r in failures] == [401, 401, 401]
    assert "Retry-After" not in failures[-1].headers
    res = _sign_in(client, "staff")  # even the right password waits
    assert res.status_code == 429
    assert 0 < int(res.headers["Retry-After"]) <= 60
    assert res.json["error"]["code"] == "too_many_requests"
    assert "failed sign-ins for this user" in res.json["error"]["message"]
    assert _sign_in(client, "staff", address="10.0.0.2").status_code == 429  # per user, whatever the address
    assert _sign_in(client, "staff2").status_code == 200  # another user from the same address


def test_successful_sign_ins_do_not_count_against_the_user(make_client):
    client = make_client(login_limit="3 per minute")
    assert [_sign_in(client, "staff").status_code for _ in range(6)] == [200] * 6


def test_every_attempt_counts_against_the_address(make_client):
    client = make_client(login_limit="100 per minute", address_limit="4 per minute")
    codes = [_sign_in(client, name, password).status_code
             for name, password in [("staff", "wrong"), ("nobody", "pw"), ("staff2", "pw"), ("mediator", "pw")]]
    assert codes == [401, 401, 200, 200]
    res = _sign_in(client, "leader")
    assert res.status_code == 429 and "Retry-After" in res.headers
    assert "from this address" in res.json["error"]["message"]
    assert _sign_in(client, "leader", address="10.0.0.9").status_code == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_client):
    direct = make_client(login_limit="100 per minute", address_limit="1 per minute")
    assert _sign_in(direct, "staff", X_Forwarded_For="192.0.2.1").status_code == 200
    # A client cannot dodge the limit by making up a forwarded address.
    assert _sign_in(direct, "staff", X_Forwarded_For="192.0.2.2").status_code == 429
    proxied = make_client(login_limit="100 per minute", address_limit="1 per minute", trusted_proxies=1)
    assert _sign_in(proxied, "staff", X_Forwarded_For="192.0.2.1").status_code == 200
    assert _sign_in(proxied, "staff", X_Forwarded_For="192.0.2.2").status_code == 200
    assert _sign_in(proxied, "staff", X_Forwarded_For="192.0.2.1").status_code == 429


def test_sign_ins_are_audited_without_the_password(make_client, database_url):
    client = make_client()
    _sign_in(client, "staff", "Wrong-Secret-1")
    _sign_in(client, "nobody", "Wrong-Secret-2")
    _sign_in(client, "staff", address="10.0.0.7")
    app = create_app(settings_for(database_url))
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        rows = [(e.kind, e.actor, e.detail) for e in events]
        db.engine.dispose()
    assert rows == [
        ("sign_in_failed", "staff", {"username": "staff", "address": "10.0.0.1"}),
        ("sign_in_failed", "nobody", {"username": "nobody", "address": "10.0.0.1"}),
        ("signed_in", "staff", {"username": "staff", "address": "10.0.0.7"}),
    ]
    assert "Wrong-Secret" not in json.dumps(rows)


def test_an_unusable_counter_storage_stops_start_up_naming_the_variable(database_url):
    from engine.config import ConfigError

    with pytest.raises(ConfigError, match="MEDIATE_LOGIN_LIMIT_STORAGE"):
        create_app(settings_for(database_url, login_limit_storage="bogus://nowhere"))
