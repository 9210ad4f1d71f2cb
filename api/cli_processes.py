"""Process commands of ``mediate``: roll a process back to an older version."""

from __future__ import annotations

import click

from engine import rollback
from engine.errors import DeploymentRejected, EngineError

from .cli import _app, _report, _upgrade, main
from .extensions import db


@main.group("processes")
def processes_group():
    """Deployed process commands."""


@processes_group.command("rollback")
@click.argument("process_id")
@click.argument("version", type=click.IntRange(min=1))
def processes_rollback(process_id, version):
    """Make a new version of PROCESS_ID equal to VERSION (running cases keep theirs; new cases start on it)."""
    app = _app()
    _upgrade(app)
    settings = app.config["MEDIATE"]
    with app.app_context():
        try:
            result = rollback.rollback(db.session, process_id, version, "cli", max_bytes=settings.max_upload_bytes,
                                       forms_dir=settings.forms_dir)
        except EngineError as err:
            db.session.rollback()
            if isinstance(err, DeploymentRejected):
                for d in err.details or []:
                    click.echo(f"{d['file']} {d['element']}: {d['message']}", err=True)
            raise click.ClickException(err.message) from None
        db.session.commit()
    click.echo(f"{process_id} v{result['version']} made equal to v{version}")
    _report(result)
