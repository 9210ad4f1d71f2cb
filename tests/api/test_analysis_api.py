"""GET /api/v1/analysis/<month>, /analysis/weekly and the ledger calls: roles, units, 422s, audit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from api.extensions import db
from engine import analysis_figures, clock
from engine.models import AuditEvent, Case, LedgerEntry, ProcessVersion
from tests.helpers import deploy_fixture, small_org

RECEIVED = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)


@pytest.fixture
def analysed(app, echo_handler):
    """Five unresolved 物业纠纷 at each town (badly handled), one 邻里纠纷 resolved at the first; March analysed."""
    with app.app_context():
        units, _ = small_org(db.session)
        deploy_fixture(db.session)
        pv = db.session.scalar(select(ProcessVersion.id))
        base = {"process_id": "p", "process_version_id": pv, "status": "open", "title": "", "opened_by": "staff",
                "opened_at": RECEIVED, "received_at": RECEIVED, "repeat_petition": False,
                "county_id": units["county"].id, "dispute_type": "物业纠纷"}
        rows = [base | {"org_unit_id": units[u].id} for u in ("town", "other_town") for _ in range(5)]
        rows.append(base | {"org_unit_id": units["village"].id, "dispute_type": "邻里纠纷", "status": "closed",
                            "outcome": "mediated", "resolved_at": RECEIVED, "resolved_tier": "village"})
        db.session.execute(insert(Case), [r | {"code": f"C-{n}", "received_unit_id": r["org_unit_id"]}
                                          for n, r in enumerate(rows)])
        with clock.frozen_at(datetime(2031, 4, 1, tzinfo=UTC)):
            analysis_figures.run(db.session, "2031-03")
        db.session.commit()
        return {e.unit.code: e.id for e in db.session.scalars(select(LedgerEntry))}


def token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": "pw"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_a_month_shows_visible_units_figures_flags_and_ledger(client, analysed):
    response = client.get("/api/v1/analysis/2031-03", headers=token(client, "staff"))
    assert response.status_code == 200
    body = response.get_json()
    assert [(i["unit"], i["dispute_type"], i["received"]) for i in body["items"]] == \
        [("town-1", "物业纠纷", 5), ("village-1", "邻里纠纷", 1)]
    assert [(f["unit"], f["reasons"]) for f in body["flagged"]] == [("town-1", ["badly_handled"])]
    assert [(e["unit"], e["level"], e["owner"], e["status"]) for e in body["ledger"]] == \
        [("town-1", "town", "staff", "open")]
    leader = client.get("/api/v1/analysis/2031-03", headers=token(client, "leader")).get_json()
    assert {f["unit"] for f in leader["flagged"]} == {"town-1", "town-2"}


def test_bad_months_weeks_and_roles_are_refused(client, analysed):
    staff = token(client, "staff")
    for path, field in (("/api/v1/analysis/2031-13", "month"), ("/api/v1/analysis/03-2031", "month"),
                        ("/api/v1/analysis/weekly?week=2031-W54", "week"), ("/api/v1/ledger?month=2031-3", "month")):
        response = client.get(path, headers=staff)
        assert response.status_code == 422, path
        assert field in response.get_json()["error"]["fields"]
    assert client.get("/api/v1/analysis/2031-03", headers=token(client, "mediator")).status_code == 403
    assert client.get("/api/v1/ledger", headers=token(client, "grid_worker")).status_code == 403


def test_update_and_close_are_audited_and_kept_to_the_unit_and_above(client, analysed):
    entry = analysed["town-2"]
    assert client.post(f"/api/v1/ledger/{entry}/close", json={"closing_note": "x"},
                       headers=token(client, "staff")).status_code == 404  # another town's entry
    bad = client.post(f"/api/v1/ledger/{entry}", json={"due_date": "31/12/2031"}, headers=token(client, "leader"))
    assert bad.status_code == 422 and "due_date" in bad.get_json()["error"]["fields"]
    changed = client.post(f"/api/v1/ledger/{entry}", headers=token(client, "leader"),
                          json={"owner": "other_staff", "special_team": "物业纠纷专班", "due_date": "2031-05-15"})
    assert changed.status_code == 200
    assert (changed.get_json()["special_team"], changed.get_json()["due_date"]) == ("物业纠纷专班", "2031-05-15")
    assert client.post(f"/api/v1/ledger/{entry}/close", json={}, headers=token(client, "leader")).status_code == 400
    closed = client.post(f"/api/v1/ledger/{entry}/close", json={"closing_note": "已整改"},
                         headers=token(client, "other_staff"))
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    again = client.post(f"/api/v1/ledger/{entry}/close", json={"closing_note": "x"}, headers=token(client, "leader"))
    assert again.status_code == 409
    with client.application.app_context():
        kinds = [(e.kind, e.actor) for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.kind.like("ledger_%")).order_by(AuditEvent.id))]
    assert kinds == [("ledger_updated", "leader"), ("ledger_closed", "other_staff")]
    listed = client.get("/api/v1/ledger?status=closed", headers=token(client, "leader")).get_json()["items"]
    assert [e["id"] for e in listed] == [entry]


def test_the_weekly_digest_lists_the_week_and_entries_due(client, analysed):
    with clock.frozen_at(datetime(2031, 4, 10, tzinfo=UTC)):
        response = client.get("/api/v1/analysis/weekly?week=2031-W10", headers=token(client, "staff"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == {"from": "2031-03-03", "to": "2031-03-09"}
    assert body["totals"]["received"] == 6
    assert {i["key"]: i["received"] for i in body["by_dispute_type"]} == {"物业纠纷": 5, "邻里纠纷": 1}
    # Entered on 1 April with 15 days: due 16 April, more than a week after that week ends.
    assert body["ledger_due"] == []
    later = client.get("/api/v1/analysis/weekly?week=2031-W16", headers=token(client, "staff")).get_json()
    assert [(e["unit"], e["due_date"]) for e in later["ledger_due"]] == [("town-1", "2031-04-16")]


def test_the_scheduler_s_monthly_job_analyses_last_month_once(app, echo_handler):
    from api import scheduler
    with app.app_context():
        units, _ = small_org(db.session)
        deploy_fixture(db.session)
        pv = db.session.scalar(select(ProcessVersion.id))
        db.session.execute(insert(Case), [
            {"code": f"M-{n}", "process_id": "p", "process_version_id": pv, "status": "open", "title": "",
             "opened_by": "x", "opened_at": RECEIVED, "received_at": RECEIVED, "org_unit_id": units["town"].id,
             "received_unit_id": units["town"].id, "county_id": units["county"].id, "repeat_petition": False,
             "dispute_type": "物业纠纷"} for n in range(10)])
        db.session.commit()
    for _ in range(2):
        with clock.frozen_at(datetime(2031, 4, 1, 0, 30, tzinfo=UTC)):
            scheduler.monthly_job(app)
    with app.app_context():
        entries = list(db.session.scalars(select(LedgerEntry)))
        assert [(e.month, e.unit.code, e.reasons) for e in entries] == \
            [("2031-03", "town-1", ["frequent", "badly_handled"])]
