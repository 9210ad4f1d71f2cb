import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.cli import main
from engine.models import AuditEvent, ProcessVersion
from tests.cli.test_cli import env  # noqa: F401  (the command's environment: its own SQLite file)
from tests.conftest import ON_POSTGRES
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite file")


def test_processes_rollback(env, tmp_path):  # noqa: F811
    runner = CliRunner()
    changed = tmp_path / "simple.bpmn"
    changed.write_bytes((FIXTURES / "simple.bpmn").read_bytes().replace(b'id="end" name="', b'id="end" name="x'))
    assert runner.invoke(main, ["deploy", str(FIXTURES / "simple.bpmn")]).exit_code == 0
    assert runner.invoke(main, ["deploy", str(changed)]).exit_code == 0
    result = runner.invoke(main, ["processes", "rollback", "simple", "1"])
    assert result.exit_code == 0, result.output
    assert "simple v3 made equal to v1" in result.output and "simple v3 (new)" in result.output
    with Session(create_engine(env)) as s:
        hashes = dict(s.execute(select(ProcessVersion.version, ProcessVersion.content_hash)).all())
        assert hashes[3] == hashes[1] != hashes[2]
        assert s.scalars(select(AuditEvent.actor).where(AuditEvent.kind == "rolled_back")).one() == "cli"
    again = runner.invoke(main, ["processes", "rollback", "simple", "1"])
    assert again.exit_code != 0 and "already equals version 1" in again.output
    missing = runner.invoke(main, ["processes", "rollback", "simple", "8"])
    assert missing.exit_code != 0 and "no version 8" in missing.output


def test_processes_rollback_has_help():
    result = CliRunner().invoke(main, ["processes", "rollback", "--help"])
    assert result.exit_code == 0 and "PROCESS_ID" in result.output
