"""Accounts: every refused sign-in costs one scrypt run; password changes and deactivation are audited."""

import hashlib

import pytest
from sqlalchemy import select

from engine import accounts
from engine.errors import BadRequest, NotFound
from engine.models import AuditEvent
from tests.helpers import small_org


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Records the cost parameters of every scrypt run."""
    calls = []
    real = hashlib.scrypt

    def spy(password, *, salt, n, r, p, **rest):
        calls.append((n, r, p))
        return real(password, salt=salt, n=n, r=r, p=p, **rest)

    monkeypatch.setattr(hashlib, "scrypt", spy)
    return calls


def test_unknown_and_inactive_users_cost_the_same_scrypt_as_a_wrong_password(session, scrypt_calls):
    _, users = small_org(session)
    users["staff2"].active = False
    session.flush()
    scrypt_calls.clear()
    assert accounts.authenticate(session, "staff", "wrong") is None
    real_user_cost = list(scrypt_calls)
    assert len(real_user_cost) == 1
    for username, password in [("nobody", "pw"), ("staff2", "pw")]:
        scrypt_calls.clear()
        assert accounts.authenticate(session, username, password) is None
        assert scrypt_calls == real_user_cost, username
    assert accounts.authenticate(session, "staff", "pw") is users["staff"]


def test_change_password_bumps_the_version_and_is_audited(session):
    _, users = small_org(session)
    staff = accounts.find_user(session, "staff")
    before = staff.session_version
    accounts.change_password(session, staff, "a-longer-password", "admin")
    session.flush()
    assert staff.session_version == before + 1
    assert accounts.authenticate(session, "staff", "a-longer-password") is staff
    assert accounts.authenticate(session, "staff", "pw") is None
    event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "password_changed")).one()
    assert (event.actor, event.detail) == ("admin", {"username": "staff"})


@pytest.mark.parametrize("password", ["short", "x" * 201])
def test_a_password_too_short_or_too_long_to_sign_in_with_is_refused(session, password):
    small_org(session)
    staff = accounts.find_user(session, "staff")
    with pytest.raises(BadRequest) as err:
        accounts.change_password(session, staff, password, "admin")
    assert "password" in err.value.fields and staff.session_version == 0


def test_deactivate_bumps_the_version_and_is_audited(session):
    _, users = small_org(session)
    accounts.deactivate(session, users["mediator"], "cli")
    session.flush()
    assert users["mediator"].active is False and users["mediator"].session_version == 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.kind == "user_deactivated")).one()
    assert (event.actor, event.detail) == ("cli", {"username": "mediator"})


def test_find_user_names_the_field(session):
    with pytest.raises(NotFound) as err:
        accounts.find_user(session, "nobody")
    assert "username" in err.value.fields
