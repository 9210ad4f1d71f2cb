"""Run-time guards: what compiled code may read, call, index, iterate, write and build.

The compiler (``policy``) rewrites every attribute read into ``_getattr_``, every index into
``_getitem_``, every loop into ``_getiter_``, every item or attribute store into ``_write_``
and the operators that can build huge values into ``_op_``. Each guard allows only what is
listed here, by exact type: nothing else reachable from an expression can be touched.
"""

from __future__ import annotations

import builtins
import operator
from datetime import date, datetime, time, timedelta, timezone
from itertools import islice

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence

from . import limits
from .limits import SandboxLimit, SandboxViolation


def _names(text: str) -> frozenset:
    return frozenset(text.split())


_STR = _names("""capitalize casefold count endswith find index isalnum isalpha isdecimal isdigit
    islower isnumeric isspace istitle isupper join lower lstrip partition removeprefix removesuffix
    replace rfind rindex rpartition rsplit rstrip split splitlines startswith strip swapcase title
    upper""")
_DICT = _names("get keys values items copy setdefault pop popitem update clear")
_LIST = _names("append extend insert pop remove index count sort reverse copy clear")
_SET = _names("""add discard remove pop clear copy union intersection difference
    symmetric_difference issubset issuperset isdisjoint update""")
_NUMBER = _names("real imag conjugate bit_length numerator denominator is_integer")
_DATE = _names("year month day weekday isoweekday isoformat isocalendar replace strftime toordinal")
_TIME = _names("hour minute second microsecond tzinfo")

# Attributes by the exact type of the object read.
ATTRIBUTES: dict[type, frozenset] = {
    str: _STR, dict: _DICT, list: _LIST, tuple: frozenset({"index", "count"}),
    set: _SET, frozenset: _SET - {"add", "discard", "remove", "pop", "clear", "update"},
    int: _NUMBER, bool: _NUMBER, float: _NUMBER,
    date: _DATE,
    datetime: _DATE | _TIME | frozenset({"date", "time", "astimezone", "timestamp", "utcoffset"}),
    time: _TIME | frozenset({"isoformat", "replace"}),
    timedelta: frozenset({"days", "seconds", "microseconds", "total_seconds"}),
    timezone: frozenset({"utcoffset"}),
}
# Attributes of the few classes expressions may name.
CLASS_ATTRIBUTES: dict[type, frozenset] = {
    datetime: frozenset({"fromisoformat", "combine", "strptime", "min", "max"}),
    date: frozenset({"fromisoformat", "min", "max"}),
    timedelta: frozenset({"min", "max"}),
    timezone: frozenset({"utc"}),
}
# Every attribute name code may mention; the compiler refuses any other at deploy.
ATTRIBUTE_NAMES = frozenset().union(*ATTRIBUTES.values(), *CLASS_ATTRIBUTES.values(), {"args"})

_CONTAINERS = (dict, list, tuple, set, frozenset)
_INDEXABLE = frozenset({dict, list, tuple, str, range})
_SCALARS = (str, int, float, bool, type(None))


def weight(value, limit: int = limits.MAX_SIZE) -> int:
    """Elements and characters in a value, counted up to ``limit`` (a breach raises)."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        total += len(item) if isinstance(item, str) else 1
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _CONTAINERS):
            stack.extend(item)
        if total > limit:
            raise SandboxLimit(f"a value of more than {limit:,} elements and characters is too large here")
    return total


def _take(iterable) -> list:
    """The elements of ``iterable`` as a list, paid for from the run's step budget."""
    if type(iterable) is dict:
        iterable = iterable.keys()
    items = list(islice(iter(iterable), limits.MAX_STEPS + 1))
    limits.spend(len(items))
    return items


def _join(sep: str):
    def join(parts):
        parts = _take(parts)
        limits.check_size(sum(len(p) if isinstance(p, str) else 0 for p in parts) + len(sep) * len(parts),
                          "joined string")
        return sep.join(parts)
    return join


def _replace(text: str):
    def replace(old, new, count=-1):
        hits = text.count(old) if old else len(text) + 1
        if count >= 0:
            hits = min(hits, count)
        limits.check_size(len(text) + hits * max(0, len(new) - len(old)), "string")
        return text.replace(old, new, count)
    return replace


def _grown(target, method: str):
    bound = getattr(target, method)

    def grow(*args):
        result = bound(*args)
        limits.check_size(len(target), type(target).__name__)
        return result
    return grow


_WRAPPED = {(str, "join"): _join, (str, "replace"): _replace}
_GROWING = {(list, "append"), (list, "extend"), (list, "insert"), (set, "add"), (set, "update"),
            (dict, "update"), (dict, "setdefault")}


def guarded_getattr(obj, name: str):
    """``obj.name`` where the name is listed for the object's exact type (or its class)."""
    kind = type(obj)
    allowed = CLASS_ATTRIBUTES.get(obj) if kind is type else ATTRIBUTES.get(kind)
    if isinstance(obj, BaseException) and name == "args" and kind in _EXCEPTIONS:
        return obj.args
    if allowed is None or name not in allowed:
        shown = obj.__name__ if kind is type else kind.__name__
        raise SandboxViolation(f"attribute {name!r} of {shown} is not allowed")
    if (kind, name) in _WRAPPED:
        return _WRAPPED[kind, name](obj)
    if (kind, name) in _GROWING:
        return _grown(obj, name)
    return getattr(obj, name)


def guarded_getitem(obj, key):
    """``obj[key]`` on plain containers and strings."""
    if type(obj) not in _INDEXABLE:
        raise SandboxViolation(f"indexing a {type(obj).__name__} is not allowed")
    return obj[key]


