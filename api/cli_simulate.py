"""``mediate simulate``: what-if before publishing rules, with the live tables beside a draft set."""

from __future__ import annotations

import os
from pathlib import Path

import click

from engine import deploy, simulation, simulation_mix, simulation_report
from engine.errors import EngineError

from .cli import _app, main
from .extensions import db


def _draft_files(directory: Path) -> list[deploy.SourceFile]:
    return [deploy.SourceFile(p.name, p.read_bytes()) for p in sorted(directory.glob("*.dmn"))]


@main.command()
@click.option("--cases", "count", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help="How many synthetic cases to draw.")
@click.option("--from", "draft_dir", required=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory of draft .dmn files; each replaces the live table of the same decision.")
@click.option("--mix", "mix_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Mix of cases and staff behaviour, YAML or JSON (default: engine/simulation_mix.json).")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same figures.")
@click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default="the CPU count",
              help="Processes playing cases side by side.")
@click.option("--county", help="Code of the county whose units and staff the cases run in (default: the first).")
def simulate(count, draft_dir, mix_file, seed, workers, county):
    """Play synthetic cases through the deployed diagrams with the live decision tables and with the draft ones;
    print the figures of both side by side.

    Nothing is written to the database.
    """
    app = _app()
    try:
        mix = simulation_mix.load(mix_file)
        files = _draft_files(draft_dir)
        with app.app_context():
            try:
                with click.progressbar(length=2 * count, label="simulating (live, then draft)") as bar:
                    comparison = simulation.what_if(db.session, files, mix, cases=count, seed=seed,
                                                    workers=workers, county=county, progress=bar.update)
            finally:
                db.session.rollback()
                db.session.remove()
    except EngineError as err:
        fields = "; ".join(f"{k}: {v}" for k, v in (err.fields or {}).items())
        raise click.ClickException(err.message + (f" ({fields})" if fields and fields not in err.message else "")) \
            from None
    click.echo(simulation_report.table(comparison))
