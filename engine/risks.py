"""Risk early warning (风险预警): the risks the decision table ``risk_rules`` finds in the cases.

Six rules, each with its thresholds in one row of ``processes/risk_rules.dmn`` (window in days,
threshold, minimum cases, severity), so administrators change them on ``/admin/rules``:

- ``repeat_party``: the same ID number or phone (equal keyed digests, ``engine/party_keys.py``) in
  at least ``threshold`` cases received within the window; addressed to the lowest unit above all
  of them. The person is never named: the risk says "the same person in N cases".
- ``repeat_address``: the same address (a party's or the dispute's, normalised and digested the
  same way) in at least ``threshold`` cases received within the window, a case counted once however
  many of its addresses match; addressed as ``repeat_party``. The address is never shown.
- ``mass_dispute``: an open case received within the window, flagged 群体性 or with at least
  ``threshold`` parties.
- ``extreme_person``: an open case received within the window, flagged 极端.
- ``overdue_tiers``: an open case whose tasks went overdue at ``threshold`` or more tiers (unit
  kinds), counting tasks created within the window.
- ``rising_type``: a unit's cases of one dispute type received in the last window are at least
  ``minimum`` and at least ``threshold`` times those received in the window before it.

``scan`` runs the rules and keeps the ``risk`` table in line (a risk keeps its first detection
time; one no longer found turns inactive); ``listing`` scans, unless a scan found risks within the
last ``FRESH_SECONDS``, and lists what the caller may see.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import clock, decisions, orgs, rule_drafts
from .config import ROOT
from .errors import BadRequest, NotFound
from .models import RISK_KINDS, SEVERITIES, Case, CaseSignal, OrgUnit, PartyKey, Risk, TaskItem, User

TABLE = "risk_rules"
MAX_CODES = 50
# A list asked for within this long of the last scan that found anything shows that scan's findings
# (a scan reads every case of the windows: ~0.45 s for 20,000 cases, bench/risk_scan.py).
FRESH_SECONDS = 60
# The party-key kinds (engine/party_keys.py) each repeat rule compares.
REPEATS = {"repeat_party": ("id_number", "phone"), "repeat_address": ("address",)}


@dataclass(frozen=True)
class Rule:
    window_days: int
    threshold: float
    minimum: int
    severity: str


@dataclass
class Found:
    kind: str
    unit_id: int
    severity: str
    case_codes: list
    detail: dict


def _table(session: Session):
    tables = decisions.current_tables(session)
    engine = tables.get(f"table_{TABLE}") or tables.get(TABLE)
    if engine is None:  # not deployed yet: the table shipped with the product
        engine = rule_drafts.parse(TABLE, (ROOT / "processes" / f"{TABLE}.dmn").read_bytes()).engine
    return rule_drafts.ValueTable(engine)


def thresholds(session: Session) -> dict[str, Rule]:
    """Each rule's thresholds, from the current ``risk_rules`` table; a rule without a row is off."""
    table = _table(session)
    rules = {}
    for kind in RISK_KINDS:
        outcome = table.answer({"rule": kind}).get("outcome") or {}
        try:
            rule = Rule(int(outcome["window_days"]), float(outcome["threshold"]), int(outcome.get("minimum") or 1),
                        outcome["severity"] if outcome.get("severity") in SEVERITIES else "medium")
        except (KeyError, TypeError, ValueError):
            continue
        if rule.window_days > 0:
            rules[kind] = rule
    return rules


def _key(*parts) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()


def _common_unit(paths: dict[int, str], unit_ids: set[int]) -> int:
    """The lowest unit at or above every one of ``unit_ids`` (by materialised path)."""
    parts = [[int(x) for x in paths[u].strip("/").split("/") if x] for u in unit_ids if u in paths]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return common[-1] if common else min(unit_ids)


