"""Risk early warning: the risk list, warning letters (风险预警函) and their answers."""

from flask import jsonify

from engine import risk_letters, risks

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import (
    RiskAnswerIn,
    RiskLetterIn,
    RiskLetterListOut,
    RiskLetterOut,
    RiskLetterQuery,
    RiskListOut,
    RiskQuery,
)
from . import body, commit, query, v1


@v1.get("/risks")
@login_required
def risk_list():
    args = query(RiskQuery())
    rows = risks.listing(db.session, current_user(), **args)
    out = RiskListOut().dump({"items": [risks.as_dict(r) for r in rows]})
    commit()  # the scan's findings
    return jsonify(out)


@v1.post("/risks/<int:risk_id>/letters")
@login_required
def risk_letter_issue(risk_id: int):
    args = body(RiskLetterIn())
    letter = risk_letters.issue(db.session, current_user(), risk_id, **args)
    out = RiskLetterOut().dump(risk_letters.as_dict(letter))
    commit()
    return jsonify(out), 201


@v1.get("/risk-letters")
@login_required
def risk_letter_list():
    args = query(RiskLetterQuery())
    rows = risk_letters.listing(db.session, current_user(), **args)
    return jsonify(RiskLetterListOut().dump({"items": [risk_letters.as_dict(r) for r in rows]}))


@v1.get("/risk-letters/<int:letter_id>")
@login_required
def risk_letter_get(letter_id: int):
    return jsonify(RiskLetterOut().dump(risk_letters.as_dict(risk_letters.get(db.session, current_user(), letter_id))))


@v1.post("/risk-letters/<int:letter_id>/answer")
@login_required
def risk_letter_answer(letter_id: int):
    args = body(RiskAnswerIn())
    letter = risk_letters.answer(db.session, current_user(), letter_id, args["answer"])
    out = RiskLetterOut().dump(risk_letters.as_dict(letter))
    commit()
    return jsonify(out)
