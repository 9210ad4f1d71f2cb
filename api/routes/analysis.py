from flask import jsonify

from engine import analysis_figures, analysis_weekly, ledger

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import (
    AnalysisMonthOut,
    LedgerCloseIn,
    LedgerEntryOut,
    LedgerListOut,
    LedgerQuery,
    LedgerUpdateIn,
    WeeklyOut,
    WeeklyQuery,
)
from . import body, commit, query, v1


@v1.get("/analysis/weekly")
@login_required
def analysis_weekly_():
    args = query(WeeklyQuery())
    return jsonify(WeeklyOut().dump(analysis_weekly.weekly(db.session, current_user(), args.get("week"))))


@v1.get("/analysis/<month>")
@login_required
def analysis_month(month: str):
    return jsonify(AnalysisMonthOut().dump(analysis_figures.month_view(db.session, current_user(), month)))


@v1.get("/ledger")
@login_required
def ledger_list():
    args = query(LedgerQuery())
    return jsonify(LedgerListOut().dump({"items": ledger.listing(db.session, current_user(), **args)}))


@v1.post("/ledger/<int:id>")
@login_required
def ledger_update(id: int):
    entry = ledger.update(db.session, current_user(), id, body(LedgerUpdateIn()))
    commit()
    return jsonify(LedgerEntryOut().dump(entry))


@v1.post("/ledger/<int:id>/close")
@login_required
def ledger_close(id: int):
    entry = ledger.close(db.session, current_user(), id, body(LedgerCloseIn())["closing_note"])
    commit()
    return jsonify(LedgerEntryOut().dump(entry))
