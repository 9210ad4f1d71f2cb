"""``mediate simulate``: the live tables beside a draft directory, printed; the database untouched."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.cli import main
from engine.models import AuditEvent, Case, Deployment
from tests.cli.test_cli import env  # noqa: F401  (the command's environment: its own SQLite file)
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite file")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def deployed(env, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("MEDIATE_PROCESSES_DIR", str(ROOT / "processes"))
    monkeypatch.setenv("MEDIATE_FORMS_DIR", str(ROOT / "forms"))
    result = CliRunner().invoke(main, ["demo"])  # the process library and the county the cases run in
    assert result.exit_code == 0, result.output
    draft = tmp_path / "draft"
    draft.mkdir()
    content = (ROOT / "processes" / "deadlines.dmn").read_text(encoding="utf-8")
    (draft / "deadlines.dmn").write_text(content.replace("<text>'P5D'</text>", "<text>'P2D'</text>"), encoding="utf-8")
    return env, draft


def _counts(url: str) -> list[int]:
    with Session(create_engine(url)) as s:
        return [s.scalar(select(func.count()).select_from(m)) for m in (Case, Deployment, AuditEvent)]


def test_simulate_prints_live_beside_draft_the_same_twice(deployed):
    url, draft = deployed
    before = _counts(url)
    args = ["simulate", "--cases", "16", "--from", str(draft), "--seed", "5", "--workers", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    table = first.output[first.output.index("figure"):]
    assert "timeouts (tier overdue timer fired)" in table and "town: load (cases reached)" in table
    assert "draft tables: deadlines; seed 5" in table
    timeouts = next(line for line in table.splitlines() if line.startswith("timeouts")).split()
    assert int(timeouts[-2]) > int(timeouts[-3])  # live, draft, then the mark of a changed figure
    again = CliRunner().invoke(main, args)
    assert again.output[again.output.index("figure"):] == table
    assert _counts(url) == before


def test_simulate_names_the_mix_field_at_fault(deployed, tmp_path):
    _, draft = deployed
    mix = tmp_path / "mix.yaml"
    mix.write_text("cases_per_day: -3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["simulate", "--from", str(draft), "--mix", str(mix)])
    assert result.exit_code != 0 and "cases_per_day" in result.output


def test_simulate_refuses_a_draft_of_no_deployed_table(deployed, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["simulate", "--from", str(empty)])
    assert result.exit_code != 0 and "no .dmn file" in result.output
