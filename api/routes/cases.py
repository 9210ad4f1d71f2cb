from flask import jsonify

from engine import cases

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import CaseIn, CaseOut, CaseQuery, EventOut, IncidentOut, TaskOut
from . import body, commit, query, v1


def _dump(case) -> dict:
    out = CaseOut().dump(case)
    out["open_tasks"] = TaskOut(many=True).dump(cases.open_tasks(db.session, case))
    return out


@v1.post("/cases")
@login_required
def open_case():
    args = body(CaseIn())
    case = cases.open_case(db.session, current_user(), args["process_id"], args["data"],
                           version=args.get("version"), unit_code=args.get("unit"), title=args.get("title", ""))
    commit()
    return jsonify(_dump(case)), 201


@v1.get("/cases")
@login_required
def list_cases():
    args = query(CaseQuery())
    rows, more = cases.list_cases(db.session, current_user(), status=args.get("status"), tier=args.get("tier"),
                                  unit_code=args.get("unit"), text=args.get("text"),
                                  reported=args.get("reported", False), page=args["page"], per_page=args["per_page"])
    return jsonify({"items": [_dump(c) for c in rows], "page": args["page"], "has_more": more})


@v1.get("/cases/<code>")
@login_required
def get_case(code):
    page = cases.case_page(db.session, current_user(), code)
    out = CaseOut().dump(page.case)
    out.update(open_tasks=TaskOut(many=True).dump(page.open_tasks),
               timeline=EventOut(many=True).dump(page.timeline))
    return jsonify(out)


@v1.get("/incidents")
@login_required
def list_incidents():
    rows = cases.list_incidents(db.session, current_user())
    return jsonify({"items": IncidentOut(many=True).dump(rows)})


@v1.post("/incidents/<int:incident_id>/retry")
@login_required
def retry_incident(incident_id):
    incident = cases.retry_incident(db.session, current_user(), incident_id)
    commit()
    return jsonify(IncidentOut().dump(incident))
