"""Administrators' mediator pool: tiers fit units, one mediator per user, audited changes, filters."""

import pytest
from sqlalchemy import select

from engine import pool
from engine.errors import Forbidden, FormInvalid, NotFound
from engine.models import AuditEvent
from tests.helpers import small_org


@pytest.fixture
def org(session):
    return small_org(session)


def _new(session, admin, **over):
    return pool.create(session, admin, **({"name": "赵红梅", "tier": "town", "unit": "town-1",
                                           "specialties": "劳动争议, 合同债务，劳动争议", "mediation_type": "行政调解",
                                           "gold": True, "username": "mediator"} | over))


def test_create_links_a_user_and_cleans_specialties(session, org):
    row = _new(session, org[1]["admin"])
    assert (row.name, row.tier, row.org_unit.code, row.mediation_type, row.gold, row.user.username, row.active) == (
        "赵红梅", "town", "town-1", "行政调解", True, "mediator", True)
    assert row.specialties == ["劳动争议", "合同债务"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.kind == "mediator_created"))
    assert event.actor == "admin" and event.detail["username"] == [None, "mediator"]


@pytest.mark.parametrize("over, field", [
    ({"name": ""}, "name"),
    ({"tier": "province"}, "tier"),
    ({"tier": "county"}, "tier"),                 # a town holds town and village mediators
    ({"unit": "nowhere"}, "unit"),
    ({"mediation_type": "随便"}, "mediation_type"),
    ({"username": "nobody"}, "username"),
    ({"specialties": ["x" * 41]}, "specialties"),
])
def test_bad_values_name_the_field(session, org, over, field):
    with pytest.raises(FormInvalid) as err:
        _new(session, org[1]["admin"], **over)
    assert set(err.value.fields) == {field}


def test_a_user_is_linked_to_one_mediator_at_most(session, org):
    admin = org[1]["admin"]
    first = _new(session, admin)
    with pytest.raises(FormInvalid) as err:
        _new(session, admin, name="另一位")
    assert "already linked" in err.value.fields["username"]
    assert pool.update(session, admin, first.id, username="mediator", gold=False).gold is False  # itself is fine
    assert pool.update(session, admin, first.id, username="").user is None


def test_edit_deactivate_reactivate_and_filters(session, org):
    admin = org[1]["admin"]
    row = _new(session, admin)
    village = _new(session, admin, name="张秀兰", tier="village", unit="village-1", username=None, gold=False,
                   specialties=["婚姻家庭"], mediation_type="人民调解")
    pool.update(session, admin, row.id, tier="village", unit="village-1", specialties=["邻里纠纷"])
    assert (row.tier, row.org_unit.code, row.specialties) == ("village", "village-1", ["邻里纠纷"])
    changed = session.scalar(select(AuditEvent).where(AuditEvent.kind == "mediator_changed"))
    assert changed.detail["unit"] == ["town-1", "village-1"]
    pool.set_active(session, admin, village.id, False)
    assert [m.id for m in pool.list_pool(session, admin)[0]] == [row.id]
    assert len(pool.list_pool(session, admin, include_inactive=True)[0]) == 2
    assert [m.id for m in pool.list_pool(session, admin, specialty="邻里纠纷")[0]] == [row.id]
    assert pool.list_pool(session, admin, tier="town")[0] == []
    pool.set_active(session, admin, village.id, True)
    assert village.active
    with pytest.raises(NotFound):
        pool.update(session, admin, 9999, name="x")


def test_only_administrators_change_the_pool(session, org):
    with pytest.raises(Forbidden):
        _new(session, org[1]["staff"])
    with pytest.raises(Forbidden):
        pool.list_pool(session, org[1]["leader"])
