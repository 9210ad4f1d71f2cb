"""Analysis commands of ``mediate``: the monthly analysis (综合研判) and the weekly digest (周研判)."""

from __future__ import annotations

import click

from engine import analysis_digest, analysis_figures, analysis_weekly, people
from engine.errors import EngineError

from .cli import _app, main
from .extensions import db

REASONS = {"frequent": "多发", "rising": "上升", "badly_handled": "化解不力", "wide_impact": "影响面广"}


@main.group("analysis")
def analysis_group():
    """Monthly analysis and the three-level ledger."""


@analysis_group.command("run")
@click.option("--month", help="YYYY-MM (default: last month).")
def analysis_run(month):
    """Compute the month's figures per unit and dispute type, flag types and fill the ledger; idempotent."""
    app = _app()
    with app.app_context():
        try:
            result = analysis_figures.run(db.session, month)
            db.session.commit()
        except EngineError as err:
            db.session.rollback()
            raise click.ClickException(err.message) from None
        finally:
            db.session.remove()
    click.echo(f"{result['month']}: {result['rows']} unit/type rows, {result['flagged']} flagged, "
               f"{result['ledger_added']} new ledger entries")


@analysis_group.command("weekly")
@click.option("--week", help="ISO week YYYY-Www (default: this week; last week with --notify).")
@click.option("--notify", is_flag=True, help="Also tell each town and county centre's leaders and centre staff "
              "that the week's digest is ready, as the Monday job does (once per week and centre).")
def analysis_weekly_(week, notify):
    """Print the week's figures by dispute type and the open ledger entries due soon or overdue."""
    app = _app()
    with app.app_context():
        try:
            digest = analysis_weekly.weekly(db.session, people.operator(),
                                            week or (analysis_weekly.last_week() if notify else None))
            sent = analysis_digest.notify(db.session, digest["week"]) if notify else None
            db.session.commit()
        except EngineError as err:
            db.session.rollback()
            raise click.ClickException(err.message) from None
        finally:
            db.session.remove()
    totals, period = digest["totals"], digest["period"]
    click.echo(f"{digest['week']} ({period['from']} – {period['to']}): {totals['received']} received, "
               f"{totals['resolved']} resolved, resolution rate {_rate(totals['resolution_rate'])}")
    for item in digest["by_dispute_type"]:
        click.echo(f"  {item['key'] or '-'}: {item['received']} received, {item['resolved']} resolved")
    click.echo(f"ledger entries due by {digest['period']['to']} + 7 days or overdue: {len(digest['ledger_due'])}")
    for entry in digest["ledger_due"]:
        reasons = ", ".join(REASONS.get(r, r) for r in entry["reasons"])
        late = " OVERDUE" if entry["overdue"] else ""
        click.echo(f"  #{entry['id']} {entry['unit']} {entry['dispute_type'] or '-'} ({reasons}) "
                   f"owner {entry['owner'] or '-'} due {entry['due_date']}{late}")
    if sent is not None:
        click.echo(f"notifications queued for {sent['week']}: {sent['queued']} new "
                   f"({sent['already']} queued before); the scheduler delivers them")


def _rate(value) -> str:
    return "-" if value is None else f"{value:.2f}%"
