"""The staff pages: server-rendered Jinja with htmx, beside the JSON API; both call ``engine/``.

``init_app`` binds the page extensions (sign-in session, CSRF, languages) and the ``pages``
blueprint. Routes are thin: read the request, call one engine function, render a template.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request
from flask_babel import get_locale

from engine import durations

from . import errors, i18n, session, views
from .extensions import babel, csrf, login_manager
from .routes import pages

__all__ = ["csrf", "init_app", "session"]


def init_app(app: Flask) -> None:
    """Register the pages on ``app``; call after the JSON API's blueprint is exempted from CSRF."""
    settings = app.config["MEDIATE"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        # A page session lasts as long as an API token, unless the user's session version moves on.
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.token_hours),
        # The token lives with the session: a form left open for an afternoon still submits.
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT,
        BABEL_DEFAULT_TIMEZONE=i18n.TIMEZONE,
        BABEL_TRANSLATION_DIRECTORIES=str(i18n.TRANSLATIONS),
    )
    i18n.compile_catalogs()
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=i18n.locale)
    app.register_blueprint(pages)
    errors.register(app)
    app.jinja_env.filters.update(role=lambda v: views.label(views.ROLES, v),
                                 tier=lambda v: views.label(views.TIERS, v),
                                 task_state=lambda v: views.label(views.STATES, v),
                                 case_status=lambda v: views.label(views.CASE_STATUSES, v),
                                 order_state=lambda v: views.label(views.ORDER_STATES, v),
                                 supervision_state=lambda v: views.label(views.SUPERVISION_STATES, v),
                                 place_kind=lambda v: views.label(views.PLACE_KINDS, v),
                                 unit_kind=lambda v: views.label(views.UNIT_KINDS, v),
                                 mediation_type=lambda v: views.label(views.MEDIATION_TYPES, v),
                                 event=lambda v: views.label(views.EVENTS, v),
                                 migration_status=lambda v: views.label(views.MIGRATION_STATUSES, v),
                                 migration_reason=lambda v: views.label(views.MIGRATION_REASONS, v),
                                 sim_figure=lambda v: views.label(views.SIMULATION_FIGURES, v),
                                 bilingual=views.bilingual, task_name=views.task_name, choice=views.choice)
    app.jinja_env.globals["duration_words"] = durations.describe
    app.context_processor(_page_globals)


def _page_globals() -> dict:
    current = str(get_locale()) if request else i18n.DEFAULT
    return {"languages": i18n.LANGUAGES, "locale": current, "row_labels": views.row_labels,
            "html_lang": i18n.LANGUAGES.get(current, i18n.LANGUAGES[i18n.DEFAULT])[0]}
