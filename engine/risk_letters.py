"""风险预警函: a warning letter about one risk, written from ``engine/templates/risk_letter.txt``,
addressed to the responsible unit, numbered 风险预警函〔year〕第N号 and answered by the addressed
unit's centre staff or leaders by its due date, as a supervision order (督办单) is answered.

The letter names the risk by its kind, cases and counts, never by a party's data.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import audit, clock, letter_escalation, orgs, risks
from .case_codes import CHINA
from .errors import BadRequest, Conflict, Forbidden, NotFound
from .models import LETTER_STATES, RiskLetter, User

ANSWERERS = ("centre_staff", "leader")
DUE_DAYS, MAX_DUE_DAYS, MAX_NOTE, MAX_ANSWER = 7, 90, 1000, 4000
KIND_LABELS = {"repeat_party": "重复当事人", "mass_dispute": "群体性纠纷", "extreme_person": "个人极端风险",
               "overdue_tiers": "多级超期", "rising_type": "类型上升", "repeat_address": "重复地址"}
SEVERITY_LABELS = {"low": "低", "medium": "中", "high": "高", "critical": "极高"}
_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=False,
                         undefined=StrictUndefined, keep_trailing_newline=True)


def describe(risk) -> str:
    """One sentence on the risk, from its counts alone."""
    d = risk.detail or {}
    if risk.kind == "repeat_party":
        return (f"同一当事人（身份证号或联系电话相同）在{d.get('window_days')}天内涉及{d.get('cases')}件纠纷，"
                "存在重复信访、矛盾升级风险。")
    if risk.kind == "repeat_address":
        return (f"同一地址（当事人住址或纠纷发生地址相同）在{d.get('window_days')}天内涉及{d.get('cases')}件纠纷，"
                "存在矛盾反复、纠纷多发风险。")
    if risk.kind == "mass_dispute":
        return f"纠纷涉及当事人{d.get('parties')}人" + ("，已标记为群体性纠纷。" if d.get("flagged") else "。")
    if risk.kind == "extreme_person":
        return "纠纷当事人被标记为个人极端风险。"
    if risk.kind == "overdue_tiers":
        return f"案件已在{d.get('tiers')}个层级办理超期。"
    return (f"{d.get('dispute_type')}类纠纷近{d.get('window_days')}天受理{d.get('current')}件，"
            f"前一时段为{d.get('previous')}件，呈上升趋势。")


def _day(moment) -> str:
    local = moment.astimezone(CHINA)
    return f"{local.year}年{local.month}月{local.day}日"


def _due_days(value) -> int:
    if value in (None, ""):
        return DUE_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if isinstance(value, bool) or not 1 <= days <= MAX_DUE_DAYS or str(days) != str(value).strip():
        raise BadRequest(f"due_days must be a whole number from 1 to {MAX_DUE_DAYS}",
                         fields={"due_days": f"1 to {MAX_DUE_DAYS}"})
    return days


def issue(session: Session, user: User, risk_id: int, *, due_days=None, note: str | None = None,
          unit_code: str | None = None) -> RiskLetter:
    """Write and log a letter about a risk the user sees, to its unit or to ``unit_code`` (a visible unit)."""
    risk = risks.get(session, user, risk_id)
    days = _due_days(due_days)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BadRequest(f"note is longer than {MAX_NOTE} characters", fields={"note": f"at most {MAX_NOTE}"})
    unit = risk.unit
    if unit_code:
        unit = orgs.unit_by_code(session, unit_code)
        orgs.require_unit(session, user, unit.id)
    now = clock.now()
    year = now.astimezone(CHINA).year
    serial = (session.scalar(select(func.max(RiskLetter.serial)).where(RiskLetter.year == year)) or 0) + 1
    number = f"风险预警函〔{year}〕第{serial}号"
    due_at = now + timedelta(days=days)
    text = _templates.get_template("risk_letter.txt").render(
        number=number, unit_name=unit.name, kind_label=KIND_LABELS.get(risk.kind, risk.kind),
        severity_label=SEVERITY_LABELS.get(risk.severity, risk.severity), detected=_day(risk.detected_at),
        cases="、".join(risk.case_codes or []) or "—", description=describe(risk), note=note,
        due=_day(due_at), from_unit=user.org_unit.name, issued=_day(now))
    letter = RiskLetter(risk_id=risk.id, unit_id=unit.id, from_unit_id=user.org_unit_id, year=year, serial=serial,
                        number=number, text=text, issued_by=user.username, issued_at=now, due_at=due_at,
                        status="open")
    try:
        with session.begin_nested():
            session.add(letter)
            session.flush()
    except IntegrityError:
        raise Conflict("another letter took this number at the same moment; issue it again") from None
    audit.record(session, "risk_letter_issued", user.username,
                 detail={"letter": letter.id, "number": number, "risk": risk.id, "kind": risk.kind,
                         "unit": unit.code, "due_at": due_at.isoformat()})
    return letter


def get(session: Session, user: User, letter_id: int) -> RiskLetter:
    risks.require_reader(user)
    letter = session.get(RiskLetter, letter_id)
    if letter is None or not orgs.can_see_unit(session, user, letter.unit_id):
        raise NotFound(f"no risk letter {letter_id}")
    return letter


def answering_units(letter: RiskLetter) -> tuple[int, ...]:
    """Units whose centre staff and leaders answer: the unit addressed and the centre it was escalated to."""
    return (letter.unit_id,) if letter.escalated_to_id is None else (letter.unit_id, letter.escalated_to_id)


def may_answer(user: User, letter: RiskLetter) -> bool:
    return letter.status == "open" and user.role in ANSWERERS and user.org_unit_id in answering_units(letter)


def answer(session: Session, user: User, letter_id: int, text: str | None) -> RiskLetter:
    """The addressed unit's answer: how it verified and handled the risk (once)."""
    letter = get(session, user, letter_id)
    if user.role not in ANSWERERS or user.org_unit_id not in answering_units(letter):
        raise Forbidden("only the centre staff or leaders of the unit addressed, or of the centre it was "
                        "escalated to, answer this letter")
    if letter.status != "open":
        raise Conflict(f"letter {letter.number} was answered already")
    text = (text or "").strip() if isinstance(text, str) or text is None else None
    if not text or len(text) > MAX_ANSWER:
        raise BadRequest(f"answer must be 1 to {MAX_ANSWER} characters", fields={"answer": f"1 to {MAX_ANSWER}"})
    now = clock.now()
    letter.answer, letter.answered_by, letter.answered_at, letter.status = text, user.username, now, "answered"
    audit.record(session, "risk_letter_answered", user.username,
                 detail={"letter": letter.id, "number": letter.number, "late": now > letter.due_at or bool(letter.escalations),
                         "escalated": len(letter.escalations or []), "unit": user.org_unit.code})
    return letter


