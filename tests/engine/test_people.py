"""Administrators' user accounts: validation naming the field, audit, moves keep history, sessions end."""

import pytest
from sqlalchemy import select

from engine import accounts, cases, people, tasks
from engine.errors import Forbidden, FormInvalid, NotFound
from engine.models import AuditEvent, TaskItem, User
from tests.helpers import deploy_fixture, small_org


@pytest.fixture
def org(session):
    return small_org(session)


def _field(err) -> set:
    return set(err.value.fields)


def test_an_admin_creates_a_user_who_can_sign_in_with_a_generated_password(session, org):
    _, users = org
    issued = people.create(session, users["admin"], username="new_mediator", role="mediator", unit="village-1",
                           display_name="新调解员")
    assert issued.password and len(issued.password) >= accounts.MIN_PASSWORD_LENGTH
    assert accounts.authenticate(session, "new_mediator", issued.password) is issued.user
    assert issued.user.org_unit.code == "village-1" and issued.user.display_name == "新调解员"
    event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "user_created"))
    assert event.actor == "admin" and event.detail == {"username": "new_mediator", "role": "mediator",
                                                       "unit": "village-1"}


def test_a_typed_password_is_kept_and_not_shown_again(session, org):
    issued = people.create(session, org[1]["admin"], username="typed", role="grid_worker", unit="grid-1",
                           password="long enough")
    assert issued.password is None
    assert accounts.authenticate(session, "typed", "long enough") is issued.user


@pytest.mark.parametrize("values, field", [
    ({"username": "staff"}, "username"),               # taken
    ({"username": "a b"}, "username"),                 # not a username
    ({"username": ""}, "username"),
    ({"role": "wizard"}, "role"),
    ({"role": "grid_worker"}, "role"),                 # not at a village
    ({"role": "admin"}, "role"),                       # administrators sit at the county
    ({"unit": "nowhere"}, "unit"),
    ({"password": "short"}, "password"),
    ({"display_name": "x" * 121}, "display_name"),
])
def test_bad_values_are_refused_naming_the_field(session, org, values, field):
    with pytest.raises(FormInvalid) as err:
        people.create(session, org[1]["admin"], **({"username": "fresh", "role": "mediator",
                                                    "unit": "village-1"} | values))
    assert _field(err) == {field}
    assert session.scalar(select(User).where(User.username == "fresh")) is None


def test_a_closed_unit_takes_no_new_users(session, org):
    units, users = org
    units["other_town"].active = False
    with pytest.raises(FormInvalid) as err:
        people.create(session, users["admin"], username="fresh", role="mediator", unit="town-2")
    assert _field(err) == {"unit"}


@pytest.mark.parametrize("who", ["staff", "leader", "designer"])
def test_only_administrators_manage_users(session, org, who):
    actor = org[1][who]
    with pytest.raises(Forbidden):
        people.create(session, actor, username="fresh", role="mediator", unit="village-1")
    with pytest.raises(Forbidden):
        people.set_active(session, actor, "mediator", False)
    with pytest.raises(Forbidden):
        people.reset_password(session, actor, "mediator")
    with pytest.raises(Forbidden):
        people.list_users(session, actor)


def test_moving_a_user_keeps_their_history_and_hands_back_held_tasks(session, org, echo_handler):
    units, users = org
    deploy_fixture(session)
    staff = users["staff"]
    case = cases.open_case(session, staff, "simple", {})
    held = cases.open_tasks(session, case)[0]
    tasks.claim(session, staff, held.id)
    session.commit()
    version = staff.session_version
    people.update(session, users["admin"], "staff", unit="town-2", display_name="镇二工作人员")
    session.commit()
    session.refresh(held)
    assert staff.org_unit.code == "town-2" and case.opened_by == "staff"  # the case still names them
    assert held.assignee_id is None and held.state == "ready"  # back with the town's centre staff
    assert staff.session_version == version + 1  # pages re-read the new unit after signing in again
    change = session.scalar(select(AuditEvent).where(AuditEvent.kind == "user_changed"))
    assert change.detail["unit"] == ["town-1", "town-2"] and change.detail["released_tasks"] == 1
    assert change.actor == "admin"
    with pytest.raises(FormInvalid) as err:
        people.update(session, users["admin"], "staff", unit="grid-1")  # a grid holds grid workers
    assert _field(err) == {"role"}
    with pytest.raises(NotFound):
        people.update(session, users["admin"], "nobody", display_name="x")
    assert session.get(TaskItem, held.id).assignee_id is None


def test_an_admin_cannot_lock_themselves_out(session, org):
    admin = org[1]["admin"]
    with pytest.raises(FormInvalid):
        people.set_active(session, admin, "admin", False)
    with pytest.raises(FormInvalid):
        people.update(session, admin, "admin", role="centre_staff")


def test_deactivate_and_reactivate(session, org):
    _, users = org
    staff = users["staff"]
    version = staff.session_version
    people.set_active(session, users["admin"], "staff", False)
    assert not staff.active and staff.session_version == version + 1
    assert accounts.authenticate(session, "staff", "pw") is None
    people.set_active(session, users["admin"], "staff", True)
    assert accounts.authenticate(session, "staff", "pw") is staff
    kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("user_%"))))
    assert kinds == ["user_deactivated", "user_reactivated"]


def test_reactivating_at_a_closed_unit_is_refused(session, org):
    units, users = org
    people.set_active(session, users["admin"], "other_staff", False)
    units["other_town"].active = False
    with pytest.raises(FormInvalid) as err:
        people.set_active(session, users["admin"], "other_staff", True)
    assert _field(err) == {"unit"}


def test_reset_password_generated_or_typed_ends_sessions(session, org):
    _, users = org
    version = users["staff"].session_version
    issued = people.reset_password(session, users["admin"], "staff")
    assert issued.password and accounts.authenticate(session, "staff", issued.password) is users["staff"]
    assert users["staff"].session_version == version + 1
    assert people.reset_password(session, users["admin"], "staff", "typed-password").password is None
    assert accounts.authenticate(session, "staff", "typed-password") is users["staff"]
    with pytest.raises(FormInvalid) as err:
        people.reset_password(session, users["admin"], "staff", "short")
    assert _field(err) == {"password"}
