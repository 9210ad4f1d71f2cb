"""What-if before publishing: synthetic cases through the deployed diagrams, live tables beside a draft."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import demo, deploy, simulation, simulation_mix, simulation_report
from engine.errors import BadRequest, FormInvalid
from engine.models import AuditEvent, Case, Deployment, DeploymentFile, Order, ProcessVersion

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, FORMS = ROOT / "processes", ROOT / "forms"
DEADLINES = (PROCESSES / "deadlines.dmn").read_bytes()
ESCALATION = (PROCESSES / "escalation.dmn").read_bytes()


def _cell(content: bytes, cell_id: str, old: bytes, new: bytes) -> bytes:
    before = f'<outputEntry id="{cell_id}"><text>'.encode() + old
    assert content.count(before) == 1, cell_id
    return content.replace(before, f'<outputEntry id="{cell_id}"><text>'.encode() + new)


# Ordinary cases at the town: handling deadline 3 → 1 day, overdue limit 5 → 2 days.
SHORTER = _cell(_cell(DEADLINES, "deadlines_r4_o1", b"'P3D'", b"'P1D'"), "deadlines_r4_o3", b"'P5D'", b"'P2D'")


@pytest.fixture
def library(app, session):
    """The process library deployed in the demo county, committed."""
    deploy.deploy(session, deploy.read_directories(PROCESSES, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    demo.load(session)
    session.commit()
    return session


def _default_doc() -> dict:
    return json.loads(simulation_mix.DEFAULT_MIX.read_text(encoding="utf-8"))


def _mix(task_hours: float = 4, **tiers) -> simulation_mix.Mix:
    """The default mix, ordinary disputes only, nobody declined or withdrawing, the given tiers' behaviour changed."""
    doc = _default_doc()
    doc["task_hours"] = task_hours
    doc["dispute_types"] = {"邻里纠纷": 1}
    doc["parties"] = {"2": 1}
    doc["amounts"] = [{"min": 0, "max": 1000, "weight": 1}]
    doc["risk_flags"] = {}
    doc["answers"]["intake_channel"] = {"窗口": 1}
    doc["answers"]["handling_mode"] = {"分级处置": 1}
    doc["answers"]["acceptance"] = {"受理": 1}
    for behaviour in doc["tiers"].values():
        behaviour["withdraw"] = 0
    for tier, behaviour in tiers.items():
        doc["tiers"][tier].update(behaviour)
    return simulation_mix.parse(doc)


# Nobody below the town settles anything: every case climbs grid → village → town.
TO_THE_TOWN = {"grid": {"success": 0}, "village": {"success": 0}}


def _what_if(session, content: bytes = DEADLINES, name: str = "deadlines.dmn", *, cases: int = 12, seed: int = 7,
             mix=None, workers: int = 1):
    return simulation.what_if(session, [deploy.SourceFile(name, content)], mix or simulation_mix.load(),
                              cases=cases, seed=seed, workers=workers)


def test_a_case_escalated_twice_and_settled_at_the_town_counts_once_at_the_town(library):
    result = _what_if(library, cases=6, mix=_mix(**TO_THE_TOWN, town={"success": 1, "accept": 1, "handling_days": 0.2}))
    live = result.live
    assert live.cases == 6 and live.resolved == 6 and live.incidents == 0 and live.stuck == 0
    assert live.escalations == 12  # grid → village → town, twice per case
    assert {t: live.tiers[t].reached for t in ("grid", "village", "town")} == {"grid": 6, "village": 6, "town": 6}
    assert live.tiers["town"].resolved == 6 and live.tiers["grid"].resolved == live.tiers["village"].resolved == 0
    assert live.grassroots == 0 and "county" not in live.tiers


def test_cases_end_unresolved_where_the_diagrams_let_them(library):
    # Every applicant withdraws at the village; of the rest of the mix, nothing else ends a case early.
    # Orders are taken within minutes, so none times out before the village can work it.
    mix = _mix(0.2, grid={"success": 0}, village={"success": 0, "withdraw": 1, "handling_days": 0.1, "accept": 1})
    result = _what_if(library, cases=4, mix=mix).live
    assert result.outcomes == {"withdrawn": 4} and result.resolved == 0
    assert "town" not in result.tiers and result.tiers["village"].reached == 4  # a withdrawal never escalates
    doc = _default_doc()
    doc["answers"]["acceptance"] = {"不予受理": 1}
    declined = _what_if(library, cases=3, mix=simulation_mix.parse(doc)).live
    assert declined.outcomes == {"not_accepted": 3} and not declined.tiers  # declined before any tier round
    rows = dict((label, live) for label, live, _ in simulation_report.rows(_what_if(library, cases=3, mix=mix)))
    assert rows["withdrawn by the applicant"] == "3" and rows["not accepted at assessment"] == "0"


def test_same_seed_same_figures_whatever_the_workers_other_seed_other_figures(library):
    first = simulation_report.table(_what_if(library, cases=8))
    assert first == simulation_report.table(_what_if(library, cases=8))
    assert first == simulation_report.table(_what_if(library, cases=8, workers=2))
    assert first != simulation_report.table(_what_if(library, cases=8, seed=8))


