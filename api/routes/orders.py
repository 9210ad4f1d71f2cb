from flask import jsonify

from engine import orders

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import OrderEventOut, OrderOut, OrderQuery, SupervisionOut
from . import query, v1


def _dump(rows) -> list[dict]:
    history = orders.events(db.session, [o.id for o in rows])
    supervisions = orders.supervisions(db.session, [o.id for o in rows])
    out = []
    for order in rows:
        item = OrderOut().dump(order)
        item["overdue"] = orders.is_overdue(order)
        item["events"] = OrderEventOut(many=True).dump(history[order.id])
        item["supervision_orders"] = SupervisionOut(many=True).dump(supervisions[order.id])
        out.append(item)
    return out


@v1.get("/cases/<code>/orders")
@login_required
def case_orders(code):
    return jsonify({"items": _dump(orders.for_case(db.session, current_user(), code))})


@v1.get("/orders")
@login_required
def list_orders():
    args = query(OrderQuery())
    rows, more = orders.listing(db.session, current_user(), unit_code=args.get("unit"),
                                order_type=args.get("type"), overdue=args.get("overdue"),
                                page=args["page"], per_page=args["per_page"])
    return jsonify({"items": _dump(rows), "page": args["page"], "has_more": more})
