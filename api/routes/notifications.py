from flask import jsonify

from engine import notifications

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import NotificationOut, NotificationQuery, ReadAllOut
from . import commit, query, v1


@v1.get("/notifications")
@login_required
def list_notifications():
    args = query(NotificationQuery())
    rows, more = notifications.list_for(db.session, current_user(), unread=args.get("unread"),
                                        page=args["page"], per_page=args["per_page"])
    return jsonify({"items": NotificationOut(many=True).dump(rows), "page": args["page"], "has_more": more})


@v1.post("/notifications/<int:notification_id>/read")
@login_required
def read_notification(notification_id):
    note = notifications.mark_read(db.session, current_user(), notification_id)
    commit()
    return jsonify(NotificationOut().dump(note))


@v1.post("/notifications/read-all")
@login_required
def read_all_notifications():
    marked = notifications.mark_all_read(db.session, current_user())
    commit()
    return jsonify(ReadAllOut().dump({"marked": marked}))
