"""Moving running cases of a process to another version (designers, administrators): dry run, then move."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from api.extensions import db
from engine import json_input, version_diff
from engine.errors import BadRequest

from ..session import me
from . import checked_args, pages

MAX_MAPPED = 200


def _version(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _mapping(form) -> dict:
    """``map.<old id>`` fields with a chosen new id; left on "not mapped" they map nothing."""
    pairs = {k[4:]: v for k, v in form.items() if k.startswith("map.") and k[4:] and v}
    return dict(list(pairs.items())[:MAX_MAPPED])


@pages.get("/designer/processes/<process_id>/migrate")
@login_required
def migrate_cases(process_id: str):
    args = checked_args()
    view = version_diff.migration_page(db.session, me(), process_id[:120], _version(args.get("from")),
                                       _version(args.get("to")))
    return render_template("migrate.html", view=view, changes=view.changes, report=None)


def _checked_form():
    """The posted form, refused (400) if a name or value is text the database cannot store."""
    for name, value in request.form.items(multi=True):
        if why := json_input.text_problem(name) or json_input.text_problem(value):
            raise BadRequest(f"{json_input.path_name([name])}: {why}", fields={json_input.path_name([name]): why})
    return request.form


@pages.post("/designer/processes/<process_id>/migrate")
@login_required
def migrate_cases_run(process_id: str):
    form = _checked_form()
    action = "move" if form.get("action") == "move" else "dry_run"
    codes = form.getlist("cases")[:500] or None
    view = version_diff.migration_page(db.session, me(), process_id[:120], _version(form.get("from_version")),
                                       _version(form.get("to_version")), mapping=_mapping(form), action=action,
                                       codes=codes if action == "move" else None)
    return render_template("migrate.html", view=view, changes=view.changes, report=view.report)
