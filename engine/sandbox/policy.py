"""What code may say: RestrictedPython's compiler with Mediate's narrower rules on top.

RestrictedPython refuses names and attributes that start with ``_``, ``exec``/``eval``,
async code and ``nonlocal``, and routes attribute, index and iteration through guards. On top
of that this policy refuses imports, classes, generators, ``global``, ``with``, decorators, bare
``except:``, attributes outside the guards' allowlist, oversized programs and f-string format
specs that could build huge strings; and it routes the operators that can build huge values
through ``_op_``. The same compiled program serves deploy-time checks and run time.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from . import limits
from .guards import ATTRIBUTE_NAMES

# Built-in names that are never variables in an expression, so naming one is a mistake or an attack.
FORBIDDEN_NAMES = frozenset({
    "open", "eval", "exec", "compile", "globals", "locals", "vars", "getattr", "setattr", "delattr",
    "input", "breakpoint", "help", "memoryview", "type", "object", "exit", "quit", "classmethod",
    "staticmethod", "super", "property", "format", "iter", "next", "id", "dir", "hash", "print",
})
_GUARDED_OPS = {ast.Mult: "*", ast.Pow: "**", ast.LShift: "<<", ast.Mod: "%", ast.Add: "+"}
# Code with loops or functions can run for long: it runs in a separate, time-limited process.
_LOOPING = (ast.For, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda,
            ast.FunctionDef)
_NUMBER = re.compile(r"\d+")


class UnsafeExpression(ValueError):
    """The code uses something the sandbox does not allow; the message names the construct."""


@dataclass(frozen=True)
class Program:
    """Compiled, checked code; ``isolated`` when it loops and must run in a child process."""

    source: str
    code: CodeType
    mode: str
    isolated: bool


class Policy(RestrictingNodeTransformer):
    """RestrictedPython's transformer with the narrower rules described in the module docstring."""

    def _refuse(self, node, what: str):
        self.error(node, f"{what} are not allowed")

    def visit_ClassDef(self, node):
        self._refuse(node, "classes")

    def visit_Yield(self, node):
        self._refuse(node, "generators (yield)")

    visit_YieldFrom = visit_Yield

    def visit_Import(self, node):
        self._refuse(node, "imports")

    visit_ImportFrom = visit_Import

    def visit_Global(self, node):
        self._refuse(node, "global statements")

    def visit_With(self, node):
        self._refuse(node, "with statements")

    def visit_FunctionDef(self, node):
        if node.decorator_list:
            self._refuse(node, "decorators")
        return super().visit_FunctionDef(node)

    def visit_ExceptHandler(self, node):
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed; name the exception (except ValueError:)")
        return super().visit_ExceptHandler(node)

    def visit_Name(self, node):
        if node.id in FORBIDDEN_NAMES:
            self.error(node, f"name {node.id!r} is not allowed")
        return super().visit_Name(node)

    def visit_Attribute(self, node):
        if isinstance(node.ctx, ast.Load) and node.attr not in ATTRIBUTE_NAMES and not node.attr.startswith("_"):
            self.error(node, f"attribute {node.attr!r} is not allowed")
        if not isinstance(node.ctx, ast.Load):
            self.error(node, f"assigning or deleting attribute {node.attr!r} is not allowed")
        return super().visit_Attribute(node)

    def visit_BinOp(self, node):
        node = super().visit_BinOp(node)
        symbol = _GUARDED_OPS.get(type(node.op))
        if symbol is None:
            return node
        call = ast.Call(func=ast.Name("_op_", ast.Load()), args=[ast.Constant(symbol), node.left, node.right],
                        keywords=[])
        copy_locations(call, node)
        return call

    def visit_JoinedStr(self, node):
        parts = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        if len(parts) > limits.MAX_FORMAT_PARTS:
            self.error(node, f"an f-string may hold at most {limits.MAX_FORMAT_PARTS} values")
        for part in parts:
            self._check_format_spec(part)
        return super().visit_JoinedStr(node)

    def visit_FormattedValue(self, node):
        node = super().visit_FormattedValue(node)
        node.value = ast.Call(func=ast.Name("_fmt_", ast.Load()), args=[node.value], keywords=[])
        copy_locations(node.value, node)
        return node

    def _check_format_spec(self, part: ast.FormattedValue) -> None:
        spec = part.format_spec
        if spec is None:
            return
        if not all(isinstance(v, ast.Constant) for v in spec.values):
            self.error(part, "an f-string format spec must be written out, not computed")
            return
        text = "".join(str(v.value) for v in spec.values)
        if any(int(n) > limits.MAX_FORMAT_WIDTH for n in _NUMBER.findall(text)):
            self.error(part, f"an f-string width or precision may be at most {limits.MAX_FORMAT_WIDTH}")


def _size_problem(source: str, tree: ast.AST) -> str | None:
    if len(source) > limits.MAX_SOURCE_CHARS:
        return f"the code is longer than {limits.MAX_SOURCE_CHARS:,} characters"
    if sum(1 for _ in ast.walk(tree)) > limits.MAX_NODES:
        return f"the code has more than {limits.MAX_NODES:,} syntax elements"
    return None


@lru_cache(maxsize=8192)
def compile_program(source: str, mode: str = "eval") -> Program:
    """Check and compile; raise ``SyntaxError`` or ``UnsafeExpression`` naming the construct."""
    if not isinstance(source, str):
        raise UnsafeExpression(f"an expression must be text, not {type(source).__name__}")
    tree = ast.parse(source, "<expression>", mode)
    if problem := _size_problem(source, tree):
        raise UnsafeExpression(problem)
    isolated = any(isinstance(node, _LOOPING) for node in ast.walk(tree))
    errors: list[str] = []
    Policy(errors, [], {}).visit(tree)
    if errors:
        raise UnsafeExpression("; ".join(dict.fromkeys(_plain(e) for e in errors)))
    ast.fix_missing_locations(tree)
    return Program(source, compile(tree, "<expression>", mode), mode, isolated)


def _plain(error: str) -> str:
    """RestrictedPython's 'Line 1: <msg>' without the line prefix of one-line expressions."""
    return re.sub(r"^Line \d+: ", "", error).strip()
