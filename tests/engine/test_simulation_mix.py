"""The mix of a what-if simulation: read from YAML or JSON, every error naming its field."""

from __future__ import annotations

import copy
import json

import pytest

from engine import simulation_mix
from engine.errors import BadRequest

DEFAULT = json.loads(simulation_mix.DEFAULT_MIX.read_text(encoding="utf-8"))


def _with(path: str, value):
    doc = copy.deepcopy(DEFAULT)
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is KeyError:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


def test_the_default_mix_is_valid():
    mix = simulation_mix.load()
    assert mix.cases_per_day == 40
    assert set(mix.tiers) == {"grid", "village", "town", "county"}
    assert mix.parties[0][0] == 2 and len(mix.amounts[0]) == 4


def test_yaml_reads_the_same_mix(tmp_path):
    path = tmp_path / "mix.yaml"
    path.write_text("cases_per_day: 10\ndispute_types: {邻里纠纷: 1}\nparties: {2: 1}\n"
                    "amounts: [{min: 0, max: 100, weight: 1}]\n"
                    "tiers:\n  grid: {accept: 1, success: 0.5, handling_days: 1}\n", encoding="utf-8")
    mix = simulation_mix.load(path)
    assert mix.dispute_types == (("邻里纠纷",), (1.0,)) and mix.parties == ((2,), (1.0,))
    assert mix.risk_flags == () and mix.tiers["grid"].success == 0.5


@pytest.mark.parametrize(("path", "value", "field"), [
    ("cases_per_day", 0, "cases_per_day"),
    ("cases_per_day", "many", "cases_per_day"),
    ("dispute_types", {}, "dispute_types"),
    ("dispute_types.邻里纠纷", -1, "dispute_types.邻里纠纷"),
    ("parties", {"two": 1}, "parties.two"),
    ("parties", {"0": 1}, "parties.0"),
    ("amounts", [], "amounts"),
    ("amounts.1", {"min": 10, "max": 5, "weight": 1}, "amounts.1.max"),
    ("amounts.0", {"min": 0, "max": 5}, "amounts.0.weight"),
    ("risk_flags.群体性", 1.5, "risk_flags.群体性"),
    ("tiers.town.success", 2, "tiers.town.success"),
    ("tiers.grid.accept", KeyError, "tiers.grid.accept"),
    ("tiers.county.handling_days", 0, "tiers.county.handling_days"),
    ("tiers.village.speed", 1, "tiers.village.speed"),
    ("answers", ["rating"], "answers"),
    ("answers.rating", {}, "answers.rating"),
    ("answers.rating.满意", "many", "answers.rating.满意"),
    ("answers.rating", {"满意": 0}, "answers.rating"),
    ("task_hours", 0, "task_hours"),
    ("colour", "red", "colour"),
])
def test_errors_name_the_field(path, value, field):
    with pytest.raises(BadRequest) as err:
        simulation_mix.parse(_with(path, value))
    assert field in err.value.fields
    assert field in err.value.message


def test_an_unreadable_file_is_a_bad_request(tmp_path):
    path = tmp_path / "mix.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(BadRequest) as err:
        simulation_mix.load(path)
    assert "mix.json" in err.value.message and "mix" in err.value.fields
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(BadRequest, match="must be a mapping"):
        simulation_mix.load(path)
