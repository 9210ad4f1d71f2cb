"""The editor's what-if: one draft table played with synthetic cases beside the live tables."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine import demo, deploy, rule_simulation, simulation_report
from engine.errors import Forbidden, FormInvalid, NotFound
from engine.models import User

from .test_simulation import DEADLINES, FORMS, PROCESSES, SHORTER


@pytest.fixture
def library(app, session):
    """The process library deployed in the demo county, committed."""
    deploy.deploy(session, deploy.read_directories(PROCESSES, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    demo.load(session)
    session.commit()
    return session, {u.username: u for u in session.scalars(select(User))}


def test_the_draft_replaces_its_table_and_the_changed_figures_are_counted(library):
    session, users = library
    result = rule_simulation.simulate(session, users["admin"], "deadlines", SHORTER, "30", "4")
    assert result.comparison.replaced == ["deadlines"] and result.comparison.live.cases == 30
    assert result.comparison.seed == 4
    changed = {(tier, figure) for tier, figure, live, draft in result.rows if live != draft}
    assert (None, "timeouts (tier overdue timer fired)") in changed and result.changed == len(changed)
    assert all(tier != "grid" for tier, _ in changed)  # the draft shortens the town's deadlines only
    same = rule_simulation.simulate(session, users["admin"], "deadlines", DEADLINES, "", None)
    assert same.comparison.live.cases == rule_simulation.DEFAULT_CASES and same.changed == 0


def test_split_rows_keeps_every_row_and_separates_the_tier(library):
    session, users = library
    result = rule_simulation.simulate(session, users["admin"], "deadlines", SHORTER, "50", "1")
    plain = simulation_report.rows(result.comparison)
    assert [(f"{t}: {f}" if t else f, a, b) for t, f, a, b in result.rows] == plain
    assert result.rows[0][:2] == (None, "cases")
    assert (None, "leader workload: most open at once") in {r[:2] for r in result.rows}


@pytest.mark.parametrize(("cases", "seed", "field"), [("0", "1", "cases"), ("301", "1", "cases"),
                                                      ("2e3", "1", "cases"), ("10", "-3", "seed"),
                                                      ("10", "x", "seed")])
def test_bad_numbers_name_their_field(library, cases, seed, field):
    session, users = library
    with pytest.raises(FormInvalid) as err:
        rule_simulation.simulate(session, users["admin"], "deadlines", SHORTER, cases, seed)
    assert list(err.value.fields) == [field]


def test_only_administrators_and_only_tables_the_simulation_plays(library):
    session, users = library
    with pytest.raises(Forbidden):
        rule_simulation.simulate(session, users["designer"], "deadlines", SHORTER, "10", "0")
    with pytest.raises(NotFound):
        rule_simulation.simulate(session, users["admin"], "nothing", SHORTER, "10", "0")
    with pytest.raises(FormInvalid) as err:  # the draft must be of the table the page edits
        rule_simulation.simulate(session, users["admin"], "escalation", SHORTER, "10", "0")
    assert err.value.details
    flags = (PROCESSES / "analysis_flags.dmn").read_bytes()
    assert not rule_simulation.played(session, "analysis_flags") and rule_simulation.played(session, "triage")
    assert rule_simulation.played(session, "subsidy")  # the diagram asks it when a mediator is paid per case
    with pytest.raises(FormInvalid) as err:
        rule_simulation.simulate(session, users["admin"], "analysis_flags", flags, "10", "0")
    assert "decision_id" in err.value.fields
