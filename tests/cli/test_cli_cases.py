import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from api.cli import main
from engine import cases, tasks
from engine.models import Case
from tests.cli.test_cli import env  # noqa: F401  (the command's environment: its own SQLite file)
from tests.conftest import ON_POSTGRES
from tests.helpers import FIXTURES, small_org

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite file")


def deploy(runner, tmp_path, fixture):
    target = tmp_path / "migrating.bpmn"
    shutil.copy(FIXTURES / fixture, target)
    result = runner.invoke(main, ["deploy", str(target)])
    assert result.exit_code == 0, result.output


def test_cases_migrate_prints_a_dry_run_then_moves_with_a_mapping(env, tmp_path):  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    deploy(runner, tmp_path, "migrating_v1.bpmn")
    with Session(create_engine(env)) as s:
        _, users = small_org(s)
        kept = cases.open_case(s, users["staff"], "migrating", {})
        renamed = cases.open_case(s, users["staff"], "migrating", {})
        s.commit()
        for _ in range(2):
            tasks.complete(s, users["admin"], cases.open_tasks(s, renamed)[0].id, {})
            s.commit()
        codes = kept.code, renamed.code
    deploy(runner, tmp_path, "migrating_v2.bpmn")

    dry = runner.invoke(main, ["cases", "migrate", "migrating", "--from", "1", "--to", "2", "--dry-run"])

    assert dry.exit_code == 0, dry.output
    lines = dry.output.splitlines()
    assert lines[0].split() == ["case", "status", "tasks", "why"]
    assert lines[1].split()[:3] == [codes[0], "can_move", "intake,"]
    assert lines[2].split()[:3] == [codes[1], "blocked", "-"] and "(migrating: approve)" in lines[2]
    assert lines[-1] == "migrating 1 -> 2 (dry run): 1 blocked, 1 can_move"

    moved = runner.invoke(main, ["cases", "migrate", "migrating", "--from", "1", "--to", "2",
                                 "--map", "approve=sign_off"])

    assert moved.exit_code == 0, moved.output
    assert "approve->sign_off" in moved.output and moved.output.splitlines()[-1] == "migrating 1 -> 2: 2 moved"
    with Session(create_engine(env)) as s:
        assert {c.process_version.version for c in s.query(Case)} == {2}


def test_cases_migrate_refuses_bad_input(env):  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["cases", "migrate", "nope", "--from", "1", "--to", "2"])
    assert result.exit_code == 1 and "no version 1 of process 'nope'" in result.output
    result = runner.invoke(main, ["cases", "migrate", "nope", "--from", "1", "--to", "2", "--map", "x"])
    assert result.exit_code == 2 and "old=new" in result.output
