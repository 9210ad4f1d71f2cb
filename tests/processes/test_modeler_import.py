"""Every diagram and table opens in the modelers without a warning (same parsers as bpmn-js/dmn-js)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tests" / "js" / "check_diagrams.mjs"


def _run(files):
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed for the modeler checks")
    if not (ROOT / "node_modules" / "bpmn-moddle").is_dir():
        pytest.fail("run `npm install` (make test does) to get bpmn-moddle and dmn-moddle")
    return subprocess.run([node, str(CHECK), *map(str, files)], capture_output=True, text=True, timeout=120)


def test_library_opens_without_warnings():
    files = sorted((ROOT / "processes").glob("*.bpmn")) + sorted((ROOT / "processes").glob("*.dmn"))
    result = _run(files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(files)} files, 0 problems" in result.stdout


def test_the_check_catches_a_broken_reference(tmp_path):
    broken = tmp_path / "broken.bpmn"
    xml = (ROOT / "tests" / "fixtures" / "simple.bpmn").read_text(encoding="utf-8")
    broken.write_text(xml.replace('bpmnElement="f1"', 'bpmnElement="nowhere"'), encoding="utf-8")
    result = _run([broken])
    assert result.returncode == 1 and "unresolved reference <nowhere>" in result.stdout
