"""Who does a user task: the unit its diagram's rule places it in, and the person its data names."""

from __future__ import annotations

# Task data the engine writes itself, never a form or the caller opening a case:
# ``reported_by`` (who opened the case), ``received_at`` (when it was opened, ISO-8601 by the engine
# clock: deadlines are measured from it) and ``last_actor`` (who completed the task just finished,
# for a post-script to remember, e.g. ``leader_username = last_actor``).
ENGINE_KEYS = frozenset({"reported_by", "received_at", "last_actor"})
