"""Time commands of ``mediate``: worker, tick, timers."""

from .cli import main  # noqa: F401
