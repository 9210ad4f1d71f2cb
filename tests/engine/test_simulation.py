"""What-if before publishing: synthetic cases through the live tables and a draft, side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import deploy, simulation, simulation_mix, simulation_report
from engine.errors import BadRequest, FormInvalid
from engine.models import AuditEvent, Case, Deployment, DeploymentFile

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, FORMS = ROOT / "processes", ROOT / "forms"
DEADLINES = (PROCESSES / "deadlines.dmn").read_bytes()
# The town's handling deadline and overdue limit for ordinary cases cut from 3 and 5 days to 1 and 2 days.
SHORTER = DEADLINES.replace(b"'P3D'</text></outputEntry>\n        <outputEntry id=\"deadlines_r4_o2\"",
                            b"'P1D'</text></outputEntry>\n        <outputEntry id=\"deadlines_r4_o2\"")


@pytest.fixture
def library(app, session):
    """The process library deployed, committed."""
    deploy.deploy(session, deploy.read_directories(PROCESSES, FORMS), "test",
                  max_bytes=app.config["MEDIATE"].max_upload_bytes, forms_dir=FORMS)
    session.commit()
    return session


def _draft(content: bytes = DEADLINES, name: str = "deadlines.dmn") -> list[deploy.SourceFile]:
    return [deploy.SourceFile(name, content)]


def test_same_seed_same_figures_other_seed_other_figures(library):
    mix = simulation_mix.load()
    first = simulation_report.table(simulation.what_if(library, _draft(), mix, cases=300, seed=7))
    again = simulation_report.table(simulation.what_if(library, _draft(), mix, cases=300, seed=7))
    other = simulation_report.table(simulation.what_if(library, _draft(), mix, cases=300, seed=8))
    assert first == again
    assert first != other
