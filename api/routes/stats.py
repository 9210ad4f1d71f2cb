from flask import jsonify

from engine import stats, stats_breakdown

from ..auth import current_user, login_required
from ..extensions import db
from ..schemas import BreakdownQuery, StatsBreakdownOut, StatsQuery, StatsSummaryOut
from . import query, v1


@v1.get("/stats/summary")
@login_required
def stats_summary():
    args = query(StatsQuery())
    return jsonify(StatsSummaryOut().dump(stats.summary(db.session, current_user(), **args)))


@v1.get("/stats/breakdown")
@login_required
def stats_breakdown_():
    args = query(BreakdownQuery())
    by = args.pop("by")
    return jsonify(StatsBreakdownOut().dump(stats_breakdown.breakdown(db.session, current_user(), by, **args)))
