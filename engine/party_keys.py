"""Keyed digests of the parties' ID numbers and phones and of the case's addresses, and the risk
signals of a case's data.

To find "the same ID number, phone or address in several cases" without storing or comparing the
values, each value is reduced to an HMAC-SHA256 under a key derived from the signing key
(``engine/digests.py``): equal values give equal digests, and a digest does not give the value back
to anyone without the key. ``sync`` writes a case's digests and signals in the step's own
transaction, whenever the engine writes the case (``engine/runner.py``); ``rebuild`` computes every
case's again from its stored state (``mediate party-index``, after a key change).

Addresses, the parties' and the dispute's alike (fields marked ``x-personal: address``), are
compared after folding what differs between two typings of one place: compatibility forms
(full-width digits and letters, NFKC), case, spaces and punctuation, and a leading province
(广东省, 北京市, 广西壮族自治区 …). City and county stay: the same street name recurs in many
counties. An address shorter than ``MIN_ADDRESS`` characters once folded (a village's name alone)
says too little to compare and is left out.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import outcomes, party_index, privacy
from .digests import KeyedDigest
from .models import Case, CaseSignal, PartyKey

KINDS = ("id_number", "phone", "address")
MIN_ADDRESS = 6
# Province-level names in full only: a short form may begin a street's name (北京路, 湖南路).
PROVINCES = (
    "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省",
    "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区")
_PROVINCE = re.compile("^(?:" + "|".join(PROVINCES) + ")")
MASS_FLAG, EXTREME_FLAG = "群体性", "极端"
_key = KeyedDigest(b"mediate party keys")


def configure(secret: str) -> None:
    """Derive the digest key from the signing key (the app does so when it starts)."""
    _key.configure(secret)


def normalise(kind: str, value) -> str | None:
    """The value as compared: an ID number in upper case, a phone as its digits, an address folded
    (``normal_address``); None if empty."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if kind == "address":
        return normal_address(text)
    text = re.sub(r"\D", "", text) if kind == "phone" else text.upper().replace(" ", "")
    return text or None


def normal_address(text: str) -> str | None:
    """An address without compatibility forms, case, spaces, punctuation, symbols or a leading
    province; None if fewer than ``MIN_ADDRESS`` characters remain."""
    folded = "".join(c for c in unicodedata.normalize("NFKC", text).casefold()
                     if unicodedata.category(c)[0] not in "PSZC")
    folded = _PROVINCE.sub("", folded, count=1)
    return folded if len(folded) >= MIN_ADDRESS else None


def digest(kind: str, value) -> str | None:
    text = normalise(kind, value)
    if text is None:
        return None
    return _key.hexdigest(f"{kind}:{text}")


def digests(paths: privacy.Paths, data) -> set[tuple[str, str]]:
    """``{(kind, digest)}`` of every ID number, phone and address in ``data`` (fields marked personal);
    an address the parties and the dispute share is one pair."""
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


def rebuild(session: Session, batch: int = 500) -> int:
    """Compute every case's digests and signals again from its stored state; returns the cases read."""
    count = 0
    for case, state_json in party_index.stored_states(session, batch):
        try:
            data = outcomes.stored_data(state_json) if state_json else {}
        except ValueError:
            continue
        sync(session, case, data)
        count += 1
    return count