def listing(session: Session, user: User, *, status: str | None = None, risk_id: int | None = None) -> list[RiskLetter]:
    """Letters addressed to the caller's visible units, newest first."""
    risks.require_reader(user)
    if status and status not in LETTER_STATES:
        raise BadRequest(f"status must be one of {', '.join(LETTER_STATES)}", fields={"status": "unknown"})
    query = select(RiskLetter)
    unit_ids = orgs.visible_unit_ids(session, user)
    if unit_ids is not None:
        query = query.where(RiskLetter.unit_id.in_(unit_ids))
    if status:
        query = query.where(RiskLetter.status == status)
    if risk_id is not None:
        query = query.where(RiskLetter.risk_id == risk_id)
    return list(session.scalars(query.order_by(RiskLetter.issued_at.desc(), RiskLetter.id.desc()).limit(500)))


def as_dict(letter: RiskLetter) -> dict:
    return {"id": letter.id, "number": letter.number, "risk": letter.risk_id, "kind": letter.risk.kind,
            "unit": letter.unit.code, "unit_name": letter.unit.name, "from_unit": letter.from_unit.code,
            "text": letter.text, "issued_by": letter.issued_by, "issued_at": letter.issued_at,
            "due_at": letter.due_at, "overdue": letter.status == "open" and clock.now() > letter.due_at,
            "status": letter.status, "answer": letter.answer, "answered_by": letter.answered_by,
            "answered_at": letter.answered_at,
            "escalated_to": letter.escalated_to.code if letter.escalated_to else None,
            "escalated_to_name": letter.escalated_to.name if letter.escalated_to else None,
            "escalated_at": letter.escalated_at, "overdue_at_top": letter.top_overdue_at is not None,
            "escalations": letter_escalation.steps(letter)}
