"""The caller's notifications over HTTP: list (unread filter, pages), mark one read, mark all read."""

from __future__ import annotations

import pytest

from api import scheduler
from api.extensions import db
from engine import clock
from engine.models import OrgUnit, Outbox


@pytest.fixture
def delivered(app, world):
    with app.app_context():
        town = db.session.query(OrgUnit).filter_by(code="town-1").one()
        for n in range(3):
            db.session.add(Outbox(task_id=f"t{n}", kind="reminder", recipient_unit_id=town.id,
                                  recipient_role="centre_staff", subject=f"催办 {n}", body="请按时办理",
                                  created_at=clock.now()))
        db.session.commit()
    scheduler.deliver_job(app)  # what the scheduler runs every MEDIATE_SWEEP_SECONDS


def test_list_read_one_and_read_all(client, login, delivered):
    staff = login("staff")
    page = client.get("/api/v1/notifications?unread=true&per_page=2", headers=staff).json
    assert [n["subject"] for n in page["items"]] == ["催办 2", "催办 1"] and page["has_more"] is True
    assert page["items"][0]["read"] is False and page["items"][0]["kind"] == "reminder"
    first = page["items"][0]["id"]
    res = client.post(f"/api/v1/notifications/{first}/read", headers=staff)
    assert res.status_code == 200 and res.json["read"] is True and res.json["read_at"]
    unread = client.get("/api/v1/notifications?unread=true", headers=staff).json["items"]
    assert [n["subject"] for n in unread] == ["催办 1", "催办 0"]
    assert client.post("/api/v1/notifications/read-all", headers=staff).json == {"marked": 2}
    assert client.get("/api/v1/notifications?unread=true", headers=staff).json["items"] == []
    assert len(client.get("/api/v1/notifications", headers=staff).json["items"]) == 3


def test_nobody_reads_another_users_notifications(client, login, delivered):
    mine = client.get("/api/v1/notifications", headers=login("staff")).json["items"]
    other = login("staff2")
    assert client.post(f"/api/v1/notifications/{mine[0]['id']}/read", headers=other).status_code == 404
    assert client.get("/api/v1/notifications", headers=login("mediator")).json["items"] == []
    assert client.get("/api/v1/notifications?unread=maybe", headers=other).status_code == 400
    assert client.get("/api/v1/notifications").status_code == 401
