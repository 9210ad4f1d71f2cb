"""Case commands of ``mediate``: moving running cases to another version of their process."""

from __future__ import annotations

import sys

import click

from engine import case_migration
from engine.errors import EngineError

from .cli import _app, main
from .extensions import db


@main.group("cases")
def cases_group():
    """Case commands."""


def _mapping(pairs: tuple[str, ...]) -> dict:
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            raise click.BadParameter(f"{pair!r} is not old=new", param_hint="--map")
        mapping[old] = new
    return mapping


def _row(plan) -> str:
    moves = ", ".join(m.old if m.old == m.new else f"{m.old}->{m.new}" for m in plan.moves)
    why = "; ".join(b.message for b in plan.blockers) or plan.error or ""
    return f"{plan.code:<26} {plan.status:<9} {moves or '-':<30} {why}"


@cases_group.command("migrate")
@click.argument("process_id")
@click.option("--from", "from_version", type=click.IntRange(min=1), required=True, help="Version the cases are on.")
@click.option("--to", "to_version", type=click.IntRange(min=1), required=True, help="Version to move them to.")
@click.option("--map", "pairs", multiple=True, metavar="OLD=NEW",
              help="Element id of the old version = element id of the new one (repeat for each).")
@click.option("--case", "codes", multiple=True, metavar="CODE", help="Only these cases (repeat for each).")
@click.option("--dry-run", is_flag=True, help="Only say which cases can move and why others cannot.")
def cases_migrate(process_id, from_version, to_version, pairs, codes, dry_run):
    """Move running cases of PROCESS_ID to another version, one transaction per case; prints a table."""
    app = _app()
    with app.app_context():
        try:
            report = case_migration.migrate_cases(db.session, "cli", None, process_id, from_version, to_version,
                                                  mapping=_mapping(pairs), codes=list(codes) or None,
                                                  dry_run=dry_run)
        except EngineError as err:
            db.session.rollback()
            raise click.ClickException(err.message) from None
        db.session.remove()
    click.echo(f"{'case':<26} {'status':<9} {'tasks':<30} why")
    for plan in report.cases:
        click.echo(_row(plan))
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.counts().items())) or "no running cases"
    click.echo(f"{process_id} {report.from_version} -> {report.to_version}"
               f"{' (dry run)' if dry_run else ''}: {counts}")
    if report.counts().get("failed"):
        sys.exit(1)
