"""GET /api/v1/stats/summary and /stats/breakdown: who may read them, whose cases count, what they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from api.extensions import db
from engine.models import Case, ProcessVersion
from tests.helpers import deploy_fixture, small_org

RECEIVED = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)
YEAR = {"from": "2031-01-01", "to": "2031-12-31"}


@pytest.fixture
def counted(app, echo_handler):
    """Three cases of the first town (two resolved, one with a name in its parties) and one of the second."""
    with app.app_context():
        units, _ = small_org(db.session)
        deploy_fixture(db.session)
        pv = db.session.scalar(select(ProcessVersion.id))
        base = {"process_id": "p", "process_version_id": pv, "status": "open", "title": "", "opened_by": "staff",
                "opened_at": RECEIVED, "received_at": RECEIVED, "repeat_petition": False,
                "party_names": ["张*"], "dispute_type": "邻里纠纷"}
        done = {"status": "closed", "outcome": "mediated", "resolved_at": RECEIVED + timedelta(days=2),
                "resolve_seconds": 2 * 86400, "met_deadline": True, "rating": "满意"}
        rows = [base | done | {"resolved_tier": "village", "org_unit_id": units["village"].id},
                base | done | {"resolved_tier": "grid", "org_unit_id": units["grid"].id, "channel": "网格巡查"},
                base | {"org_unit_id": units["village"].id, "dispute_type": "劳动争议"},
                base | {"org_unit_id": units["other_town"].id}]
        db.session.execute(insert(Case), [r | {"code": f"C-{n}", "received_unit_id": r["org_unit_id"],
                                                       "county_id": units["county"].id}
                                          for n, r in enumerate(rows)])
        db.session.commit()


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "pw"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_town_staff_get_their_town_s_figures_without_personal_data(client, counted):
    response = client.get("/api/v1/stats/summary", headers=token(client, "staff"), query_string=YEAR)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["received"], body["resolved"], body["resolution_rate"]) == (3, 2, 66.67)
    assert body["resolved_by_tier"] == {"grid": 1, "village": 1} and body["grassroots_share"] == 100.0
    assert (body["average_days_to_resolve"], body["satisfaction_rate"], body["on_time_rate"]) == (2.0, 100.0, 100.0)
    assert body["period"] == {"from": "2031-01-01", "to": "2031-12-31"}
    assert body["definitions"]["resolution_rate"]["denominator"] == "received"
    text = response.get_data(as_text=True)
    assert "张" not in text and "C-0" not in text  # no names, no case codes


def test_each_caller_counts_the_units_they_may_see(client, counted):
    def received(username, **extra):
        response = client.get("/api/v1/stats/summary", headers=token(client, username),
                              query_string=YEAR | extra)
        return response.status_code, response.get_json().get("received")

    assert received("other_staff") == (200, 1)
    assert received("leader") == (200, 4) and received("admin") == (200, 4)
    assert received("leader", unit="town-1") == (200, 3)
    assert received("staff", dispute_type="劳动争议") == (200, 1)
    assert received("staff", unit="town-2")[0] == 403
    assert received("staff", unit="nowhere")[0] == 404
    for role_without_figures in ("mediator", "grid_worker", "designer"):
        assert received(role_without_figures)[0] == 403
    assert client.get("/api/v1/stats/summary").status_code == 401


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2031-02-30"}, "from"), ({"to": "yesterday"}, "to"), ({"from": "2031-03-01", "to": "2031-02-01"}, "to"),
])
def test_bad_dates_are_422_naming_the_field(client, counted, query, field):
    response = client.get("/api/v1/stats/summary", headers=token(client, "staff"), query_string=query)
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == [field]


def test_unknown_parameters_and_groupings_are_400(client, counted):
    headers = token(client, "staff")
    response = client.get("/api/v1/stats/summary", headers=headers, query_string={"form": "2031-01-01"})
    assert response.status_code == 400 and "form" in response.get_json()["error"]["fields"]
    response = client.get("/api/v1/stats/breakdown", headers=headers, query_string={"by": "weekday"})
    assert response.status_code == 400 and "by" in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/stats/breakdown", headers=headers).status_code == 400  # by is required


def test_breakdown_by_unit_names_the_receiving_units(client, counted):
    response = client.get("/api/v1/stats/breakdown", headers=token(client, "staff"),
                          query_string=YEAR | {"by": "unit"})
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [(i["key"], i["label"], i["received"], i["resolved"]) for i in items] == [
        ("grid-1", "网格一", 1, 1), ("village-1", "村一", 2, 1)]
    response = client.get("/api/v1/stats/breakdown", headers=token(client, "staff"),
                          query_string=YEAR | {"by": "channel"})
    assert [(i["key"], i["received"]) for i in response.get_json()["items"]] == [("网格巡查", 1), (None, 2)]
