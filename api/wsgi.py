"""WSGI entry point for production servers: ``gunicorn 'api.wsgi:app'``."""

import gc

from . import create_app, scheduler

app = create_app()
# Runs the timer sweep in this process unless MEDIATE_SCHEDULER=off (scale-out: run `mediate worker`).
scheduler.start(app)
# What start-up built (~100k objects: modules, mappers, specs) lives as long as the worker. Moved out
# of the collector's reach, a full collection takes ~1 ms instead of stopping a request for ~50 ms.
gc.freeze()
