"""Keyed digests of the parties' ID numbers and phones, and the risk signals of a case's data.

To find "the same ID number or phone in several cases" without storing or comparing the values,
each value is reduced to an HMAC-SHA256 under a key derived from the signing key
(``engine/digests.py``): equal values give equal digests, and a digest does not give the value back
to anyone without the key. ``sync`` writes a case's digests and signals in the step's own
transaction, whenever the engine writes the case (``engine/runner.py``).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import privacy
from .digests import KeyedDigest
from .models import Case, CaseSignal, PartyKey

KINDS = ("id_number", "phone")
MASS_FLAG, EXTREME_FLAG = "群体性", "极端"
_key = KeyedDigest(b"mediate party keys")


def configure(secret: str) -> None:
    """Derive the digest key from the signing key (the app does so when it starts)."""
    _key.configure(secret)


def normalise(kind: str, value) -> str | None:
    """The value as compared: an ID number in upper case, a phone as its digits; None if empty."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    text = re.sub(r"\D", "", text) if kind == "phone" else text.upper().replace(" ", "")
    return text or None


def digest(kind: str, value) -> str | None:
    text = normalise(kind, value)
    if text is None:
        return None
    return _key.hexdigest(f"{kind}:{text}")


def digests(paths: privacy.Paths, data) -> set[tuple[str, str]]:
    """``{(kind, digest)}`` of every ID number and phone in ``data`` (fields marked personal)."""
    found = set()
    for kind, value in privacy.values(paths, data, KINDS):
        if (d := digest(kind, value)) is not None:
            found.add((kind, d))
    return found


def signals(data) -> tuple[int, bool, bool]:
    """``(party count, 群体性, 极端)`` from a case's data."""
    if not isinstance(data, dict):
        return 0, False, False
    parties = data.get("parties")
    flags = data.get("risk_flags")
    flags = flags if isinstance(flags, list) else []
    return (len(parties) if isinstance(parties, list) else 0), MASS_FLAG in flags, EXTREME_FLAG in flags


def sync(session: Session, case: Case, data: dict) -> None:
    """Bring the case's digests and signals in line with ``data``; writes only what changed."""
    wanted = digests(privacy.version_paths(case.process_version), data)
    count, mass, extreme = signals(data)
    if case.id is None:
        session.flush([case])
    have = {(row.kind, row.digest): row for row in session.scalars(select(PartyKey).where(PartyKey.case_id == case.id))}
    for pair in wanted - set(have):
        session.add(PartyKey(case_id=case.id, kind=pair[0], digest=pair[1]))
    for pair in set(have) - wanted:
        session.delete(have[pair])
    signal = session.get(CaseSignal, case.id)
    if signal is None:
        if count or mass or extreme:
            session.add(CaseSignal(case_id=case.id, party_count=count, mass=mass, extreme=extreme))
    elif (signal.party_count, signal.mass, signal.extreme) != (count, mass, extreme):
        signal.party_count, signal.mass, signal.extreme = count, mass, extreme
