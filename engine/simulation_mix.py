"""The mix of synthetic cases a what-if simulation draws: what disputes arrive and how each tier fares.

A mix is a YAML or JSON document (``engine/simulation_mix.json`` is the default, documented in
the README under ``mediate simulate``):

- ``cases_per_day``: arrivals per day (cases are spread evenly over the days they need);
- ``dispute_types``: dispute type → weight (the ``triage`` table reads the type);
- ``parties``: party count → weight (``len(parties)`` in ``triage``);
- ``amounts``: bands ``{min, max, weight}``; an amount is drawn uniformly inside a band;
- ``risk_flags``: flag → probability that a case carries it;
- ``tiers``: tier name → ``{accept, success, handling_days}``: the probability that a dispatched
  order is accepted in time, that the tier's mediation resolves the case (and, optionally,
  ``withdraw``: that the applicant withdraws during it), and the mean days the
  tier's staff take (exponentially distributed). Every tier the tables can send a case to needs an entry;
- ``answers`` (optional): form field → weights of its values, for the choices staff make that the
  tiers' behaviour does not decide (``handling_mode``, ``rating``, ``request_judicial_confirmation`` …;
  ``"true"``/``"false"`` for a yes/no field), see ``engine.simulation_staff``;
- ``task_hours`` (optional, default 4): the mean hours any other task waits for its answer.

Validation errors name the field (``tiers.town.success``), as the API does for a form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import BadRequest

DEFAULT_MIX = Path(__file__).with_name("simulation_mix.json")
TIER_KEYS = ("accept", "success", "handling_days", "withdraw")


@dataclass(frozen=True)
class TierBehaviour:
    """How the staff of one tier fare: acceptance and success probabilities, mean handling days."""

    accept: float
    success: float
    handling_days: float
    withdraw: float = 0.0


@dataclass(frozen=True)
class Mix:
    """A validated mix; weights are kept as ``(values, weights)`` pairs for ``random.choices``."""

    cases_per_day: float
    dispute_types: tuple[tuple[str, ...], tuple[float, ...]]
    parties: tuple[tuple[int, ...], tuple[float, ...]]
    amounts: tuple[tuple[tuple[float, float], ...], tuple[float, ...]]
    risk_flags: tuple[tuple[str, float], ...]
    tiers: dict[str, TierBehaviour]
    answers: dict[str, tuple[tuple, tuple[float, ...]]] = field(default_factory=dict)
    task_hours: float = 4.0


def _fail(field: str, message: str) -> BadRequest:
    return BadRequest(f"mix: {field}: {message}", fields={field: message})


def _number(value, field: str, *, low: float = 0.0, high: float | None = None, above: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(field, "must be a number")
    if value < low or (above and value == low) or (high is not None and value > high):
        bound = f"above {low:g}" if above else f"at least {low:g}"
        raise _fail(field, bound + (f" and at most {high:g}" if high is not None else ""))
    return float(value)


def _mapping(doc: dict, field: str) -> dict:
    value = doc.get(field)
    if not isinstance(value, dict) or not value:
        raise _fail(field, "must be a non-empty mapping")
    return value


def _weights(doc: dict, field: str) -> tuple[tuple, tuple]:
    entries = _mapping(doc, field)
    weights = tuple(_number(w, f"{field}.{k}") for k, w in entries.items())
    if not any(weights):
        raise _fail(field, "needs at least one weight above 0")
    return tuple(str(k) for k in entries), weights


def _parties(doc: dict) -> tuple[tuple[int, ...], tuple[float, ...]]:
    names, weights = _weights(doc, "parties")
    counts = []
    for name in names:
        if not name.isdigit() or int(name) < 1:
            raise _fail(f"parties.{name}", "a party count must be a whole number of at least 1")
        counts.append(int(name))
    return tuple(counts), weights


def _amounts(doc: dict) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    bands = doc.get("amounts")
    if not isinstance(bands, list) or not bands:
        raise _fail("amounts", "must be a non-empty list of {min, max, weight}")
    ranges, weights = [], []
    for n, band in enumerate(bands):
        if not isinstance(band, dict):
            raise _fail(f"amounts.{n}", "must be a mapping with min, max and weight")
        low = _number(band.get("min"), f"amounts.{n}.min")
        high = _number(band.get("max"), f"amounts.{n}.max", low=low)
        ranges.append((low, high))
        weights.append(_number(band.get("weight"), f"amounts.{n}.weight"))
    if not any(weights):
        raise _fail("amounts", "needs at least one weight above 0")
    return tuple(ranges), tuple(weights)


def _tiers(doc: dict) -> dict[str, TierBehaviour]:
    tiers = {}
    for name, entry in _mapping(doc, "tiers").items():
        if not isinstance(entry, dict):
            raise _fail(f"tiers.{name}", "must be a mapping with " + ", ".join(TIER_KEYS))
        unknown = sorted(set(entry) - set(TIER_KEYS))
        if unknown:
            raise _fail(f"tiers.{name}.{unknown[0]}", "unknown key (known: " + ", ".join(TIER_KEYS) + ")")
        tiers[str(name)] = TierBehaviour(
            accept=_number(entry.get("accept"), f"tiers.{name}.accept", high=1.0),
            success=_number(entry.get("success"), f"tiers.{name}.success", high=1.0),
            handling_days=_number(entry.get("handling_days"), f"tiers.{name}.handling_days", above=True),
            withdraw=_number(entry.get("withdraw", 0), f"tiers.{name}.withdraw", high=1.0))
        if tiers[str(name)].success + tiers[str(name)].withdraw > 1:
            raise _fail(f"tiers.{name}.withdraw", "success and withdraw together at most 1")
    return tiers


KEYS = ("cases_per_day", "dispute_types", "parties", "amounts", "risk_flags", "tiers", "answers", "task_hours")


def _answers(doc: dict) -> dict[str, tuple[tuple, tuple[float, ...]]]:
    found = doc.get("answers") or {}
    if not isinstance(found, dict):
        raise _fail("answers", "must be a mapping of form field to the weights of its values")
    answers = {}
    for name, weights in found.items():
        if not isinstance(weights, dict) or not weights:
            raise _fail(f"answers.{name}", "must be a non-empty mapping of value to weight")
        values = tuple(_number(w, f"answers.{name}.{k}") for k, w in weights.items())
        if not any(values):
            raise _fail(f"answers.{name}", "needs at least one weight above 0")
        answers[str(name)] = (tuple(str(k) for k in weights), values)
    return answers


def parse(doc) -> Mix:
    """Validate a mix document; ``BadRequest`` names the first field at fault."""
    if not isinstance(doc, dict):
        raise _fail("(mix)", "must be a mapping")
    unknown = sorted(set(doc) - set(KEYS))
    if unknown:
        raise _fail(unknown[0], "unknown key (known: " + ", ".join(KEYS) + ")")
    flags = doc.get("risk_flags") or {}
    if not isinstance(flags, dict):
        raise _fail("risk_flags", "must be a mapping of flag to probability")
    return Mix(
        cases_per_day=_number(doc.get("cases_per_day"), "cases_per_day", above=True),
        dispute_types=_weights(doc, "dispute_types"),
        parties=_parties(doc),
        amounts=_amounts(doc),
        risk_flags=tuple((str(k), _number(p, f"risk_flags.{k}", high=1.0)) for k, p in flags.items()),
        tiers=_tiers(doc),
        answers=_answers(doc),
        task_hours=_number(doc.get("task_hours", 4), "task_hours", above=True))


def load(path: Path | None = None) -> Mix:
    """Read and validate a mix file (YAML or JSON); the default mix when ``path`` is None."""
    path = path or DEFAULT_MIX
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise BadRequest(f"mix file {path.name}: {first}", fields={"mix": first}) from None
    return parse(doc)