def test_a_draft_equal_to_the_live_table_changes_nothing(library):
    result = _what_if(library, cases=8)
    assert result.replaced == ["deadlines"]
    assert result.live == result.draft
    assert all(live == draft for _, live, draft in simulation_report.rows(result))


def test_a_shorter_town_deadline_times_out_more_at_the_town(library):
    # Town mediation takes about two days: within the live three, past the draft's one-day deadline.
    mix = _mix(**TO_THE_TOWN, town={"success": 1, "accept": 1, "handling_days": 1.5})
    result = _what_if(library, SHORTER, cases=10, mix=mix)
    live, draft = result.live.tiers["town"], result.draft.tiers["town"]
    assert draft.timed_out > live.timed_out and result.draft.timeouts > result.live.timeouts
    assert draft.on_time < live.on_time
    # Tiers below the town see the same cases, so their figures stay as they were.
    assert result.draft.tiers["grid"] == result.live.tiers["grid"]
    assert result.draft.tiers["village"] == result.live.tiers["village"]


def test_cases_follow_the_tables_and_the_mix(library):
    # Only 征地拆迁: triage makes every case major, at the county, owned by a leader.
    doc = _default_doc()
    doc["dispute_types"] = {"征地拆迁": 1}
    doc["answers"]["acceptance"] = {"受理": 1}
    result = _what_if(library, cases=5, mix=simulation_mix.parse(doc))
    assert result.live.leader_cases == 5 and result.live.leader_most >= 1
    assert set(result.live.tiers) == {"county"} and result.live.tiers["county"].reached == 5
    assert result.live.grassroots == 0


def test_cases_are_drawn_from_the_mix_reproducibly():
    mix = simulation_mix.load()
    cases = simulation.synthetic_cases(mix, 500, seed=3)
    assert cases == simulation.synthetic_cases(mix, 500, seed=3)
    assert {c["dispute_type"] for c in cases} <= set(mix.dispute_types[0])
    assert {len(c["parties"]) for c in cases} <= set(mix.parties[0])
    assert all(0 <= c["amount"] <= 5_000_000 for c in cases)
    assert cases[-1]["arrival"] == pytest.approx(499 / mix.cases_per_day)


def test_a_draft_that_never_escalates_ends_in_stuck_or_failed_cases_not_a_hang(library):
    looping = ESCALATION.replace(b"<text>'escalate'</text>", b"<text>'retry'</text>")
    assert looping != ESCALATION
    result = _what_if(library, looping, "escalation.dmn", cases=2, mix=_mix(**TO_THE_TOWN))
    draft = result.draft
    assert draft.stuck + draft.incidents == 2 and draft.resolved == 0 and draft.escalations == 0
    assert result.live.stuck == result.live.incidents == 0 and result.live.resolved == 2
    # A failed step is named as an incident would name it, so the designer sees where the draft leads.
    assert all(": " in failure for failure in draft.failures)


def test_the_database_is_left_as_it_was(library):
    def counts():
        return [library.scalar(select(func.count()).select_from(m))
                for m in (Case, Order, Deployment, DeploymentFile, ProcessVersion, AuditEvent)]

    before = counts()
    _what_if(library, SHORTER, cases=4)
    assert not library.new and not library.dirty and not library.deleted
    library.commit()
    assert counts() == before


def test_draft_files_are_checked_as_publishing_checks_them(library):
    with pytest.raises(BadRequest) as empty:
        simulation.what_if(library, [], simulation_mix.load(), cases=10)
    assert "from" in empty.value.fields
    with pytest.raises(BadRequest) as unknown:
        _what_if(library, DEADLINES.replace(b'decision id="deadlines"', b'decision id="other"'), "other.dmn")
    assert "other" in unknown.value.message and unknown.value.fields == {"from": "other.dmn"}
    with pytest.raises(FormInvalid) as bad_cell:
        _what_if(library, _cell(DEADLINES, "deadlines_r4_o1", b"'P3D'", b"__import__('os')"))
    assert bad_cell.value.message.startswith("deadlines.dmn: ")
    with pytest.raises(BadRequest) as cases:
        _what_if(library, cases=0)
    assert "cases" in cases.value.fields


@pytest.mark.parametrize("workers", [1, 2])
def test_a_tier_the_mix_does_not_describe_is_named(library, workers):
    doc = _default_doc()
    del doc["tiers"]["grid"]
    with pytest.raises(BadRequest) as err:
        _what_if(library, cases=3, mix=simulation_mix.parse(doc), workers=workers)
    assert "tiers.grid" in err.value.fields


def test_a_table_no_deployed_diagram_asks_is_refused(library):
    flags = (PROCESSES / "analysis_flags.dmn").read_bytes()
    with pytest.raises(BadRequest) as err:
        _what_if(library, flags, "analysis_flags.dmn")
    assert "do not ask" in err.value.message and err.value.fields == {"from": "analysis_flags"}


def test_without_a_county_the_simulation_says_so(app, session):
    deploy.deploy(session, deploy.read_directories(PROCESSES, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    session.commit()
    with pytest.raises(BadRequest) as err:
        _what_if(session)
    assert err.value.fields == {"county": "no county is set up"}
