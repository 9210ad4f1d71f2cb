"""Listings beside the case list keep to the user's units: the order ledger and the incident list."""

import pytest

from api.extensions import db
from engine import cases, orgs
from engine.models import Incident, Order, OrgUnit, User

# Where each case is opened (unit code) and, per order, (case, from unit, to unit).
CASES = {"town": "town-1", "other_town": "town-2", "grid": "grid-1", "county": "county"}
ORDERS = {
    "town_to_village": ("town", "town-1", "village-1"),
    "town_to_dept": ("town", "town-1", "dept"),
    "other_town_to_itself": ("other_town", "town-2", "town-2"),
    "county_to_other_town": ("county", "county", "town-2"),
    "county_to_grid": ("county", "county", "grid-1"),
    "grid_to_itself": ("grid", "grid-1", "grid-1"),
}


@pytest.fixture
def ledger(app, world):
    """A case in each of four units, orders between units, and an open incident on each case."""
    with app.app_context():
        session = db.session
        admin = session.query(User).filter_by(username="admin").one()
        orgs.add_unit(session, "dept", "公安局", "department", session.query(OrgUnit).filter_by(code="county").one())
        unit = {u.code: u.id for u in session.query(OrgUnit)}
        opened = {name: cases.open_case(session, admin, "simple", {}, unit_code=code) for name, code in CASES.items()}
        orders = {}
        for name, (case, src, dst) in ORDERS.items():
            orders[name] = Order(case_id=opened[case].id, task_id=name, from_unit_id=unit[src], to_unit_id=unit[dst])
            session.add(orders[name])
        session.add_all(Incident(case_id=c.id, message="boom") for c in opened.values())
        session.commit()
        return {n: c.code for n, c in opened.items()}, {o.id: n for n, o in orders.items()}


# Who sees which orders: sent from or to a unit at or below their own.
ORDERS_SEEN = {
    "staff": {"town_to_village", "town_to_dept", "county_to_grid", "grid_to_itself"},
    "mediator": {"town_to_village", "town_to_dept", "county_to_grid", "grid_to_itself"},
    "other_staff": {"other_town_to_itself", "county_to_other_town"},
    "grid_worker": {"county_to_grid", "grid_to_itself"},
    "leader": set(ORDERS),
    "admin": set(ORDERS),
}
# Who sees which cases' incidents (and case order lists): cases in their unit or below.
CASES_SEEN = {
    "staff": {"town", "grid"},
    "other_staff": {"other_town"},
    "grid_worker": {"grid"},
    "leader": set(CASES),
    "admin": set(CASES),
}


@pytest.mark.parametrize("username", ORDERS_SEEN)
def test_the_order_ledger_lists_only_orders_of_the_users_units(client, login, ledger, username):
    _, order_names = ledger
    items = client.get("/api/v1/orders?per_page=100", headers=login(username)).json["items"]
    assert {order_names[o["id"]] for o in items} == ORDERS_SEEN[username]


def test_the_order_ledger_of_a_named_unit_is_refused_outside_ones_units(client, login, ledger):
    _, order_names = ledger
    staff = login("staff")
    items = client.get("/api/v1/orders?unit=grid-1", headers=staff).json["items"]
    assert {order_names[o["id"]] for o in items} == {"county_to_grid", "grid_to_itself"}
    res = client.get("/api/v1/orders?unit=town-2", headers=staff)
    assert res.status_code == 403, res.json
    assert client.get("/api/v1/orders?unit=town-1", headers=login("grid_worker")).status_code == 403


@pytest.mark.parametrize("username", CASES_SEEN)
def test_a_cases_orders_are_shown_only_to_those_who_see_the_case(client, login, ledger, username):
    codes, order_names = ledger
    headers = login(username)
    for case, code in codes.items():
        res = client.get(f"/api/v1/cases/{code}/orders", headers=headers)
        if case in CASES_SEEN[username]:
            assert res.status_code == 200
            expected = {name for name, (of_case, _, _) in ORDERS.items() if of_case == case}
            assert {order_names[o["id"]] for o in res.json["items"]} == expected
        else:
            assert res.status_code == 403 and "items" not in res.json, (case, res.json)


@pytest.mark.parametrize("username", CASES_SEEN)
def test_the_incident_list_shows_only_incidents_of_cases_the_user_sees(client, login, ledger, username):
    codes, _ = ledger
    items = client.get("/api/v1/incidents", headers=login(username)).json["items"]
    assert sorted(i["case_code"] for i in items) == sorted(codes[c] for c in CASES_SEEN[username])
