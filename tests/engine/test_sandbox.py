"""The expression sandbox: every escape in the corpus is refused or stopped, with no effect."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine import expressions, spiff
from engine.sandbox import SandboxViolation, guards
from engine.sandbox.run import Bounds, configure
from tests.engine.sandbox_corpus import CORPUS

SECRET = "s3cret-database-password-and-signing-key"


def now():
    return datetime(2026, 12, 1, 9, 0)


@pytest.fixture(autouse=True)
def secrets_around(monkeypatch):
    """Secrets an escape would look for: in the environment and in a module's globals."""
    monkeypatch.setenv("MEDIATE_SECRET_KEY", SECRET)
    monkeypatch.setattr(expressions, "LEAK_PROBE", SECRET, raising=False)
    configure(Bounds(seconds=2.0, memory_mb=256))


def _attempt(mode: str, source: str, data: dict):
    environment = spiff.ScriptEngine().environment
    if mode == "eval":
        return environment.evaluate(source, data)
    environment.execute(source, data)
    return data


@pytest.mark.parametrize(("name", "mode", "source", "stopped_at"), CORPUS, ids=[c[0] for c in CORPUS])
def test_escape_is_refused_or_stopped_without_effect(tmp_path, name, mode, source, stopped_at):
    marker = tmp_path / "marker"
    source = source.replace("MARKER", str(marker))
    data = {"width": 5, "title": "调解"}
    refused = None
    try:
        expressions.check(source, mode)
    except (SyntaxError, expressions.UnsafeExpression) as err:
        refused = err
    assert (refused is not None) == (stopped_at == "deploy"), refused
    with pytest.raises(Exception) as err:  # the run-time path refuses or stops it too  # noqa: B017, PT011
        _attempt(mode, source, data)
    assert not marker.exists()
    assert SECRET not in repr(data) and SECRET not in str(err.value)


def test_the_corpus_covers_at_least_thirty_techniques():
    assert len(CORPUS) >= 30
    assert len({name for name, *_ in CORPUS}) == len(CORPUS)


def test_spiffworkflow_runs_every_expression_through_the_sandbox():
    engine = spiff.ScriptEngine()
    assert isinstance(engine.environment, spiff.SandboxEnvironment)
    with pytest.raises(expressions.UnsafeExpression):
        engine.validate("().__class__")


# -- the run-time guards on their own, as if the checker had let something through ------------

def _guards():
    return {**guards.GUARDS, "now": now}


@pytest.mark.parametrize("call", [
    "_getattr_((x for x in [1]), 'gi_frame')",
    "_getattr_('{0}', 'format')",
    "_getattr_('{x}', 'format_map')",
    "_getattr_(now, '__globals__')",
    "_getattr_(1, 'to_bytes')",
    "_getattr_({}, 'fromkeys')",
    "_getattr_(ValueError('x'), '__traceback__')",
    "_getitem_(now, 'x')",
    "_write_(now)",
    "_op_('*', 'x', 10**9)",
    "_op_('%', '%s', 1)",
    "__builtins__['range'](10**9)",
])
def test_run_time_guards_refuse_what_the_checker_would(call):
    with pytest.raises(SandboxViolation):
        eval(call, _guards())  # noqa: S307 - calls the guards directly, as compiled code does


def test_run_time_guards_allow_the_listed_methods():
    assert eval("_getattr_('Ab', 'lower')() + _getattr_(now(), 'isoformat')()", _guards()) == \
        "ab2026-12-01T09:00:00"  # noqa: S307
    assert "getattr" not in guards.SAFE_BUILTINS and "type" not in guards.SAFE_BUILTINS


@pytest.mark.parametrize(("source", "value"), [
    ("tier == 'town' and parties_count >= 3", True),
    ("f'PT{hours}H'", "PT48H"),
    ("iso_duration(days=2)", "P2D"),
    ("due_after('2031-02-01T01:00:00+00:00', 'P1M')", "2031-03-01T01:00:00+00:00"),
    ("due_after(now(), 'PT2H', '2026-12-02T00:00:00Z')", "2026-12-02T00:00:00+00:00"),
    ("due_after('2026-12-01T08:00:00', 'P1D', now())", "2026-12-02T08:00:00+00:00"),
    ("(now() + timedelta(days=1)).isoformat()", "2026-12-02T09:00:00"),
    ("[p['name'] for p in parties if p['age'] >= 18]", ["张三"]),
    ("sorted(parties, key=lambda p: p['age'])[0]['name']", "李四"),
    ("max(hours, 24) * 2 ** 3", 384),
    ("'、'.join(p['name'] for p in parties)", "张三、李四"),
    ("', '.join(sorted({'b': 1, 'a': 2}))", "a, b"),
    ("dict({'a': 1}, b=2)", {"a": 1, "b": 2}),
    ("isinstance(parties, list) and isinstance(hours, (int, float)) and not isinstance(tier, dict)", True),
])
def test_ordinary_expressions_still_work(source, value):
    data = {"tier": "town", "parties_count": 3, "hours": 48,
            "parties": [{"name": "张三", "age": 40}, {"name": "李四", "age": 12}]}
    assert expressions.evaluate(source, data, now) == value


def test_scripts_write_their_variables_back_and_drop_helpers():
    data = {"a": 1}
    expressions.execute("b = a + 1\nnames = [str(i) for i in range(3)]\ndel a", data, {"extra": 5}, now)
    assert data == {"b": 2, "names": ["0", "1", "2"]}


def test_a_looping_script_that_overruns_is_stopped_at_the_time_limit():
    configure(Bounds(seconds=0.5, memory_mb=256))
    with pytest.raises(expressions.SandboxError, match="longer than the limit of 0.5 s"):
        expressions.execute("while True:\n    pass", {}, {}, now)


def test_the_child_process_sees_no_secret_in_its_environment():
    data = {}
    # ``environ`` is not reachable from the sandbox; this only proves the child starts empty.
    expressions.execute("x = [1 for _ in range(2)]", data, {}, now)
    assert data == {"x": [1, 1]}
