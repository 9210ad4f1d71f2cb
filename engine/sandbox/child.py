"""The child process that runs code with loops: ``python -m engine.sandbox.child``, JSON in and out."""

from __future__ import annotations

import resource
import sys

from . import values
from .helpers import helpers
from .limits import SandboxViolation
from .policy import compile_program
from .run import _run_here


def _limit(seconds: float, memory_mb: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def answer(request: dict) -> tuple[str, object]:
    """Run the request's code under the sandbox: ``("ok", value)`` or ``("error", message)``."""
    mode, now_value = request["mode"], request["now"]
    try:
        result = _run_here(compile_program(request["source"], mode), request["names"],
                           helpers(lambda: now_value))
        if mode == "exec":
            for key, value in result.items():
                values.check_storable(value, key)
        return "ok", result
    except SandboxViolation as breach:
        return "error", str(breach)
    except MemoryError:
        return "error", f"the code used more than {request['memory_mb']} MB of memory"
    except Exception as err:  # every other failure goes back to the parent as text
        return "error", f"{type(err).__name__}: {err}"


def main() -> None:
    request = values.loads(sys.stdin.buffer.read())
    _limit(request["seconds"], request["memory_mb"])
    status, result = answer(request)
    try:
        blob = values.dumps([status, result])
    except (TypeError, ValueError) as err:
        blob = values.dumps(["error", f"the code's value cannot be passed back: {err}"])
    sys.stdout.buffer.write(blob)


if __name__ == "__main__":
    main()
