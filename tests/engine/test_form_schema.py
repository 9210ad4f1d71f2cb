"""Problems of a form a designer edits, each with the JSON path of its place in the schema."""

from __future__ import annotations

import json

import pytest

from engine import form_schema
from engine.config import ROOT

FORMS = sorted((ROOT / "forms").glob("*/*.schema.json"))


def _problems(schema) -> dict[str, str]:
    text = schema if isinstance(schema, str) else json.dumps(schema, ensure_ascii=False)
    return {p.path: p.message for p in form_schema.problems(text)[1]}


def _form(**properties) -> dict:
    return {"type": "object", "title": "登记 Register", "properties": properties}


@pytest.mark.parametrize("path", FORMS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_library_form_has_no_problem_and_no_note(path):
    text = path.read_text("utf-8")
    schema, problems = form_schema.problems(text)
    assert problems == [] and schema == json.loads(text)
    assert form_schema.notes(schema) == []


def test_text_that_is_not_json_names_the_line_and_column():
    schema, problems = form_schema.problems('{\n  "type": "object",\n  "title": nope\n}')
    assert schema is None
    assert [(p.path, p.message) for p in problems] == [
        ("$", "not valid JSON at line 3, column 12: Expecting value")]
    assert _problems("[1, 2]") == {"$": "a form must be a JSON object (a JSON Schema)"}
    assert _problems('{"type": "object", "title": NaN}')["$"].startswith("title: must be a finite number")


def test_a_schema_the_metaschema_refuses_is_named_at_its_place():
    problems = _problems(_form(amount={"type": "money", "title": "金额 Amount"}, when={"minLength": -1}))
    assert set(problems) == {"$.properties.amount.type", "$.properties.when.minLength"}
    assert all(m.startswith("not valid JSON Schema: ") for m in problems.values())


def test_keywords_and_formats_the_pages_do_not_draw_are_problems():
    problems = _problems(_form(mail={"type": "string", "title": "邮箱 Mail", "format": "email"},
                               parties={"type": "array", "title": "当事人 Parties",
                                        "items": {"type": "object", "patternProperties": {"^x": {}},
                                                  "properties": {"age": {"type": "integer", "title": "年龄 Age",
                                                                         "multipleOf": 2}}}}))
    assert problems == {
        "$.properties.mail.format": "the task pages do not draw format 'email' (known: date)",
        "$.properties.parties.items.patternProperties": "the task pages do not draw the keyword 'patternProperties'",
        "$.properties.parties.items.properties.age.multipleOf": "the task pages do not draw the keyword 'multipleOf'",
    }
    # The lint over the library reads the same table.
    assert form_schema.unsupported(_form(mail={"format": "email"})) == ["mail: format email"]


def test_true_or_false_where_a_field_is_drawn_is_a_problem():
    problems = _problems(_form(a=True, b={"type": "array", "title": "乙 B", "items": False},
                               c={"title": "丙 C", "oneOf": [True]}))
    assert set(problems) == {"$.properties.a", "$.properties.b.items", "$.properties.c.oneOf[0]"}
    assert _problems(_form(tags={"type": ["array", "null"], "title": "标签 Tags"})) == {
        "$.properties.tags.items": 'a list field needs "items" to say what each entry is'}


def test_reference_and_personal_annotations_are_checked_where_they_sit():
    problems = _problems(_form(
        unit={"type": "string", "title": "单位 Unit", "x-ref": {"kind": "unit", "filter": {"kind": "planet"}}},
        mediator={"type": "string", "title": "调解员 Mediator", "x-ref": {"kind": "mediator"}},
        who={"type": "string", "title": "人员 Who", "x-ref": {"kind": "robot"}},
        phone={"type": "string", "title": "电话 Phone", "x-personal": "dog"}))
    assert problems == {
        '$.properties.unit["x-ref"]': "x-ref filter 'kind' does not accept 'planet'",
        '$.properties.mediator["x-ref"]': "x-ref of kind 'mediator' names rows by a integer, but the field's type is 'string'",
        '$.properties.who["x-ref"]': problems['$.properties.who["x-ref"]'],
        '$.properties.phone["x-personal"]': "x-personal must be one of id_number, phone, name, address, not 'dog'",
    }
    assert problems['$.properties.who["x-ref"]'].startswith("x-ref must be {\"kind\": one of unit, mediator, user")


def test_a_form_is_an_object_with_fields_none_of_them_reserved():
    assert _problems({"type": "string"}) == {"$.type": 'a form is an object: its type must be "object"',
                                             "$.properties": 'a form needs at least one field under "properties"'}
    assert _problems(_form(now={"type": "string", "title": "现在 Now"})) == {
        "$.properties.now": "the field name 'now' is reserved: tasks may not set it"}


def test_every_problem_also_reads_in_chinese():
    texts = ["{oops", "[1]", json.dumps({"type": "string"}), json.dumps(_form(a={"type": "money"})),
             json.dumps(_form(now={"type": "string", "format": "email", "multipleOf": 2, "x-personal": "dog",
                                   "x-ref": {"kind": "robot"}}, b=True, c={"type": "array"}))]
    found = [p for text in texts for p in form_schema.problems(text)[1]]
    assert len(found) >= 10 and all(p.zh and p.zh != p.message for p in found)
    assert any(p.zh == "字段名 'now' 是系统保留名称,任务不能使用" for p in found)


def test_titles_without_their_english_half_are_notes_not_problems():
    schema = _form(name={"type": "string", "title": "姓名"}, title={"type": "string", "title": "Subject only"},
                   ok={"type": "string", "title": "事由 Subject"})
    text = json.dumps(schema, ensure_ascii=False)
    assert form_schema.problems(text)[1] == []
    assert {p.path for p in form_schema.notes(schema)} == {"$.properties.name.title", "$.properties.title.title"}
