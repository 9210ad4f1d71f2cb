"""Every form field that holds a person's name, ID number, phone or address is marked ``x-personal``."""

import json
import re

import pytest

from engine import privacy

from .conftest import FORMS

FORM_FILES = sorted(p.relative_to(FORMS).as_posix() for p in FORMS.rglob("*.schema.json"))
LOOKS_PERSONAL = re.compile(r"(^|_)(name|id_?number|id_?card|identity|phone|mobile|tel|telephone|address)$")
# The kind a field's name calls for.
KIND_OF = [(re.compile(r"(id_?number|id_?card|identity)$"), "id_number"), (re.compile(r"(phone|mobile|tel)$"), "phone"),
           (re.compile(r"name$"), "name"), (re.compile(r"address$"), "address")]
# Fields whose name looks personal but that name no party, each with the reason.
NOT_PERSONAL = {
    ("leader_ownership/file_plan.schema.json", "special_team.*.name"): "officials named to the team, acting in office",
}


def _fields(node, path=()):
    """``(dotted path, field schema)`` of every declared property, through arrays of objects."""
    for key, sub in (node.get("properties") or {}).items():
        yield ".".join((*path, key)), sub
        yield from _fields(sub, (*path, key))
    if isinstance(node.get("items"), dict):
        yield from _fields(node["items"], (*path, "*"))


def _form(name):
    return json.loads((FORMS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", FORM_FILES)
def test_personal_looking_fields_carry_their_mark(name):
    for path, field in _fields(_form(name)):
        key = path.rsplit(".", 1)[-1]
        if not LOOKS_PERSONAL.search(key) or (name, path) in NOT_PERSONAL:
            continue
        expected = next(kind for pattern, kind in KIND_OF if pattern.search(key))
        assert field.get("x-personal") == expected, f"{name}: {path} needs \"x-personal\": \"{expected}\""
    assert privacy.schema_problems(_form(name)) == []


def test_exceptions_name_fields_that_exist():
    declared = {(name, path) for name in FORM_FILES for path, _ in _fields(_form(name))}
    assert set(NOT_PERSONAL) <= declared


def test_registration_marks_the_parties():
    assert privacy.schema_paths(_form("dispute_case/register.schema.json")) == {
        ("parties", "*", "name"): "name", ("parties", "*", "id_number"): "id_number",
        ("parties", "*", "phone"): "phone", ("parties", "*", "address"): "address", ("address",): "address",
        ("contact_phone",): "phone"}
