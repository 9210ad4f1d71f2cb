"""一案一码: the one code a case gets when it opens, which the party uses to track it.

A code reads ``441581-20261201-0007K``: the county's code, the local (Beijing) date the case
opened, the county's sequence number of that day (four digits or more) and a check character.

Letters come from a 31-character alphabet without the look-alikes I, L, O, S and Z; a reader who
writes one of those anyway (``O`` for ``0``, ``I``/``L`` for ``1``, ``S`` for ``5``, ``Z`` for
``2``) still finds the case, because ``normalize`` reads them as the digit they resemble. County
codes are the six-digit administrative division codes; a county code with other characters is
written in the same alphabet.

The check character follows ISO 7064's pure-system construction, modulus 31 and radix 3 (a
primitive root of 31): it catches every single wrong character and every swap of two
neighbours, the check character included.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .errors import Conflict
from .models import CaseCodeSequence, OrgUnit

# The workflow data key holding a copy of the code from the start (diagrams use it); reserved.
DATA_KEY = "case_code"
ALPHABET = "0123456789ABCDEFGHJKMNPQRTUVWXY"
MODULUS, RADIX = len(ALPHABET), 3
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "Z": "2"})
CHINA = timezone(timedelta(hours=8), "CST")  # the code's date is the local date
COUNTY_MAX = 12

_CHAR = f"[{ALPHABET}]"
_CODE = re.compile(rf"({_CHAR}{{1,{COUNTY_MAX}}})-(\d{{8}})-(\d{{4,9}})({_CHAR})")
_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015\u2212]+")
_INSERT = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def _values(text: str) -> list[int]:
    return [ALPHABET.index(ch) for ch in text if ch != "-"]


def check_character(body: str) -> str:
    """The check character that ends a code whose other characters are ``body`` (hyphens ignored)."""
    total = 0
    for value in _values(body):
        total = (total + value) * RADIX % MODULUS
    return ALPHABET[(1 - total) % MODULUS]


def normalize(text: str) -> str | None:
    """The code as stored, from what a person typed (case, full-width forms, look-alikes, spacing); None if invalid."""
    if not isinstance(text, str):
        return None
    code = unicodedata.normalize("NFKC", text).strip().upper().translate(LOOK_ALIKES)
    code = _SEPARATORS.sub("-", code).strip("-")
    if not _CODE.fullmatch(code) or check_character(code[:-1]) != code[-1]:
        return None
    return code


def is_valid(text: str) -> bool:
    """Whether ``text`` reads as a well-formed case code whose check character agrees."""
    return normalize(text) is not None


def county_segment(code: str) -> str:
    """A county code written in the code alphabet; ``Conflict`` if it cannot be."""
    segment = unicodedata.normalize("NFKC", code).upper().translate(LOOK_ALIKES)
    if not 1 <= len(segment) <= COUNTY_MAX or any(ch not in ALPHABET for ch in segment):
        raise Conflict(f"the county code {code!r} cannot be part of a case code: use 1-{COUNTY_MAX} "
                       "letters or digits (the administrative division code, e.g. 441581)")
    return segment


def county_of(session: Session, unit: OrgUnit) -> OrgUnit:
    """The county a unit belongs to: the nearest unit of kind ``county`` at or above it, else the tree's root."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.id]
    above = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    counties = [above[i] for i in ids if i in above and above[i].kind == "county"]
    return counties[-1] if counties else above.get(ids[0], unit)


def _next_number(session: Session, prefix: str) -> int:
    """Count one more code for ``prefix`` in a single upsert.

    On PostgreSQL two openings in the same county and day queue on the row (or on its unique key
    when both would create it) and each gets its own number; SQLite has one writer at a time.
    """
    table = CaseCodeSequence.__table__
    insert = _INSERT[session.get_bind().dialect.name]
    statement = insert(table).values(prefix=prefix, last=1).on_conflict_do_update(
        index_elements=[table.c.prefix], set_={"last": table.c.last + 1}).returning(table.c.last)
    return session.execute(statement).scalar_one()


def issue(session: Session, unit: OrgUnit, now: datetime) -> str:
    """The next code of the unit's county for the local day of ``now``."""
    prefix = f"{county_segment(county_of(session, unit).code)}-{now.astimezone(CHINA):%Y%m%d}"
    body = f"{prefix}-{_next_number(session, prefix):04d}"
    return body + check_character(body)
