"""What-if before publishing: synthetic cases through the live tables and a draft, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import deploy, simulation, simulation_mix, simulation_report
from engine.errors import BadRequest, FormInvalid
from engine.models import AuditEvent, Case, Deployment, DeploymentFile, ProcessVersion

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
    """The process library deployed, committed."""
    deploy.deploy(session, deploy.read_directories(PROCESSES, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    session.commit()
    return session


def _draft(content: bytes = DEADLINES, name: str = "deadlines.dmn") -> list[deploy.SourceFile]:
    return [deploy.SourceFile(name, content)]


def _what_if(session, content: bytes = DEADLINES, name: str = "deadlines.dmn", *, cases: int = 400, seed: int = 7,
             mix=None):
    return simulation.what_if(session, _draft(content, name), mix or simulation_mix.load(), cases=cases, seed=seed)


def test_same_seed_same_figures_other_seed_other_figures(library):
    first = simulation_report.table(_what_if(library))
    assert first == simulation_report.table(_what_if(library))
    assert first != simulation_report.table(_what_if(library, seed=8))


def test_a_draft_equal_to_the_live_table_changes_nothing(library):
    result = _what_if(library)
    assert result.replaced == ["deadlines"]
    assert result.live == result.draft
    assert all(live == draft for _, live, draft in simulation_report.rows(result))
    assert "*" not in simulation_report.table(result).splitlines()[2]


def test_a_shorter_town_deadline_times_out_more_and_escalates_more(library):
    result = _what_if(library, SHORTER, cases=1500)
    live, draft = result.live, result.draft
    assert draft.timeouts > live.timeouts
    assert draft.escalations > live.escalations
    assert draft.tiers["town"].timed_out > live.tiers["town"].timed_out
    assert draft.tiers["town"].on_time / draft.tiers["town"].rounds < live.tiers["town"].on_time / live.tiers["town"].rounds
    # More cases are pushed up to the county, which takes them longer.
    assert draft.tiers["county"].reached > live.tiers["county"].reached
    # Tiers below the town see the same cases, so their figures stay as they were.
    assert draft.tiers["grid"] == live.tiers["grid"]
    changed = {row[0] for row in simulation_report.rows(result) if row[1] != row[2]}
    assert {"escalations", "timeouts (tier overdue timer fired)", "town: rounds on time"} <= changed


def test_more_dispatch_rounds_leave_fewer_orders_unaccepted(library):
    # Ordinary cases at the village and the town: two dispatches before an order ends not accepted; the draft six.
    more = _cell(_cell(DEADLINES, "deadlines_r2_o4", b"2", b"6"), "deadlines_r4_o4", b"2", b"6")
    result = _what_if(library, more, cases=1500)
    assert result.draft.not_accepted < result.live.not_accepted
    assert result.draft.tiers["grid"] == result.live.tiers["grid"]


def test_cases_follow_the_tables_and_the_mix(library):
    # Only 征地拆迁: triage makes every case major, at the county, owned by a leader.
    mix = simulation_mix.parse({**_default_doc(), "dispute_types": {"征地拆迁": 1}})
    result = _what_if(library, cases=200, mix=mix)
    assert result.live.leader_cases == 200
    assert set(result.live.tiers) == {"county"} and result.live.tiers["county"].reached == 200
    assert result.live.grassroots == 0


def test_cases_are_drawn_from_the_mix_reproducibly():
    mix = simulation_mix.load()
    cases = simulation.synthetic_cases(mix, 500, seed=3)
    assert cases == simulation.synthetic_cases(mix, 500, seed=3)
    assert {c["dispute_type"] for c in cases} <= set(mix.dispute_types[0])
    assert {len(c["parties"]) for c in cases} <= set(mix.parties[0])
    assert all(0 <= c["amount"] <= 5_000_000 for c in cases)
    assert cases[-1]["arrival"] == pytest.approx(499 / mix.cases_per_day)


def test_a_draft_that_never_escalates_ends_in_stuck_cases_not_a_hang(library):
    looping = ESCALATION.replace(b"<text>'escalate'</text>", b"<text>'retry'</text>")
    assert looping != ESCALATION
    result = _what_if(library, looping, "escalation.dmn", cases=200)
    assert result.draft.stuck > 0 and result.live.stuck == 0
    assert result.draft.escalations == 0


def test_the_database_is_left_as_it_was(library):
    def counts():
        return [library.scalar(select(func.count()).select_from(m))
                for m in (Case, Deployment, DeploymentFile, ProcessVersion, AuditEvent)]

    before = counts()
    _what_if(library, SHORTER, cases=300)
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


def test_a_tier_the_mix_does_not_describe_is_named(library):
    doc = _default_doc()
    del doc["tiers"]["county"]
    with pytest.raises(BadRequest) as err:
        _what_if(library, mix=simulation_mix.parse(doc))
    assert "tiers.county" in err.value.fields


def _default_doc() -> dict:
    import json
    return json.loads(simulation_mix.DEFAULT_MIX.read_text(encoding="utf-8"))


def test_tables_no_deployed_diagram_asks_are_refused(app, session):
    tables = [f for f in deploy.read_directories(PROCESSES, FORMS) if f.name.endswith(".dmn")]
    deploy.deploy(session, tables, "test", max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    session.commit()
    with pytest.raises(BadRequest) as err:
        _what_if(session)
    assert "do not ask table 'triage'" in err.value.message and err.value.fields == {"from": "triage"}
