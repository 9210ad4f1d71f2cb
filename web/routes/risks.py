"""Risk early warning pages: the risk list with filters, issuing a warning letter, the printable letter
(风险预警函) and the addressed unit's answer."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from api.extensions import db
from engine import letter_escalation, risk_letters, risks
from engine.models import RISK_KINDS, SEVERITIES
from engine.tasks import commit_or_conflict

from ..session import me
from . import checked_args, form_values, pages

KINDS = {"repeat_party": _l("Repeat party"), "repeat_address": _l("Repeat address"),
         "mass_dispute": _l("Mass dispute"), "extreme_person": _l("Extreme-risk person"), "overdue_tiers": _l("Overdue at several tiers"),
         "rising_type": _l("Rising dispute type")}
SEVERITY_NAMES = {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High"), "critical": _l("Critical")}
ISSUERS = ("centre_staff", "leader", "admin")


def _filters() -> dict:
    args = checked_args()
    return {"kind": args.get("kind") if args.get("kind") in RISK_KINDS else "",
            "severity": args.get("severity") if args.get("severity") in SEVERITIES else "",
            "unit": args.get("unit", "").strip()[:40], "ended": args.get("ended") == "1"}


@pages.get("/risks")
@login_required
def risk_list():
    f = _filters()
    user = me()
    rows = risks.listing(db.session, user, kind=f["kind"] or None, severity=f["severity"] or None,
                         unit_code=f["unit"] or None, include_ended=f["ended"])
    letters = risk_letters.listing(db.session, user)
    html = render_template("risks.html", filters=f, risks=rows, letters=letters, kinds=KINDS,
                           severities=SEVERITY_NAMES, may_issue=user.role in ISSUERS,
                           to_answer=[x for x in letters if risk_letters.may_answer(user, x)])
    commit_or_conflict(db.session)  # the scan's findings
    return html


@pages.post("/risks/<int:risk_id>/letters")
@login_required
def risk_letter_issue(risk_id: int):
    values = form_values("due_days", "note", "unit", limit=risk_letters.MAX_NOTE + 1)
    letter = risk_letters.issue(db.session, me(), risk_id, due_days=values["due_days"] or None,
                                note=values["note"], unit_code=values["unit"] or None)
    commit_or_conflict(db.session)
    return redirect(url_for("pages.risk_letter", letter_id=letter.id))


@pages.get("/risks/letters/<int:letter_id>")
@login_required
def risk_letter(letter_id: int):
    user = me()
    letter = risk_letters.get(db.session, user, letter_id)
    return render_template("risk_letter.html", letter=letter, kinds=KINDS, steps=letter_escalation.steps(letter),
                           may_answer=risk_letters.may_answer(user, letter))


@pages.post("/risks/letters/<int:letter_id>/answer")
@login_required
def risk_letter_answer(letter_id: int):
    values = form_values("answer", limit=risk_letters.MAX_ANSWER + 1)
    risk_letters.answer(db.session, me(), letter_id, values["answer"])
    commit_or_conflict(db.session)
    return redirect(url_for("pages.risk_letter", letter_id=letter_id))
