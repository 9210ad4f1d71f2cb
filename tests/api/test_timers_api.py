"""GET /api/v1/timers for supervisors, POST /api/v1/timers/recalc for administrators."""

from datetime import UTC, datetime, timedelta

import pytest

from api import scheduler
from api.extensions import db
from engine import cases, clock
from tests.helpers import deploy_fixture, small_org

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
DATA = {"reminder_interval": "PT1H", "nudge_after": "PT30M", "handling_limit": "PT5H"}


@pytest.fixture
def seeded(app, echo_handler):
    with app.app_context():
        _, users = small_org(db.session)
        deploy_fixture(db.session, "timers.bpmn")
        with clock.frozen_at(T0):
            case = cases.open_case(db.session, users["staff"], "timers", dict(DATA))
        db.session.commit()
        return case.code


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "pw"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_supervisors_list_waiting_timers_soonest_first_with_filters(client, seeded):
    headers = token(client, "staff")
    body = client.get("/api/v1/timers", headers=headers).get_json()
    assert [t["task"] for t in body["items"]] == ["nudge", "remind", "deadline", "progress"]
    assert body["items"][0]["case_code"] == seeded and body["has_more"] is False
    due_before = (T0 + timedelta(hours=2)).isoformat()
    body = client.get("/api/v1/timers", headers=headers, query_string={"due_before": due_before}).get_json()
    assert [t["task"] for t in body["items"]] == ["nudge", "remind"]
    body = client.get("/api/v1/timers", headers=headers,
                      query_string={"kind": "handling_deadline", "case": seeded}).get_json()
    assert [t["task"] for t in body["items"]] == ["deadline"]
    body = client.get("/api/v1/timers", headers=headers, query_string={"per_page": 1, "page": 2}).get_json()
    assert [t["task"] for t in body["items"]] == ["remind"] and body["has_more"] is True


def test_other_roles_are_refused_and_bad_filters_are_400(client, seeded):
    assert client.get("/api/v1/timers", headers=token(client, "mediator")).status_code == 403
    assert client.get("/api/v1/timers", headers=token(client, "grid_worker")).status_code == 403
    assert client.get("/api/v1/timers").status_code == 401
    response = client.get("/api/v1/timers", headers=token(client, "leader"), query_string={"kind": "nope"})
    assert response.status_code == 400


def test_other_units_staff_see_none_of_this_units_timers(client, seeded):
    body = client.get("/api/v1/timers", headers=token(client, "other_staff")).get_json()
    assert body["items"] == []


def test_recalc_is_for_administrators_and_reports_what_moved(client, seeded):
    assert client.post("/api/v1/timers/recalc", json={}, headers=token(client, "staff")).status_code == 403
    response = client.post("/api/v1/timers/recalc", json={"case": seeded}, headers=token(client, "admin"))
    assert response.status_code == 200
    assert response.get_json() == {"checked": 4, "moved": []}
    assert client.post("/api/v1/timers/recalc", json={"case": "nope"},
                       headers=token(client, "admin")).status_code == 404


def test_openapi_lists_the_timer_operations(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "get" in paths["/timers"] and "post" in paths["/timers/recalc"]


def test_the_scheduler_never_starts_in_tests_unless_asked(app):
    assert scheduler.start(app) is None
    started = scheduler.start(app, force=True)
    try:
        assert started is not None and started.running
        assert scheduler.start(app, force=True) is started  # once per process
        assert {job.id for job in started.get_jobs()} == {"sweep", "deliver_notifications", "monthly_snapshot",
                                                          "risk_scan", "weekly_digest"}
        digest = started.get_job("weekly_digest").trigger  # Monday 08:30 in Beijing by default
        assert (str(digest.fields[4]), str(digest.fields[5]), str(digest.fields[6])) == ("mon", "8", "30")
        assert digest.timezone.utcoffset(None).total_seconds() == 8 * 3600
    finally:
        scheduler.stop()