def _repeats(session: Session, risk_kind: str, rule: Rule, now: datetime) -> dict[str, Found]:
    """One risk per digest of ``REPEATS[risk_kind]`` in ``threshold`` or more cases of the window."""
    since = now - timedelta(days=rule.window_days)
    in_window = (Case.received_at >= since) & PartyKey.kind.in_(REPEATS[risk_kind])
    groups = (select(PartyKey.kind, PartyKey.digest).join(Case, Case.id == PartyKey.case_id)
              .where(in_window).group_by(PartyKey.kind, PartyKey.digest)
              .having(func.count(distinct(PartyKey.case_id)) >= rule.threshold).subquery())
    rows = session.execute(
        select(PartyKey.kind, PartyKey.digest, Case.id, Case.code, Case.org_unit_id)
        .join(Case, Case.id == PartyKey.case_id)
        .join(groups, (groups.c.kind == PartyKey.kind) & (groups.c.digest == PartyKey.digest))
        .where(in_window).order_by(PartyKey.kind, PartyKey.digest, Case.received_at, Case.id)).all()
    matches: dict[tuple[str, str], list] = {}
    for row in rows:
        matches.setdefault((row.kind, row.digest), []).append(row)
    paths = dict(session.execute(select(OrgUnit.id, OrgUnit.path).where(
        OrgUnit.id.in_({row.org_unit_id for row in rows}))).all()) if rows else {}
    found: dict[str, Found] = {}
    seen: set[frozenset] = set()
    for (kind, digest), cases in sorted(matches.items()):  # id_number before phone: one risk per set of cases
        ids = frozenset(c.id for c in cases)
        if ids in seen:
            continue
        seen.add(ids)
        found[_key(risk_kind, kind, digest)] = Found(
            risk_kind, _common_unit(paths, {c.org_unit_id for c in cases}), rule.severity,
            [c.code for c in cases][:MAX_CODES], {"cases": len(cases), "window_days": rule.window_days})
    return found


def _flagged(session: Session, kind: str, rule: Rule, now: datetime) -> dict[str, Found]:
    condition = CaseSignal.extreme.is_(True) if kind == "extreme_person" else (
        CaseSignal.mass.is_(True) | (CaseSignal.party_count >= rule.threshold))
    rows = session.execute(
        select(Case.id, Case.code, Case.org_unit_id, CaseSignal.party_count, CaseSignal.mass)
        .join(CaseSignal, CaseSignal.case_id == Case.id)
        .where(condition, Case.status != "closed", Case.received_at >= now - timedelta(days=rule.window_days))).all()
    return {_key(kind, row.id): Found(kind, row.org_unit_id, rule.severity, [row.code],
                                      {"parties": row.party_count, "flagged": bool(row.mass)}
                                      if kind == "mass_dispute" else {"parties": row.party_count})
            for row in rows}


def _overdue_tiers(session: Session, rule: Rule, now: datetime) -> dict[str, Found]:
    tiers = func.count(distinct(OrgUnit.kind))
    rows = session.execute(
        select(Case.id, Case.code, Case.org_unit_id, tiers.label("tiers"))
        .join(TaskItem, TaskItem.case_id == Case.id).join(OrgUnit, OrgUnit.id == TaskItem.org_unit_id)
        .where(TaskItem.overdue.is_(True), Case.status != "closed",
               TaskItem.created_at >= now - timedelta(days=rule.window_days))
        .group_by(Case.id, Case.code, Case.org_unit_id).having(tiers >= rule.threshold)).all()
    return {_key("overdue_tiers", row.id): Found("overdue_tiers", row.org_unit_id, rule.severity, [row.code],
                                                 {"tiers": int(row.tiers)}) for row in rows}


def _rising_type(session: Session, rule: Rule, now: datetime) -> dict[str, Found]:
    window = timedelta(days=rule.window_days)
    start, middle = now - 2 * window, now - window
    counts: dict[tuple, list] = {}
    rows = session.execute(
        select(Case.code, Case.received_unit_id, Case.county_id, Case.dispute_type, Case.received_at)
        .where(Case.received_at >= start, Case.received_at < now, Case.dispute_type.is_not(None))
        .order_by(Case.received_at)).all()
    for row in rows:
        current = row.received_at >= middle
        for unit_id in {row.received_unit_id, row.county_id} - {None}:
            entry = counts.setdefault((unit_id, row.dispute_type), [0, 0, []])
            entry[0 if current else 1] += 1
            if current:
                entry[2].append(row.code)
    found = {}
    for (unit_id, dispute_type), (current, previous, codes) in counts.items():
        if current >= rule.minimum and current >= rule.threshold * previous:
            found[_key("rising_type", unit_id, dispute_type)] = Found(
                "rising_type", unit_id, rule.severity, codes[-MAX_CODES:],
                {"dispute_type": dispute_type, "current": current, "previous": previous,
                 "window_days": rule.window_days})
    return found


