"""The ``mediate`` command: serve, demo, deploy, db upgrade."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask_migrate import upgrade as alembic_upgrade

from engine import demo as demo_data
from engine import deploy as deployer
from engine.config import ConfigError, load_settings

from . import create_app
from .extensions import db


def _app():
    try:
        return create_app(load_settings())
    except ConfigError as err:
        raise click.ClickException(f"configuration: {err}") from None


def _upgrade(app) -> None:
    with app.app_context():
        alembic_upgrade()


def _deploy_paths(app, paths: list[Path], actor: str, *, keep_newer: bool = False) -> dict:
    settings = app.config["MEDIATE"]
    files: list[deployer.SourceFile] = []
    for path in paths:
        if path.is_dir():
            files += deployer.read_directories(path)
        else:
            files.append(deployer.SourceFile(path.name, path.read_bytes()))
    with app.app_context():
        result = deployer.deploy(db.session, files, actor, max_bytes=settings.max_upload_bytes,
                                 forms_dir=settings.forms_dir, keep_newer=keep_newer)
        db.session.commit()
    return result


def deploy_defaults(app) -> dict:
    """Deploy ``processes/`` (forms come from ``forms/``); unchanged files make no new version, and a file
    the server has since replaced (a table changed on ``/admin/rules``) is not deployed back over it."""
    settings = app.config["MEDIATE"]
    if not any(p.suffix in (".bpmn", ".dmn") for p in settings.processes_dir.iterdir()):
        return {"deployment": None, "versions": []}
    return _deploy_paths(app, [settings.processes_dir], "system", keep_newer=True)


def _report(result: dict) -> None:
    for v in result["versions"]:
        state = "new" if v["created"] else "unchanged"
        click.echo(f"  {v['process_id']} v{v['version']} ({state})")


@click.group()
def main():
    """Mediate: dispute mediation as BPMN, DMN and forms."""


@main.group()
def db_group():
    """Database schema commands."""


main.add_command(db_group, name="db")


@db_group.command("upgrade")
def db_upgrade():
    """Create or upgrade the database schema (keeps existing cases)."""
    _upgrade(_app())
    click.echo("database is up to date")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def deploy(paths):
    """Deploy BPMN/DMN files or folders; forms are looked up in MEDIATE_FORMS_DIR."""
    from engine.errors import DeploymentRejected
    app = _app()
    _upgrade(app)
    try:
        result = _deploy_paths(app, list(paths), "cli")
    except DeploymentRejected as err:
        for d in err.details or []:
            click.echo(f"{d['file']} {d['element']}: {d['message']}", err=True)
        raise click.ClickException(err.message) from None
    _report(result)


@main.command()
def demo():
    """Load the demo county, its units and users (password demo-pass)."""
    app = _app()
    _upgrade(app)
    deploy_defaults(app)
    with app.app_context():
        created = demo_data.load(db.session)
        db.session.commit()
    click.echo("demo data loaded" if created else "demo data already present")
    click.echo(f"users ({demo_data.DEMO_PASSWORD}): " + ", ".join(u[0] for u in demo_data.USERS))


@main.command()
def doctor():
    """Check the organisation: every task a deployed process can create has someone to take it."""
    from engine import doctor as checker
    app = _app()
    _upgrade(app)
    with app.app_context():
        report = checker.check(db.session)
    for task in report.tasks:
        head = f"{task.process_id} v{task.version} {task.task} {task.name} ({task.role} at {task.unit_rule})"
        if task.assignee:
            head += f", named by {task.assignee}"
        click.echo(("ok   " if task.gaps == 0 else "GAP  ") + head)
        for kind in task.kinds:
            if kind.uncovered:
                shown = ", ".join(kind.uncovered[:10]) + (" …" if len(kind.uncovered) > 10 else "")
                click.echo(f"       {len(kind.uncovered)} of {kind.units} {kind.kind} unit(s) have nobody: {shown}")
    if not report.tasks:
        click.echo("no process is deployed")
    if not report.ok:
        raise click.ClickException(f"{sum(t.gaps for t in report.tasks)} task placement(s) have nobody to take them")
    click.echo(f"every task of {len({t.process_id for t in report.tasks})} process(es) has someone at every unit")


@main.command("party-index")
def party_index():
    """Compute every case's party-name search digests and its risk digests (ID numbers, phones, addresses)
    again: after changing MEDIATE_SECRET_KEY."""
    from engine import party_index as index
    from engine import party_keys
    app = _app()
    _upgrade(app)
    with app.app_context():
        named = index.rebuild(db.session)
        keyed = party_keys.rebuild(db.session)
        db.session.commit()
    click.echo(f"party names indexed for {named} case(s); ID number, phone and address digests for {keyed} case(s)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host, port):
    """Upgrade the database, deploy processes/, start the scheduler and serve the web app."""
    from werkzeug.serving import run_simple
    app = _app()
    _upgrade(app)
    _report(deploy_defaults(app))
    from . import scheduler
    if scheduler.start(app):
        click.echo("scheduler: sweeping timers in this process (MEDIATE_SCHEDULER=off to leave it to `mediate worker`)")
    click.echo(f"Mediate on http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False)


from . import cli_analysis, cli_cases, cli_processes, cli_simulate, cli_time, cli_units, cli_users  # noqa: E402,F401,E501  (register analysis, cases, processes, simulate, worker, tick, timers, users and units)

if __name__ == "__main__":
    sys.exit(main())
