"""The modeler's moddle package for the spiffworkflow extensions: every diagram of the library, opened
and saved the way the web modeler does, reads the same to the engine (no element or property lost)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from engine import bpmn_diff
from engine.config import ROOT

SCRIPT = ROOT / "tests" / "js" / "roundtrip_modeler.mjs"
LIBRARY = sorted((ROOT / "processes").glob("*.bpmn"))


def test_the_library_round_trips_through_the_modelers_descriptor(tmp_path):
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "bpmn-moddle").is_dir():
        pytest.fail("Node.js and `npm install` (make test does it) are needed for the modeler checks")
    result = subprocess.run([node, str(SCRIPT), str(tmp_path), *map(str, LIBRARY)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for original in LIBRARY:
        saved = (tmp_path / original.name).read_text(encoding="utf-8")
        assert "spiffworkflow:" in saved
        assert bpmn_diff.diff(original.read_text(encoding="utf-8"), saved) == {"added": [], "removed": [], "changed": []}
