"""The sandbox at both ends: deploy refuses unsafe code in every kind of expression, naming file,
element and construct; and code that reaches a running case anyway is stopped there."""

from __future__ import annotations

import pytest

from engine import cases, deploy, tasks, validation
from engine.errors import DeploymentRejected
from engine.models import Incident
from engine.sandbox.run import Bounds, configure
from tests.helpers import FIXTURES, fixture_file, small_org

FRAME_WALK = "(x for x in [1]).gi_frame.f_back"


def _deploy(session, *files):
    return deploy.deploy(session, list(files), "designer", max_bytes=1_000_000, forms_dir=FIXTURES / "forms")


def _refusal(session, *files) -> dict:
    with pytest.raises(DeploymentRejected) as err:
        _deploy(session, *files)
    return {(d["file"], d["element"]): d["message"] for d in err.value.details}


def _replaced(name: str, old: bytes, new: bytes) -> deploy.SourceFile:
    content = fixture_file(name).content
    assert old in content
    return deploy.SourceFile(name, content.replace(old, new))


def test_gateway_condition(session, echo_handler):
    problems = _refusal(session, _replaced("simple.bpmn", b'outcome == "resolved"', FRAME_WALK.encode()))
    assert "attribute 'gi_frame' is not allowed" in problems[("simple.bpmn", "gw")]
    assert problems[("simple.bpmn", "gw")].startswith("condition:")


def test_service_parameter(session, echo_handler):
    problems = _refusal(session, _replaced("simple.bpmn", b'value="title"', b"value=\"'{0}'.format(now)\""))
    assert "parameter text" in problems[("simple.bpmn", "stamp")]
    assert "attribute 'format' is not allowed" in problems[("simple.bpmn", "stamp")]


@pytest.mark.parametrize("tag", [b"preScript", b"postScript"])
def test_pre_and_post_scripts(session, echo_handler, tag):
    message = _refusal(session, _with_pre_script(b"import os", tag))[("simple.bpmn", "register")]
    assert "imports are not allowed" in message


def test_timer_and_script_task(session, echo_handler):
    xml = fixture_file("timers.bpmn").content
    xml = xml.replace(b">nudge_after<", b">nudge_after.__class__<")
    xml = xml.replace(b"progress_ticks = 1", b"progress_ticks = (lambda: 1).__globals__")
    problems = _refusal(session, deploy.SourceFile("timers.bpmn", xml))
    timer_messages = [m for m in problems.values() if m.startswith("timer:")]
    assert timer_messages and "__class__" in timer_messages[0]
    assert "__globals__" in problems[("timers.bpmn", "count_progress")]


@pytest.mark.parametrize(("old", "new", "construct"), [
    (b"<text>parties_count</text>", b"<text>parties_count.__class__</text>", "__class__"),
    (b"<text>&lt; 10</text>", b"<text>&lt; len(getattr(now, 'x'))</text>", "getattr"),
    (b"<text>72</text>", b"<text>().__class__.__mro__</text>", "__mro__"),
])
def test_decision_table_cells(session, echo_handler, old, new, construct):
    problems = _refusal(session, fixture_file("rule.bpmn"), _replaced("rule.dmn", old, new))
    assert any(f == "rule.bpmn" and e == "stamp" and construct in m for (f, e), m in problems.items()), problems


# -- at run time -----------------------------------------------------------------------------

_ANSWERS = {"register": ("staff", {"title": "邻里纠纷", "parties_count": 2}),
            "mediate": ("mediator", {"outcome": "resolved"})}


def _complete_all(session, users, case) -> None:
    """Work the fixture process's tasks until the case waits on nothing or stops."""
    for _ in range(5):
        rows = cases.open_tasks(session, case)
        if not rows or case.status != "open":
            return
        who, data = _ANSWERS[rows[0].spec_id]
        tasks.complete(session, users[who], rows[0].id, data)
        session.commit()


def _with_pre_script(script: bytes, tag: bytes = b"preScript") -> deploy.SourceFile:
    content = fixture_file("simple.bpmn").content
    head, rest = content.split(b'<bpmn:userTask id="register"', 1)
    opening, rest = rest.split(b"<bpmn:extensionElements>", 1)
    return deploy.SourceFile("simple.bpmn", head + b'<bpmn:userTask id="register"' + opening +
                             b"<bpmn:extensionElements><spiffworkflow:" + tag + b">" + script +
                             b"</spiffworkflow:" + tag + b">" + rest)

def _deploy_unchecked(session, monkeypatch, *files):
    """Deploy with the deploy-time checks switched off, as if a check were missing."""
    with monkeypatch.context() as patched:
        patched.setattr(validation, "check_spec", lambda *a, **k: iter(()))
        _deploy(session, *files)
    session.commit()


def test_unchecked_frame_walk_in_a_gateway_stops_the_case_with_an_incident(session, echo_handler, monkeypatch,
                                                                            tmp_path):
    marker = tmp_path / "marker"
    payload = (f"[(x for x in [1]).gi_frame.f_back.f_globals['_'+'_builtins__']['__import__']('os')"
               f".system('touch {marker}')] == []")
    _, users = small_org(session)
    _deploy_unchecked(session, monkeypatch, _replaced("simple.bpmn", b'outcome == "resolved"', payload.encode()))
    case = cases.open_case(session, users["staff"], "simple", {})
    session.commit()
    _complete_all(session, users, case)
    incident = session.query(Incident).filter_by(case_id=case.id).one()
    assert "not allowed" in incident.message and "gi_frame" in incident.message
    assert not marker.exists()


def test_a_script_that_never_ends_becomes_an_incident_not_a_stuck_worker(session, echo_handler):
    configure(Bounds(seconds=0.5, memory_mb=256))
    _, users = small_org(session)
    _deploy(session, _with_pre_script(b"while True:\n    pass"))
    session.commit()
    case = cases.open_case(session, users["staff"], "simple", {})
    session.commit()
    assert case.status == "incident"
    incident = session.query(Incident).filter_by(case_id=case.id).one()
    assert "longer than the limit of 0.5 s" in incident.message
    configure(Bounds())


def test_a_decision_output_that_cannot_be_stored_becomes_an_incident(session, echo_handler, monkeypatch):
    _, users = small_org(session)
    _deploy(session, fixture_file("rule.bpmn"), _replaced("rule.dmn", b"<text>24</text>", b"<text>range(24)</text>"))
    session.commit()
    case = cases.open_case(session, users["staff"], "rule", {"parties_count": 2})
    session.commit()
    _complete_all(session, users, case)
    incident = session.query(Incident).filter_by(case_id=case.id).one()
    assert "cannot be stored" in incident.message
