"""Unit commands of ``mediate``: list the unit tree, import units from a CSV file.

The import checks the whole file first and prints every bad row with its line number; only a
file without one is written, in one transaction, with a progress bar for large loads.
"""

from __future__ import annotations

from pathlib import Path

import click

from engine import people, unit_import, units

from .cli import _app, main
from .cli_users import _run
from .extensions import db


@main.group("units")
def units_group():
    """Organisation unit commands."""


@units_group.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="Closed units too.")
def units_list(include_inactive):
    """The unit tree: code, kind, name (indented under its parent), active users."""
    nodes = _run(lambda s, op: [(n.depth, n.unit.code, n.unit.kind, n.unit.name, n.users, n.unit.active)
                                for n in units.tree(s, op, include_inactive)])
    for depth, code, kind, name, count, active in nodes:
        state = "" if active else "\tclosed"
        click.echo(f"{'  ' * depth}{code}\t{kind}\t{name}\t{count} users{state}")


@units_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def units_import(file: Path):
    """Import units from FILE.csv (header code,name,kind,parent_code; UTF-8); nothing is written if a row is bad."""
    data = file.read_bytes()
    app = _app()
    with app.app_context():
        checked = unit_import.plan(db.session, data)
        if checked.problems:
            for problem in checked.problems:
                click.echo(f"{file.name}: {problem}", err=True)
            raise click.ClickException(f"{len(checked.problems)} bad row(s); nothing was imported")
        with click.progressbar(length=len(checked.rows), label="Importing units") as bar:
            made = unit_import.insert(db.session, people.operator(), checked, bar.update)
        db.session.commit()
    click.echo(f"imported {len(made)} units")
