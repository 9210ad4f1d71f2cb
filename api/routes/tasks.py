from flask import jsonify

from engine import cases, inbox_letters, tasks

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import DataIn, LetterRowOut, ReassignIn, TaskOut, TaskQuery
from . import body, commit, query, v1

# Built once: a schema instance deep-copies its fields, a cost on every request otherwise.
TASK, TASKS, DATA_IN, LETTER_ROW = TaskOut(), TaskOut(many=True), DataIn(), LetterRowOut()


@v1.get("/tasks")
@login_required
def list_tasks():
    args = query(TaskQuery())
    case_id = cases.get_case(db.session, current_user(), args["case"]).id if args.get("case") else None
    rows, more = tasks.inbox(db.session, current_user(), args["scope"], case_id=case_id,
                             spec_id=args.get("task"), overdue=args.get("overdue"),
                             page=args["page"], per_page=args["per_page"], letters=True)
    items = [LETTER_ROW.dump(inbox_letters.as_row(r)) if inbox_letters.is_letter(r) else TASK.dump(r) for r in rows]
    return jsonify({"items": items, "page": args["page"], "has_more": more})


@v1.get("/tasks/<int:task_id>")
@login_required
def get_task(task_id):
    detail = tasks.task_detail(db.session, current_user(), task_id)
    out = TASK.dump(detail.task)
    out.update(schema=detail.schema, data=detail.data, draft=detail.draft)
    commit()  # a full view of an ID number is audited
    return jsonify(out)


@v1.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id):
    row = tasks.claim(db.session, current_user(), task_id)
    commit()
    return jsonify(TASK.dump(row))


@v1.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id):
    row = tasks.unclaim(db.session, current_user(), task_id)
    commit()
    return jsonify(TASK.dump(row))


@v1.post("/tasks/<int:task_id>/reassign")
@login_required
def reassign(task_id):
    args = body(ReassignIn())
    row = tasks.reassign(db.session, current_user(), task_id, args["username"])
    commit()
    return jsonify(TASK.dump(row))


@v1.post("/tasks/<int:task_id>/draft")
@login_required
def draft(task_id):
    args = body(DATA_IN)
    row = tasks.save_draft(db.session, current_user(), task_id, args["data"])
    commit()
    return jsonify(TASK.dump(row))


@v1.post("/tasks/<int:task_id>/complete")
@login_required
def complete(task_id):
    args = body(DATA_IN)
    done = tasks.complete(db.session, current_user(), task_id, args["data"])
    # Dumped before the commit, which would expire every row and make the dump load them all again.
    out = TASK.dump(done.task)
    case = done.task.case
    out["case"] = {"code": case.code, "status": case.status, "open_tasks": TASKS.dump(done.open_tasks)}
    commit()
    return jsonify(out)