def guarded_getiter(obj):
    """Iteration over a value, paid for element by element from the step budget."""
    return iter(_take(obj))


def guarded_write(obj):
    """Item assignment and deletion on dictionaries and lists only; attributes never."""
    if type(obj) not in (dict, list):
        raise SandboxViolation(f"changing a {type(obj).__name__} is not allowed")
    return obj


def guarded_apply(func, *args, **kwargs):
    return func(*args, **kwargs)


def _repeat(seq, times):
    if not isinstance(times, int) or times <= 1:
        return seq * times
    if isinstance(seq, list | tuple) and any(isinstance(e, _CONTAINERS) for e in seq):
        raise SandboxViolation("repeating a sequence of containers is not allowed; build it element by element")
    unit = sum(len(e) if isinstance(e, str) else 1 for e in seq) if isinstance(seq, list | tuple) else len(seq)
    limits.check_size(unit * times, "repeated sequence")
    return seq * times


def _mul(a, b):
    if isinstance(a, str | list | tuple | bytes):
        return _repeat(a, b)
    if isinstance(b, str | list | tuple | bytes):
        return _repeat(b, a)
    if isinstance(a, int) and isinstance(b, int):
        limits.check_int_bits(a.bit_length() + b.bit_length())
    return a * b


def _pow(a, b):
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        limits.check_int_bits(b * a.bit_length())
    return a ** b


def _lshift(a, b):
    if isinstance(a, int) and isinstance(b, int) and a:
        limits.check_int_bits(a.bit_length() + b)
    return a << b


def _mod(a, b):
    if isinstance(a, str | bytes):
        raise SandboxViolation("%-formatting of strings is not allowed; use an f-string")
    return a % b


def _add(a, b):
    result = a + b
    if isinstance(result, str | list | tuple | bytes):
        limits.check_size(len(result), type(result).__name__)
    return result


_OPERATORS = {"*": _mul, "**": _pow, "<<": _lshift, "%": _mod, "+": _add}
_INPLACE = {"-=": operator.sub, "/=": operator.truediv, "//=": operator.floordiv, ">>=": operator.rshift,
            "&=": operator.and_, "|=": operator.or_, "^=": operator.xor, "@=": operator.matmul}


def guarded_op(symbol: str, a, b):
    """The binary operators that can build huge values, with their size checked first."""
    return _OPERATORS[symbol](a, b)


def guarded_inplace(symbol: str, a, b):
    """``a op= b`` as ``a = a op b``, through the same checks."""
    if symbol[:-1] in _OPERATORS:
        return _OPERATORS[symbol[:-1]](a, b)
    return _INPLACE[symbol](a, b)


def guarded_format(value):
    """A value placed in an f-string, refused if its text would be too large."""
    if isinstance(value, _CONTAINERS):
        weight(value)
    return value


def _unpack(it, spec, _getiter_=guarded_getiter):
    return guarded_unpack_sequence(it, spec, guarded_getiter)


def _iter_unpack(it, spec, _getiter_=guarded_getiter):
    return guarded_iter_unpack_sequence(it, spec, guarded_getiter)


def _walkable(value) -> bool:
    return not isinstance(value, _SCALARS) and not callable(value) and hasattr(type(value), "__iter__")


def _counting(func):
    """A built-in whose iterable arguments are paid for from the step budget first."""
    def wrapped(*args, **kwargs):
        return func(*(_take(a) if _walkable(a) else a for a in args), **kwargs)
    wrapped.__name__ = func.__name__
    return wrapped


def _min_max(func):
    def wrapped(*args, **kwargs):
        return func(_take(args[0]), **kwargs) if len(args) == 1 else func(*args, **kwargs)
    wrapped.__name__ = func.__name__
    return wrapped


def _range(*args):
    result = range(*args)
    limits.check_size(len(result), "range")
    return result


def _str(value=""):
    return str(guarded_format(value))


def _dict(*args, **kwargs):
    if args and type(args[0]) is dict:  # a copy: its items, not its keys
        limits.spend(len(args[0]))
        return dict(args[0], **kwargs)
    return dict(*(_take(a) for a in args), **kwargs)


_EXCEPTIONS = (ValueError, KeyError, Exception)
SAFE_BUILTINS = {
    **{name: getattr(builtins, name) for name in ("abs", "bool", "float", "int", "len", "round")},
    **{f.__name__: _counting(f) for f in (all, any, enumerate, filter, list, map, reversed, set,
                                          sorted, sum, tuple, zip)},
    "dict": _dict, "min": _min_max(min), "max": _min_max(max), "range": _range, "str": _str,
    "True": True, "False": False, "None": None,
    "ValueError": ValueError, "KeyError": KeyError, "Exception": Exception,
}
# The wrapped constructors stand for their types in ``isinstance``.
_TYPE_OF = {SAFE_BUILTINS[t.__name__]: t for t in (dict, list, set, tuple, str)}


def _isinstance(value, kinds) -> bool:
    kinds = tuple(kinds) if isinstance(kinds, tuple) else (kinds,)
    return isinstance(value, tuple(_TYPE_OF.get(k, k) for k in kinds))


SAFE_BUILTINS["isinstance"] = _isinstance

GUARDS = {
    "__builtins__": SAFE_BUILTINS,
    "_getattr_": guarded_getattr, "_getitem_": guarded_getitem, "_getiter_": guarded_getiter,
    "_write_": guarded_write, "_apply_": guarded_apply, "_op_": guarded_op, "_inplacevar_": guarded_inplace,
    "_fmt_": guarded_format, "_unpack_sequence_": _unpack, "_iter_unpack_sequence_": _iter_unpack,
}
