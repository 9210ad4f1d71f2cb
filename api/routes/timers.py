from flask import jsonify

from engine import cases, recalc, timers

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import RecalcIn, RecalcOut, TimerOut, TimerQuery
from . import body, commit, query, v1


@v1.get("/timers")
@login_required
def list_timers():
    args = query(TimerQuery())
    case_id = cases.get_case(db.session, current_user(), args["case"]).id if args.get("case") else None
    rows, more = timers.list_timers(db.session, current_user(), due_before=args.get("due_before"),
                                    kind=args.get("kind"), case_id=case_id, state=args["state"],
                                    page=args["page"], per_page=args["per_page"])
    return jsonify({"items": TimerOut(many=True).dump(rows), "page": args["page"], "has_more": more})


@v1.post("/timers/recalc")
@login_required
def recalc_timers():
    args = body(RecalcIn())
    report = recalc.recalc_as(db.session, current_user(), args.get("case"))
    commit()
    return jsonify(RecalcOut().dump(report))
