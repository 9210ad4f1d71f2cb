"""Bulk load of organisation units from a CSV file: every row checked first, then all written in one go.

The file is UTF-8 (a byte-order mark, as spreadsheet programs write, is fine) with a header row
naming the columns ``code,name,kind,parent_code`` in any order. ``parent_code`` is empty for a
county and otherwise names an open unit already in the database or a row earlier in the file.
Each bad row is reported with its line number (the header is line 1) and the field at fault;
if there is one, nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, orgs, units
from .errors import EngineError, FormInvalid
from .models import OrgUnit, User
from .people import require_admin

COLUMNS = ("code", "name", "kind", "parent_code")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Row:
    line: int
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class Plan:
    """The rows to insert, or the problems that stop the import."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Pending:
    """A unit the file creates before it is written: enough for the placement check."""

    def __init__(self, row: Row):
        self.code, self.kind, self.active = row.code, row.kind, True


def _read(data: bytes | str) -> tuple[list[str] | None, list[tuple[int, list[str]]], list[Problem]]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            return None, [], [Problem(1, "(file)", f"不是 UTF-8 编码的文本 not UTF-8 text (byte {err.start})")]
    data = data.removeprefix("\ufeff")
    if "\x00" in data:
        return None, [], [Problem(1, "(file)", "含有 NUL 字符 contains a NUL character")]
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = next(reader, None)
        rows = []
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as err:
        return None, [], [Problem(reader.line_num, "(file)", f"not valid CSV: {err}")]
    return header, rows, []


def plan(session: Session, data: bytes | str) -> Plan:
    """Check the whole file against the database; nothing is written."""
    header, raw, problems = _read(data)
    if problems:
        return Plan(problems=problems)
    names = [h.strip().lower() for h in header or []]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        return Plan(problems=[Problem(1, "(header)", f"缺少列 missing column {', '.join(missing)}; "
                                                     f"the header is {','.join(COLUMNS)}")])
    if len(raw) > MAX_ROWS:
        return Plan(problems=[Problem(1, "(file)", f"超过 {MAX_ROWS} 行,请拆分文件 more than {MAX_ROWS} rows; split the file")])
    at = {c: names.index(c) for c in COLUMNS}
    existing = {u.code: u for u in session.scalars(select(OrgUnit))}
    out = Plan()
    seen: dict[str, _Pending] = {}
    for line, cells in raw:
        if len(cells) != len(names):
            out.problems.append(Problem(line, "(row)", f"本行有 {len(cells)} 列,表头有 {len(names)} 列 "
                                                       f"{len(cells)} cells, the header has {len(names)}"))
            continue
        row = Row(line, *(cells[at[c]].strip() for c in COLUMNS))
        problem = _check(row, existing, seen)
        if problem is None:
            seen[row.code] = _Pending(row)
            out.rows.append(row)
        else:
            out.problems.append(problem)
    if not raw:
        out.problems.append(Problem(1, "(file)", "表头下没有数据行 no rows below the header"))
    return out


def _check(row: Row, existing: dict[str, OrgUnit], seen: dict[str, _Pending]) -> Problem | None:
    if not units.CODE.match(row.code):
        return Problem(row.line, "code", f"{units.CODE_RULE_ZH} {units.CODE_RULE}")
    if row.code in existing:
        return Problem(row.line, "code", f"单位 {row.code} 已存在 {row.code} already exists")
    if row.code in seen:
        return Problem(row.line, "code", f"代码 {row.code} 在文件中重复 {row.code} appears twice in the file")
    parent = None
    if row.parent_code:
        parent = seen.get(row.parent_code) or existing.get(row.parent_code)
        if parent is None:
            return Problem(row.line, "parent_code", f"上级单位 {row.parent_code} 既不在库中也不在本行之上 "
                                                    f"no unit {row.parent_code} in the database or above this row")
        if not parent.active:
            return Problem(row.line, "parent_code", f"单位 {row.parent_code} 已关闭 unit {row.parent_code} is closed")
    try:
        units.check_name(row.name)
        units.check_placement(row.kind, parent)
    except EngineError as err:
        (name, message), = (err.fields or {"(row)": err.message}).items()
        return Problem(row.line, {"parent": "parent_code"}.get(name, name), message)
    return None


def run(session: Session, actor: User, data: bytes | str,
        progress: Callable[[int], None] | None = None) -> list[OrgUnit]:
    """Check the file, then insert every row in the caller's transaction; ``FormInvalid`` lists the problems."""
    require_admin(actor)
    checked = plan(session, data)
    if checked.problems:
        raise rejected(checked.problems)
    return insert(session, actor, checked, progress)


def rejected(problems: list[Problem]) -> FormInvalid:
    first = problems[0]
    return FormInvalid(f"{len(problems)} bad row(s); nothing was imported (first: {first})",
                       fields={f"line {p.line}": f"{p.field}: {p.message}" for p in problems[:100]},
                       details=[{"line": p.line, "field": p.field, "message": p.message} for p in problems])


def insert(session: Session, actor: User, checked: Plan, progress: Callable[[int], None] | None = None) -> list[OrgUnit]:
    """Write a checked plan's rows (parents first, as the file orders them)."""
    require_admin(actor)
    made: dict[str, OrgUnit] = {}
    by_code = {u.code: u for u in session.scalars(select(OrgUnit).where(
        OrgUnit.code.in_({r.parent_code for r in checked.rows if r.parent_code})))}
    for row in checked.rows:
        parent = made.get(row.parent_code) or by_code.get(row.parent_code) if row.parent_code else None
        made[row.code] = orgs.add_unit(session, row.code, row.name, row.kind, parent)
        if progress is not None:
            progress(1)
    audit.record(session, "units_imported", actor.username,
                 detail={"count": len(made), "codes": list(made)[:50]})
    return list(made.values())
