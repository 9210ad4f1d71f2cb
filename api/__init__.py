"""The Flask application: ``create_app()`` binds config, database, routes and errors."""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import Flask, jsonify
from limits.errors import ConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from engine import db as engine_db
from engine import keys, party_index, party_keys, privacy, sandbox
from engine.config import ConfigError, Settings, load_settings

from . import converters, errors
from .extensions import db, limiter, migrate
from .json_provider import ReadableJSONProvider
from .paths import MIGRATIONS_DIR


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app; nothing touches the database until a request or command does."""
    settings = settings or load_settings()
    logging.basicConfig(level=settings.log_level)
    settings = replace(settings, secret_key=keys.secret_key(settings))
    engine_db.ensure_sqlite_folder(settings.database_url)
    party_index.configure(settings.secret_key)
    privacy.configure_view_window(settings.view_audit_minutes)
    sandbox.configure(sandbox.Bounds(settings.script_seconds, settings.script_memory_mb))
    party_keys.configure(settings.secret_key)
    app = Flask(__name__, static_folder=None)
    app.config.update(
        MEDIATE=settings,
        SECRET_KEY=settings.secret_key,
        RATELIMIT_STORAGE_URI=settings.login_limit_storage,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings.database_url),
        # Whole-request cap; each file is also checked against MEDIATE_MAX_UPLOAD_BYTES (400).
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 20,
        JSON_SORT_KEYS=False,
    )
    app.json = ReadableJSONProvider(app)
    if settings.trusted_proxies:
        # The client address (sign-in throttling, audit) is the one the proxies put in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    db.init_app(app)
    with app.app_context():
        engine_db.configure(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    try:
        limiter.init_app(app)
    except ConfigurationError as err:
        raise ConfigError(f"MEDIATE_LOGIN_LIMIT_STORAGE: {err}") from None
    errors.register(app)
    converters.install(app)

    from . import openapi
    from .engine_rest import engine_rest
    from .routes import v1
    app.register_blueprint(v1)
    app.register_blueprint(engine_rest)  # Camunda Modeler's deployments (kept out of the OpenAPI document)

    # The staff pages beside the API; imported here because web/ uses the extensions above.
    import web
    web.csrf.exempt(v1)  # bearer tokens, not cookies: no cross-site request can carry one
    web.csrf.exempt(engine_rest)  # Basic or bearer credentials on every request, never a cookie
    web.init_app(app)

    @app.get("/api/openapi.json")
    def openapi_document():
        return jsonify(openapi.build())

    @app.get("/healthz")
    def health():
        return jsonify({"status": "ok"})

    return app


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # Writers wait for each other instead of failing at once.
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_size": 10, "max_overflow": 10}
