"""WSGI entry point for production servers: ``gunicorn 'api.wsgi:app'``."""

import gc

from . import create_app, scheduler

app = create_app()
# Runs the timer sweep in this process unless MEDIATE_SCHEDULER=off (scale-out: run `mediate worker`).
scheduler.start(app)
# What start-up built (~100k objects: modules, mappers, specs) lives as long as the worker. Moved out
# of the collector's reach, a full collection takes ~1 ms instead of stopping a request for ~50 ms.
gc.freeze()
# Restoring, stepping and serialising a workflow allocates tens of thousands of short-lived objects
# per request; with the default thresholds (700, 10, 10) the collector runs dozens of times per
# completion. Measured on 2 cores: about 5% more completions per second and a lower p99.
gc.set_threshold(20_000, 50, 100)
