"""Finding a case by a party's name without storing the name: keyed digests of normalised names.

Each case keeps one ``party_name`` row per distinct name its data carries (fields marked
``x-personal: name``): ``HMAC-SHA256(key, normalise(name))``, where the key is derived from the
application's secret (``MEDIATE_SECRET_KEY`` or the instance key). Someone holding a copy of the
database but not the key cannot test guesses against it. The rows are written with the case's
state (``engine/runner.py``), so they change in the same transaction as the parties do.

A search hashes the typed text the same way and matches whole names only: ``张 三`` finds 张三, a
full-width ``Ｌｉ　Ｍｉｎｇ`` finds "li ming". The match counts only on cases the reader works
(``privacy.works_case_clause``); anyone else learns nothing from it.

The digests depend on the key: after changing ``MEDIATE_SECRET_KEY`` run ``mediate party-index``
to compute them again.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import privacy, spiff
from .digests import KeyedDigest
from .models import Case, CaseState, PartyName

# Derives this index's key from the application's secret: the secret itself signs sessions and tokens.
PURPOSE = b"mediate party-name index v1"
MAX_NAMES = 50  # a case naming more parties than this indexes the first fifty
_SPACES = re.compile(r"\s+")
# A space between two Chinese characters is a typing habit (张 三), not part of the name.
_HAN_SPACE = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff]) (?=[\u3400-\u9fff\uf900-\ufaff])")
_key = KeyedDigest(PURPOSE)


def configure(secret_key: str) -> None:
    """Set the application's secret the digests are keyed with (``api.create_app`` does)."""
    _key.configure(secret_key)


def normalise(name: str) -> str:
    """Compatibility forms folded (full-width letters and spaces), case folded, spaces collapsed and
    trimmed, none left between two Chinese characters."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()
    return _HAN_SPACE.sub("", text)


def digest(name: str) -> str | None:
    """The keyed digest of a name (hex), or None for text that is empty once normalised."""
    text = normalise(name) if isinstance(name, str) else ""
    if not text:
        return None
    return _key.hexdigest(text)


def digests(names: Iterable[str]) -> set[str]:
    found = {d for d in (digest(n) for n in names) if d}
    return set(sorted(found)[:MAX_NAMES]) if len(found) > MAX_NAMES else found


def sync(session: Session, case: Case, names: list[str]) -> None:
    """Make the case's rows the digests of ``names`` (in the caller's transaction)."""
    wanted = digests(names)
    have = set(session.scalars(select(PartyName.digest).where(PartyName.case_id == case.id)))
    if wanted == have:
        return
    if have - wanted:
        session.execute(delete(PartyName).where(PartyName.case_id == case.id,
                                                PartyName.digest.in_(have - wanted)))
    session.add_all(PartyName(case_id=case.id, digest=d) for d in sorted(wanted - have))


# -- computing the index for cases stored before it (the migration, and after a key change) ----
def _task_data(state: dict) -> Iterator[tuple[float, dict]]:
    """``(last change, data)`` of every task in a serialised workflow and its sub-workflows."""
    tasks = state.get("tasks") if isinstance(state.get("tasks"), dict) else {}
    for task in tasks.values():
        if isinstance(task, dict):
            yield float(task.get("last_state_change") or 0), spiff.stored_task_data(task, tasks)
    for sub in (state.get("subprocesses") or {}).values():
        if isinstance(sub, dict):
            yield from _task_data(sub)


def names_in_state(paths: privacy.Paths, state_json: str) -> list[str]:
    """The names of the most recently changed task that carries any: what the case's data names now."""
    try:
        state = json.loads(state_json)
    except ValueError:
        return []
    best: tuple[float, list[str]] = (-1.0, [])
    for changed, data in _task_data(state if isinstance(state, dict) else {}):
        names = privacy.names(paths, data)
        if names and changed >= best[0]:
            best = (changed, names)
    return best[1]


def stored_states(session: Session, batch: int = 500) -> Iterator[tuple[Case, str]]:
    """Every case with its stored state JSON, by id, ``batch`` at a time, flushing after each batch."""
    last = 0
    while True:
        rows = session.execute(select(Case, CaseState.state_json).join(CaseState, CaseState.case_id == Case.id)
                               .where(Case.id > last).order_by(Case.id).limit(batch)).all()
        yield from rows
        session.flush()
        if len(rows) < batch:
            return
        last = rows[-1][0].id


def rebuild(session: Session, batch: int = 500) -> int:
    """Compute every case's rows again from its stored state; returns how many cases name someone."""
    count = 0
    for case, state_json in stored_states(session, batch):
        names = names_in_state(privacy.version_paths(case.process_version), state_json)
        sync(session, case, names)
        count += bool(names)
    return count
