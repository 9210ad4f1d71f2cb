"""``mediate users add|list|reactivate|passwd --generate`` and ``mediate units list|import``."""

import os

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.cli import main
from engine.accounts import check_password
from engine.config import ROOT
from engine.models import AuditEvent, OrgUnit, User
from tests.conftest import ON_POSTGRES
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite file")


@pytest.fixture
def env(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    for key in [k for k in os.environ if k.startswith("MEDIATE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MEDIATE_DATABASE_URL", url)
    monkeypatch.setenv("MEDIATE_PROCESSES_DIR", str(tmp_path))
    monkeypatch.setenv("MEDIATE_INSTANCE_DIR", str(tmp_path / "instance"))
    assert CliRunner().invoke(main, ["demo"]).exit_code == 0
    return url


def _session(url) -> Session:
    return Session(create_engine(url))


def _units(url) -> int:
    with _session(url) as s:
        return s.scalar(select(func.count()).select_from(OrgUnit))


@pytest.mark.parametrize("command", [["users", "add"], ["users", "list"], ["users", "reactivate"],
                                     ["units"], ["units", "list"], ["units", "import"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_users_add_prints_a_generated_password_once_and_list_shows_the_user(env):
    runner = CliRunner()
    result = runner.invoke(main, ["users", "add", "new_grid", "--role", "grid_worker", "--unit", "441581-01-001-01",
                                  "--name", "新网格员"])
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    with _session(env) as s:
        user = s.scalars(select(User).where(User.username == "new_grid")).one()
        assert check_password(user.password_hash, password) and user.display_name == "新网格员"
        assert s.scalar(select(AuditEvent.actor).where(AuditEvent.kind == "user_created")) == "cli"
    listed = runner.invoke(main, ["users", "list", "--unit", "441581-01-001-01"])
    assert [line.split("\t")[0] for line in listed.output.splitlines()] == ["grid_worker", "new_grid"]


def test_users_add_refuses_a_bad_role_for_the_unit_naming_the_field(env):
    result = CliRunner().invoke(main, ["users", "add", "x_user", "--role", "grid_worker", "--unit", "441581"])
    assert result.exit_code == 1 and "role:" in result.output
    typed = CliRunner().invoke(main, ["users", "add", "y_user", "--role", "mediator", "--unit", "441581",
                                      "--ask-password"], input="typed-password\n")
    assert typed.exit_code == 0 and "typed-password" not in typed.output and "shown once" not in typed.output


def test_deactivate_reactivate_and_generated_passwd(env):
    runner = CliRunner()
    assert runner.invoke(main, ["users", "deactivate", "grid_worker"]).exit_code == 0
    names = [line.split("\t")[0] for line in runner.invoke(main, ["users", "list"]).output.splitlines()]
    assert "grid_worker" not in names and "grid_01_001_02" in names
    everyone = runner.invoke(main, ["users", "list", "--all", "--role", "grid_worker"]).output.splitlines()
    assert "grid_worker\tgrid_worker\t441581-01-001-01\tinactive\t网格员 Grid worker" in everyone
    assert runner.invoke(main, ["users", "reactivate", "grid_worker"]).exit_code == 0
    result = runner.invoke(main, ["users", "passwd", "grid_worker", "--generate"])
    password = result.output.rsplit(": ", 1)[1].strip()
    with _session(env) as s:
        user = s.scalars(select(User).where(User.username == "grid_worker")).one()
        assert user.active and check_password(user.password_hash, password)


def test_units_import_with_a_bad_row_imports_nothing_and_prints_line_numbers(env):
    before = _units(env)
    result = CliRunner().invoke(main, ["units", "import", str(FIXTURES / "units_bad.csv")])
    assert result.exit_code == 1
    for line in (4, 5, 6, 7, 8):
        assert f"units_bad.csv: line {line}: " in result.output
    assert "nothing was imported" in result.output
    assert _units(env) == before


def test_units_import_then_list(env):
    before = _units(env)
    result = CliRunner().invoke(main, ["units", "import", str(ROOT / "docs" / "units-example.csv")])
    assert result.exit_code == 0, result.output
    assert "imported 6 units" in result.output
    assert _units(env) == before + 6
    listed = CliRunner().invoke(main, ["units", "list"]).output.splitlines()
    assert "441582\tcounty\t示例县综治中心\t0 users" in listed
    assert "      441582-01-001-01\tgrid\t城南社区第1网格\t0 users" in listed
