import os
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from api.cli import main
from engine.accounts import check_password
from engine.models import Mediator, OrgUnit, ProcessVersion, User
from tests.conftest import ON_POSTGRES
from tests.helpers import FIXTURES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite file")


@pytest.fixture
def env(tmp_path, monkeypatch, echo_handler):
    processes = tmp_path / "processes"
    processes.mkdir()
    shutil.copy(FIXTURES / "simple.bpmn", processes)
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    for key in [k for k in os.environ if k.startswith("MEDIATE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MEDIATE_DATABASE_URL", url)
    monkeypatch.setenv("MEDIATE_PROCESSES_DIR", str(processes))
    monkeypatch.setenv("MEDIATE_FORMS_DIR", str(FIXTURES / "forms"))
    monkeypatch.setenv("MEDIATE_INSTANCE_DIR", str(tmp_path / "instance"))  # the generated key goes here
    return url


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"], ["deploy"], ["db", "upgrade"], ["party-index"],
                                     ["users", "passwd"], ["users", "deactivate"], ["cases", "migrate"],
                                     ["simulate"], ["units", "import"], ["processes", "rollback"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_demo_loads_the_county_once(env):
    runner = CliRunner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "demo data loaded" in first.output
    second = runner.invoke(main, ["demo"])
    assert "already present" in second.output
    with Session(create_engine(env)) as s:
        kinds = dict(s.execute(select(OrgUnit.kind, func.count()).group_by(OrgUnit.kind)).all())
        assert kinds == {"county": 1, "town": 3, "village": 9, "grid": 18, "department": 5}
        assert s.scalar(select(func.count()).select_from(Mediator)) == 14  # each village, town and two at the county
        assert {"admin", "designer", "county_staff", "town_staff", "village_mediator", "grid_worker",
                "leader", "department"} <= set(s.scalars(select(User.username)))
        assert s.scalar(select(func.count()).select_from(ProcessVersion)) == 1


def test_upgrade_and_deploy_create_no_users(env):
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["deploy", str(FIXTURES / "simple.bpmn")])
    assert result.exit_code == 0, result.output
    assert "simple v1 (new)" in result.output
    with Session(create_engine(env)) as s:
        assert s.scalar(select(func.count()).select_from(User)) == 0


def test_deploy_reports_element_errors(env, tmp_path):
    target = tmp_path / "bad_simple.bpmn"
    target.write_text((FIXTURES / "simple.bpmn").read_text().replace('id="echo"', 'id="missing_op"'))
    result = CliRunner().invoke(main, ["deploy", str(target)])
    assert result.exit_code != 0
    assert "stamp" in result.output and "missing_op" in result.output


def test_bad_setting_is_a_clear_error(env, monkeypatch):
    monkeypatch.setenv("MEDIATE_SCHEDULER", "sometimes")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code != 0 and "MEDIATE_SCHEDULER" in result.output


def test_a_short_secret_key_stops_every_command(env, monkeypatch):
    monkeypatch.setenv("MEDIATE_SECRET_KEY", "too-short")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code != 0 and "MEDIATE_SECRET_KEY" in result.output and "32 bytes" in result.output


def _user(url, username):
    with Session(create_engine(url)) as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return user.active, user.session_version, user.password_hash


def test_users_passwd_reads_the_password_from_standard_input(env):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0
    _, version, old_hash = _user(env, "town_staff")
    result = runner.invoke(main, ["users", "passwd", "town_staff"], input="a-new-password\n")
    assert result.exit_code == 0, result.output
    assert "a-new-password" not in result.output
    _, new_version, new_hash = _user(env, "town_staff")
    assert new_version == version + 1 and check_password(new_hash, "a-new-password")
    short = runner.invoke(main, ["users", "passwd", "town_staff"], input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    assert _user(env, "town_staff")[2] == new_hash


def test_users_deactivate(env):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0
    result = runner.invoke(main, ["users", "deactivate", "grid_worker"])
    assert result.exit_code == 0, result.output
    assert _user(env, "grid_worker")[:2] == (False, 1)
    unknown = runner.invoke(main, ["users", "deactivate", "nobody"])
    assert unknown.exit_code != 0 and "no user 'nobody'" in unknown.output


def test_doctor_names_the_units_where_nobody_can_take_a_task(env):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0
    # The fixture's tasks name no unit rule: they stay in the case's unit, which may be any kind of unit,
    # and the demo county has no centre staff at its villages, grids and departments.
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "GAP  simple v1 register 受理登记 (centre_staff at case)" in result.output
    assert "9 of 9 village unit(s) have nobody: 441581-01-001, 441581-01-002" in result.output
    assert "have nobody to take them" in result.output


def test_party_index_computes_the_name_and_risk_digests_again_under_a_new_key(env, tmp_path, monkeypatch):
    from api import create_app
    from api.cli import deploy_defaults
    from api.extensions import db
    from engine import cases, party_index, party_keys, tasks
    from engine.config import load_settings
    from engine.models import PartyKey, PartyName
    from tests.engine.test_party_index import _form
    from tests.helpers import small_org

    forms = tmp_path / "forms" / "simple"
    forms.mkdir(parents=True)
    for name in ("register", "mediate"):
        (forms / f"{name}.schema.json").write_bytes(_form(name).content)
    monkeypatch.setenv("MEDIATE_FORMS_DIR", str(tmp_path / "forms"))
    monkeypatch.setenv("MEDIATE_SECRET_KEY", "the-first-key-of-this-installation-0123")
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    app = create_app(load_settings())
    with app.app_context():
        deploy_defaults(app)
        _, users = small_org(db.session)
        case = cases.open_case(db.session, users["staff"], "simple", {})
        register = cases.open_tasks(db.session, case)[0]
        tasks.complete(db.session, users["staff"], register.id,
                       {"title": "邻里纠纷", "parties_count": 1, "parties": [{"name": "张三", "phone": "13800001111"}]})
        db.session.commit()
        before = set(db.session.scalars(select(PartyName.digest)))
        keys_before = set(db.session.execute(select(PartyKey.kind, PartyKey.digest)))
        db.session.remove()
    monkeypatch.setenv("MEDIATE_SECRET_KEY", "the-second-key-after-a-rotation-456789")
    result = CliRunner().invoke(main, ["party-index"])
    assert result.exit_code == 0 and "party names indexed for 1 case(s)" in result.output, result.output
    assert "address digests for 1 case(s)" in result.output
    party_index.configure("the-second-key-after-a-rotation-456789")
    with app.app_context():
        after = set(db.session.scalars(select(PartyName.digest)))
        keys_after = set(db.session.execute(select(PartyKey.kind, PartyKey.digest)))
        db.session.remove()
        db.engine.dispose()
    assert after == {party_index.digest("张三")} and after != before
    try:
        party_keys.configure("the-second-key-after-a-rotation-456789")
        assert keys_after == {("phone", party_keys.digest("phone", "13800001111"))} and keys_after != keys_before
    finally:
        party_keys._key.clear()
def test_risks_scan_reports_what_it_found(env):
    runner = CliRunner()
    assert runner.invoke(main, ["demo"]).exit_code == 0
    result = runner.invoke(main, ["risks", "scan"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "0 risks found, 0 new, 0 ended"
