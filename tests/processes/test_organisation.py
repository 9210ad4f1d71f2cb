"""The organisation check over the demo county and the deployed library."""

from __future__ import annotations

from sqlalchemy import select

from engine import doctor
from engine.models import User


def _gaps(report):
    return {(t.process_id, t.task, k.kind): k.uncovered for t in report.tasks for k in t.kinds if k.uncovered}


def test_the_demo_county_has_someone_for_every_task_everywhere_it_can_land(county):
    report = doctor.check(county)
    assert report.ok, _gaps(report)
    tasks = {(t.process_id, t.task): t for t in report.tasks}
    assert ("mediation", "mediate") in tasks and ("dispute_case", "register") in tasks
    village_kind = next(k for k in tasks["mediation", "mediate"].kinds if k.kind == "village")
    assert (village_kind.units, village_kind.uncovered) == (9, [])
    assert tasks["dispute_case", "register"].assignee == "reported_by"


def test_a_village_without_its_mediator_is_reported_for_every_task_that_can_land_there(county):
    mediator = county.scalar(select(User).where(User.username == "mediator_02_003"))
    mediator.active = False
    county.commit()
    gaps = _gaps(doctor.check(county))
    assert gaps[("mediation", "mediate", "village")] == ["441581-02-003"]
    assert gaps[("dispatch_round", "accept_order", "village")] == ["441581-02-003"]
    assert not any(kind == "town" for _, _, kind in gaps)


def test_only_administrators_read_the_check_over_the_api(http):
    assert http("county_staff", "GET", "/api/v1/admin/organisation").status_code == 403
    res = http("admin", "GET", "/api/v1/admin/organisation")
    assert res.status_code == 200 and res.json["ok"] is True
    row = next(t for t in res.json["tasks"] if t["task"] == "review_order")
    assert (row["role"], row["unit_rule"], row["gaps"]) == ("centre_staff", "dispatcher", 0)
