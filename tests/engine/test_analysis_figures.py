"""The monthly analysis on hand-built cases: figures per level unit and type, flags from the decision table,
the ledger filled once, changes audited and kept to the keeper's units."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine import analysis_figures, analysis_flags, clock, ledger
from engine.errors import Conflict, Forbidden, FormInvalid, NotFound
from engine.models import AnalysisFigure, AuditEvent, LedgerEntry
from tests.engine.test_stats import add_cases, resolved
from tests.helpers import deploy_fixture, small_org

MARCH = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)
FEBRUARY = datetime(2031, 2, 10, 2, 0, tzinfo=UTC)
RUN_AT = datetime(2031, 4, 1, 0, 30, tzinfo=UTC)


@pytest.fixture
def org(session, echo_handler):
    units, users = small_org(session)
    deploy_fixture(session)
    return units, users


def run(session, month="2031-03"):
    with clock.frozen_at(RUN_AT):
        out = analysis_figures.run(session, month)
    session.commit()
    return out


def figure(session, unit, dispute_type):
    return session.scalar(select(AnalysisFigure).where(AnalysisFigure.unit_id == unit.id,
                                                       AnalysisFigure.dispute_type == dispute_type))


def test_figures_per_level_unit_and_type_reuse_the_stats_definitions(session, org):
    units, users = org
    add_cases(session, units["village"], 3, dispute_type="劳动争议", **resolved())
    add_cases(session, units["grid"], 1, dispute_type="劳动争议", rating="满意", **resolved(tier="grid"))
    add_cases(session, units["village"], 1, dispute_type="劳动争议")
    add_cases(session, units["town"], 2, dispute_type="邻里纠纷")
    add_cases(session, units["town"], 1, dispute_type=None)
    add_cases(session, units["town"], 4, dispute_type="邻里纠纷", received_at=datetime(2031, 3, 31, 17, tzinfo=UTC))
    out = run(session)
    assert out["rows"] == 3
    labour = figure(session, units["village"], "劳动争议")  # the grid's case counts at its village
    assert labour.counts["received"] == 5 and labour.counts["resolved"] == 4 and labour.counts["satisfied"] == 1
    view = analysis_figures.month_view(session, users["staff"], "2031-03")
    row = next(i for i in view["items"] if i["unit"] == "village-1")
    assert (row["level"], row["resolution_rate"], row["grassroots_share"], row["satisfaction_rate"]) == \
        ("village", 80.0, 100.0, 100.0)
    # 1 April 01:00 in China is still March in UTC: counted in April, as the statistics count it.
    assert figure(session, units["town"], "邻里纠纷").counts["received"] == 2
    assert figure(session, units["town"], "").counts["received"] == 1


def test_the_table_flags_frequent_rising_badly_handled_and_wide_impact(session, org):
    units, _ = org
    add_cases(session, units["village"], 12, dispute_type="劳动争议", **resolved())  # frequent, resolved
    add_cases(session, units["town"], 2, dispute_type="邻里纠纷", received_at=FEBRUARY, **resolved())
    add_cases(session, units["town"], 3, dispute_type="邻里纠纷", received_at=FEBRUARY, **resolved())
    add_cases(session, units["town"], 8, dispute_type="邻里纠纷", **resolved())  # 5 → 8: +60 %
    add_cases(session, units["other_town"], 5, dispute_type="物业纠纷")  # 0 % resolved
    add_cases(session, units["county"], 1, dispute_type="征地拆迁", severity="major")
    add_cases(session, units["county"], 1, dispute_type="婚姻家庭")  # nothing to flag
    run(session)
    reasons = {(f.unit.code, f.dispute_type): f.reasons for f in session.scalars(select(AnalysisFigure))}
    assert reasons == {("village-1", "劳动争议"): ["frequent"], ("town-1", "邻里纠纷"): ["rising"],
                       ("town-2", "物业纠纷"): ["badly_handled"], ("county", "征地拆迁"): ["wide_impact"],
                       ("county", "婚姻家庭"): []}
    assert figure(session, units["town"], "邻里纠纷").counts["previous_received"] == 5
    entries = {e.unit.code: e for e in session.scalars(select(LedgerEntry))}
    assert {code: e.level for code, e in entries.items()} == {"village-1": "village", "town-1": "town",
                                                              "town-2": "town", "county": "county"}
    assert entries["county"].due_date == date(2031, 4, 1) + timedelta(days=7)  # wide impact: 7 days
    assert entries["town-2"].owner.username == "other_staff"  # no leader there: centre staff own it
    assert entries["county"].owner.username == "leader"


def test_rising_needs_three_cases_the_month_before(session, org):
    units, _ = org
    values = analysis_flags.inputs({"received": 4}, 2)
    assert values["rise_percent"] == 100.0
    assert analysis_flags.flag(analysis_flags.table(session), values) == ([], None)
    assert analysis_flags.flag(analysis_flags.table(session), analysis_flags.inputs({"received": 5, "resolved": 5}, 3)) == \
        (["rising"], 30)


def test_a_rerun_adds_no_second_entry_and_keeps_what_was_changed(session, org):
    units, users = org
    add_cases(session, units["other_town"], 5, dispute_type="物业纠纷")
    assert run(session)["ledger_added"] == 1
    entry = session.scalar(select(LedgerEntry))
    ledger.update(session, users["admin"], entry.id, {"special_team": "物业专班", "owner": "leader"})
    session.commit()
    add_cases(session, units["other_town"], 6, dispute_type="物业纠纷")
    again = run(session)
    assert again["ledger_added"] == 0
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    assert session.scalar(select(func.count()).select_from(AnalysisFigure)) == 1
    session.refresh(entry)
    assert entry.reasons == ["badly_handled", "frequent"] and entry.special_team == "物业专班"
    assert entry.owner.username == "leader"


def test_closing_is_audited_and_kept_to_the_keepers_units(session, org):
    units, users = org
    add_cases(session, units["other_town"], 5, dispute_type="物业纠纷")
    run(session)
    entry = session.scalar(select(LedgerEntry))
    with pytest.raises(NotFound):
        ledger.close(session, users["staff"], entry.id, "done")  # town-1 staff do not see town-2
    with pytest.raises(Forbidden):
        ledger.close(session, users["mediator"], entry.id, "done")
    with pytest.raises(FormInvalid) as err:
        ledger.close(session, users["other_staff"], entry.id, "  ")
    assert "closing_note" in err.value.fields
    with clock.frozen_at(RUN_AT):
        out = ledger.close(session, users["other_staff"], entry.id, "专项整治完成")
    assert out["status"] == "closed" and out["closed_at"] == RUN_AT
    event = session.scalar(select(AuditEvent).where(AuditEvent.kind == ledger.CLOSED))
    assert event.actor == "other_staff" and event.detail == {"ledger_entry": entry.id, "closing_note": "专项整治完成"}
    with pytest.raises(Conflict):
        ledger.close(session, users["leader"], entry.id, "again")
    assert [e["id"] for e in ledger.listing(session, users["leader"], status="closed")] == [entry.id]
    assert ledger.listing(session, users["staff"]) == []


def test_bad_months_and_dates_name_the_field(session, org):
    _, users = org
    for bad in ("2031-13", "2031-3", "march", ""):
        with pytest.raises(FormInvalid) as err:
            analysis_figures.month_view(session, users["staff"], bad)
        assert err.value.fields == {"month": "YYYY-MM"}
    with pytest.raises(Forbidden):
        analysis_figures.month_view(session, users["mediator"], "2031-03")
    assert analysis_figures.run(session, "2031-01")["rows"] == 0


def test_entries_still_open_are_carried_into_later_months(session, org):
    units, users = org
    add_cases(session, units["other_town"], 5, dispute_type="物业纠纷")
    run(session)
    view = analysis_figures.month_view(session, users["leader"], "2031-04")
    assert [(e["month"], e["unit"]) for e in view["ledger"]] == [("2031-03", "town-2")]
    entry = session.scalar(select(LedgerEntry))
    ledger.close(session, users["leader"], entry.id, "done")
    assert analysis_figures.month_view(session, users["leader"], "2031-04")["ledger"] == []
    assert analysis_figures.month_view(session, users["leader"], "2031-02")["ledger"] == []