def detect(session: Session, now: datetime | None = None) -> dict[str, Found]:
    """Every risk the rules find now, by key."""
    now = now or clock.now()
    rules = thresholds(session)
    found: dict[str, Found] = {}
    for kind in REPEATS:
        if kind in rules:
            found |= _repeats(session, kind, rules[kind], now)
    for kind in ("mass_dispute", "extreme_person"):
        if kind in rules:
            found |= _flagged(session, kind, rules[kind], now)
    if "overdue_tiers" in rules:
        found |= _overdue_tiers(session, rules["overdue_tiers"], now)
    if "rising_type" in rules:
        found |= _rising_type(session, rules["rising_type"], now)
    return found


def scan(session: Session, now: datetime | None = None) -> dict:
    """Bring the ``risk`` table in line with what the rules find now; ``{"found", "new", "ended"}``."""
    now = now or clock.now()
    found = detect(session, now)
    new = ended = 0
    try:
        with session.begin_nested():
            rows = {r.key: r for r in session.scalars(select(Risk).where(
                Risk.key.in_(list(found)) | Risk.active.is_(True)))}
            for key, item in found.items():
                row = rows.get(key)
                if row is None:
                    new += 1
                    session.add(Risk(key=key, kind=item.kind, unit_id=item.unit_id, severity=item.severity,
                                     case_codes=item.case_codes, detail=item.detail, detected_at=now,
                                     last_seen_at=now, active=True))
                    continue
                for name, value in (("unit_id", item.unit_id), ("severity", item.severity),
                                    ("case_codes", item.case_codes), ("detail", item.detail), ("active", True)):
                    if getattr(row, name) != value:
                        setattr(row, name, value)
                row.last_seen_at = now
            for key, row in rows.items():
                if key not in found and row.active:
                    row.active, ended = False, ended + 1
    except IntegrityError:  # another scan wrote the same risks at the same moment: its rows stand
        pass
    return {"found": len(found), "new": new, "ended": ended}


def require_reader(user: User) -> None:
    orgs.require_overseer(user, "the risk list is")


def listing(session: Session, user: User, *, kind: str | None = None, severity: str | None = None,
            unit_code: str | None = None, include_ended: bool = False) -> list[Risk]:
    """The risks of the caller's visible units (or one visible unit's subtree), scanned within a minute."""
    require_reader(user)
    if kind and kind not in RISK_KINDS:
        raise BadRequest(f"kind must be one of {', '.join(RISK_KINDS)}", fields={"kind": "unknown kind"})
    if severity and severity not in SEVERITIES:
        raise BadRequest(f"severity must be one of {', '.join(SEVERITIES)}", fields={"severity": "unknown"})
    unit_ids = orgs.listing_units(session, user, unit_code or None)
    latest = session.scalar(select(func.max(Risk.last_seen_at)))
    if latest is None or clock.now() - latest >= timedelta(seconds=FRESH_SECONDS):
        scan(session)
    query = select(Risk)
    if unit_ids is not None:
        query = query.where(Risk.unit_id.in_(unit_ids))
    if not include_ended:
        query = query.where(Risk.active.is_(True))
    if kind:
        query = query.where(Risk.kind == kind)
    if severity:
        query = query.where(Risk.severity == severity)
    rows = list(session.scalars(query.order_by(Risk.detected_at.desc(), Risk.id.desc()).limit(500)))
    order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
    return sorted(rows, key=lambda r: order.get(r.severity, 9))


def get(session: Session, user: User, risk_id: int) -> Risk:
    require_reader(user)
    risk = session.get(Risk, risk_id)
    if risk is None or not orgs.can_see_unit(session, user, risk.unit_id):
        raise NotFound(f"no risk {risk_id}")
    return risk


def as_dict(risk: Risk) -> dict:
    """A risk as the API and the pages show it: counts and case codes, never a party's data."""
    return {"id": risk.id, "kind": risk.kind, "unit": risk.unit.code, "unit_name": risk.unit.name,
            "severity": risk.severity, "cases": list(risk.case_codes or []), "detail": dict(risk.detail or {}),
            "detected_at": risk.detected_at, "last_seen_at": risk.last_seen_at, "active": risk.active}
