"""Small builders shared by engine and API tests."""

from __future__ import annotations

from pathlib import Path

from engine import accounts, deploy, orgs

FIXTURES = Path(__file__).parent / "fixtures"


def small_org(session):
    """county → town → village → grid, plus a second town, with one user per role."""
    county = orgs.add_unit(session, "county", "县", "county")
    town = orgs.add_unit(session, "town-1", "镇一", "town", county)
    other_town = orgs.add_unit(session, "town-2", "镇二", "town", county)
    village = orgs.add_unit(session, "village-1", "村一", "village", town)
    grid = orgs.add_unit(session, "grid-1", "网格一", "grid", village)
    users = {
        "admin": accounts.add_user(session, "admin", "pw", "admin", county),
        "staff": accounts.add_user(session, "staff", "pw", "centre_staff", town),
        "staff2": accounts.add_user(session, "staff2", "pw", "centre_staff", town),
        "other_staff": accounts.add_user(session, "other_staff", "pw", "centre_staff", other_town),
        "mediator": accounts.add_user(session, "mediator", "pw", "mediator", town),
        "grid_worker": accounts.add_user(session, "grid_worker", "pw", "grid_worker", grid),
        "designer": accounts.add_user(session, "designer", "pw", "designer", county),
        "leader": accounts.add_user(session, "leader", "pw", "leader", county),
    }
    session.flush()
    units = {"county": county, "town": town, "other_town": other_town, "village": village, "grid": grid}
    return units, users


def fixture_file(name: str) -> deploy.SourceFile:
    return deploy.SourceFile(name, (FIXTURES / name).read_bytes())


def deploy_fixture(session, *names: str) -> dict:
    files = [fixture_file(n) for n in (names or ("simple.bpmn",))]
    result = deploy.deploy(session, files, "test", max_bytes=1_000_000, forms_dir=FIXTURES / "forms")
    session.commit()
    return result
