"""Page routes: each reads the request, calls one engine function and renders a template."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, request

from engine import json_input
from engine.errors import BadRequest

HERE = Path(__file__).resolve().parent.parent
pages = Blueprint("pages", __name__, template_folder=str(HERE / "templates"),
                  static_folder=str(HERE / "static"), static_url_path="/static")


def local_target(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (never another host: no open redirect), else ``default``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


def checked_args() -> dict[str, str]:
    """The query string, refused (400) if a name or value is text the database cannot store."""
    args = request.args.to_dict()
    for name, value in args.items():
        if why := json_input.text_problem(name) or json_input.text_problem(value):
            field = json_input.path_name([name])
            raise BadRequest(f"{field}: {why}", fields={field: why})
    return args


def form_values(*names: str, limit: int = 200) -> dict[str, str]:
    """Posted text fields, stripped and cut to ``limit``; 400 naming the field for text the database cannot store."""
    values = {}
    for name in names:
        value = request.form.get(name, "")
        if why := json_input.text_problem(value):
            raise BadRequest(f"{name}: {why}", fields={name: why})
        values[name] = value.strip()[:limit]
    return values


from . import (  # noqa: E402,F401  (routes register on pages)
    admin_people,
    admin_pool,
    admin_units,
    analysis,
    analysis_weekly,
    assets,
    auth,
    cases,
    dashboard,
    designer,
    inbox,
    migrations,
    modeler,
    pickers,
    public,
    risks,
    rules,
    tasks,
)
