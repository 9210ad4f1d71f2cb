"""WSGI entry point for production servers: ``gunicorn 'api.wsgi:app'``."""

from . import create_app, scheduler

app = create_app()
# Runs the timer sweep in this process unless MEDIATE_SCHEDULER=off (scale-out: run `mediate worker`).
scheduler.start(app)
