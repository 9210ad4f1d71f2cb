"""The CSV import of units: every bad row reported with its line, nothing written unless all are good."""

import pytest
from sqlalchemy import func, select

from engine import unit_import
from engine.errors import Forbidden, FormInvalid
from engine.models import AuditEvent, OrgUnit
from tests.helpers import FIXTURES, small_org

ROOT = FIXTURES.parent.parent


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(OrgUnit))


def test_the_example_file_imports_in_order_with_progress(session):
    _, users = small_org(session)
    before, ticks = _count(session), []
    made = unit_import.run(session, users["admin"], (ROOT / "docs" / "units-example.csv").read_bytes(), ticks.append)
    assert len(made) == 6 and len(ticks) == 6 and _count(session) == before + 6
    grid = session.scalar(select(OrgUnit).where(OrgUnit.code == "441582-01-001-01"))
    assert grid.kind == "grid" and grid.parent.code == "441582-01-001" and grid.path.count("/") == 5
    assert session.scalar(select(AuditEvent.detail).where(AuditEvent.kind == "units_imported"))["count"] == 6


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_written(session):
    _, users = small_org(session)
    before = _count(session)
    with pytest.raises(FormInvalid) as err:
        unit_import.run(session, users["admin"], (FIXTURES / "units_bad.csv").read_bytes())
    lines = [(d["line"], d["field"]) for d in err.value.details]
    assert lines == [(4, "parent_code"), (5, "code"), (6, "name"), (7, "kind"), (8, "parent_code")]
    assert "nothing was imported" in err.value.message
    assert _count(session) == before


def test_existing_parents_header_order_and_bom(session):
    _, users = small_org(session)
    text = "\ufeffname,kind,parent_code,code\r\n村二,village,town-1,village-2\r\n\r\n网格,grid,village-2,g-2\r\n"
    made = unit_import.run(session, users["admin"], text.encode("utf-8"))
    assert [u.code for u in made] == ["village-2", "g-2"]


@pytest.mark.parametrize("data, field", [
    (b"code,name\nx,y\n", "(header)"),
    (b"code,name,kind,parent_code\n", "(file)"),
    (b"\xff\xfe", "(file)"),
    (b"code,name,kind,parent_code\nx,y,village\n", "(row)"),
    ("code,name,kind,parent_code\ncounty,县,county,\n".encode(), "code"),
])
def test_malformed_files(session, data, field):
    _, users = small_org(session)
    with pytest.raises(FormInvalid) as err:
        unit_import.run(session, users["admin"], data)
    assert err.value.details[0]["field"] == field


def test_only_administrators_import(session):
    _, users = small_org(session)
    with pytest.raises(Forbidden):
        unit_import.run(session, users["staff"], b"code,name,kind,parent_code\n")
