"""The restricted Python that gateways, timers, DMN cells, parameters and scripts run in.

SpiffWorkflow evaluates every expression with plain ``eval``/``exec``; Mediate routes each of
them through ``engine.sandbox`` instead: an allowlist compiler (RestrictedPython plus our
rules) at deploy time and the same compiler and run-time guards when a case runs.
"""

from __future__ import annotations

from .sandbox import SandboxError, UnsafeExpression, UnstorableValue, check_storable, compile_program
from .sandbox.guards import GUARDS
from .sandbox.helpers import helpers, iso_duration
from .sandbox.run import run

__all__ = ["RESERVED_NAMES", "SandboxError", "UnsafeExpression", "UnstorableValue", "check", "evaluate",
           "execute", "helpers", "iso_duration"]

# Names task data may not use: they would shadow the helpers or the sandbox's guards.
RESERVED_NAMES = frozenset(helpers(lambda: None)) | frozenset(GUARDS)


def check(source: str, mode: str = "eval") -> None:
    """Raise ``SyntaxError`` or ``UnsafeExpression`` unless the source is allowed."""
    compile_program(source, mode)


def evaluate(source: str, names: dict, now) -> object:
    """The value of an expression over ``names`` (task data and context); ``now`` is the engine clock."""
    return run(compile_program(source, "eval"), names, helpers(now))


def execute(source: str, context: dict, external: dict, now) -> None:
    """Run a script over ``context`` (task data), writing the variables it sets back into it.

    Values the script leaves must be storable; names of ``external`` and the helpers are not kept.
    """
    names = {**external, **context}
    result = run(compile_program(source, "exec"), names, helpers(now))
    kept = {k: v for k, v in result.items() if k not in external}
    check_storable(kept, "")  # all of it: a list kept its identity but may hold a new value
    context.clear()
    context.update(kept)
