"""The one sandbox every expression and script of a diagram or decision table runs in.

``check`` is the deploy-time refusal; ``evaluate`` and ``execute`` compile through the same
check (cached) and run under the run-time guards. See docs/security.md for the threat model.
"""

from .limits import SandboxLimit, SandboxViolation
from .policy import FORBIDDEN_NAMES, Program, UnsafeExpression, compile_program
from .run import Bounds, SandboxError, configure
from .values import UnstorableValue, check_storable

__all__ = ["FORBIDDEN_NAMES", "Bounds", "Program", "SandboxError", "SandboxLimit", "SandboxViolation",
           "UnsafeExpression", "UnstorableValue", "check_storable", "compile_program", "configure"]
