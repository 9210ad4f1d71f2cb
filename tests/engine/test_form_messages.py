"""Validation messages are written for staff: Chinese and English, from the field's title, never raw
jsonschema or regular-expression text."""

import json
from pathlib import Path

import pytest

from engine import form_messages
from engine.task_forms import compile_form

FORMS = Path(__file__).resolve().parents[2] / "forms"

FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["channel", "summary"],
    "additionalProperties": False,
    "properties": {
        "channel": {"type": "string", "title": "受理渠道 Intake channel", "oneOf": [
            {"const": "窗口", "title": "窗口来访 Walk-in window"},
            {"const": "网格巡查", "title": "网格巡查 Grid patrol"}]},
        "dispute_type": {"type": "string", "title": "争议类型 Dispute type", "enum": ["婚姻家庭", "邻里纠纷"]},
        "summary": {"type": "string", "title": "纠纷概要 Summary", "minLength": 5, "maxLength": 10},
        "amount": {"type": "number", "title": "涉及金额(元) Amount involved (yuan)", "minimum": 0, "maximum": 100},
        "sessions": {"type": "integer", "title": "调解次数 Sessions"},
        "signed_off": {"type": "boolean", "const": True, "title": "同意结案 Sign off"},
        "occurred_on": {"type": "string", "format": "date", "title": "发生日期 Date occurred",
                        "pattern": r"^\d{4}-\d{2}-\d{2}$",
                        "x-pattern-message": "请按“年-月-日”填写日期 Enter a date as year-month-day"},
        "code": {"type": "string", "title": "代码 Code", "pattern": "^[0-9]+$"},
        "flags": {"type": "array", "title": "风险标记 Risk flags", "uniqueItems": True, "minItems": 1, "maxItems": 2,
                  "items": {"type": "string", "enum": ["群体性", "极端"]}},
        "parties": {"type": "array", "title": "当事人 Parties", "items": {
            "type": "object", "required": ["phone"], "properties": {
                "phone": {"type": "string", "title": "联系电话 Phone", "pattern": "^1[3-9][0-9]{9}$",
                          "x-pattern-message": "请填写11位手机号 Enter an 11-digit mobile number"}}}},
        "court": {"type": ["string", "null"], "title": "确认法院 Court"},
        "confirm": {"type": "boolean", "title": "申请司法确认 Request judicial confirmation"},
    },
    "if": {"required": ["confirm"], "properties": {"confirm": {"const": True}}},
    "then": {"required": ["court"], "properties": {"court": {"minLength": 2}}},
}
VALID = {"channel": "窗口", "summary": "邻居排水沟堵塞"}


def _messages(**data):
    form = compile_form(FORM)
    return form_messages.explain(form.validator.iter_errors({**VALID, **data}), FORM)


def _without(*keys):
    form = compile_form(FORM)
    data = {k: v for k, v in VALID.items() if k not in keys}
    return form_messages.explain(form.validator.iter_errors(data), FORM)


def test_valid_data_has_no_messages():
    assert _messages() == {}


def test_required_names_the_field_by_its_title():
    assert _without("summary") == {"summary": "请填写纠纷概要 Summary is required"}


def test_required_inside_an_array_item_and_in_a_condition():
    assert _messages(parties=[{}], confirm=True) == {"parties.0.phone": "请填写联系电话 Phone is required",
                                                      "court": "请填写确认法院 Court is required"}


def test_one_of_lists_the_titles_of_the_options():
    assert _messages(channel="电话") == {"channel": "只能选择:窗口来访、网格巡查 Choose one of: Walk-in window, Grid patrol"}


def test_enum_lists_the_values_also_inside_arrays():
    assert _messages(dispute_type="打架") == {"dispute_type": "只能选择:婚姻家庭、邻里纠纷 Choose one of: 婚姻家庭, 邻里纠纷"}
    assert _messages(flags=["闹事"]) == {"flags.0": "只能选择:群体性、极端 Choose one of: 群体性, 极端"}


def test_const_true_asks_for_confirmation():
    assert _messages(signed_off=False) == {"signed_off": "请确认同意结案 Sign off must be confirmed"}


def test_type_names_the_expected_kind_of_value():
    assert _messages(sessions="两次") == {"sessions": "调解次数应为整数 Sessions must be a whole number"}
    assert _messages(court=3) == {"court": "确认法院应为文字或留空 Court must be text or empty"}


def test_lengths():
    assert _messages(summary="短") == {"summary": "纠纷概要至少5个字 Summary needs at least 5 characters"}
    assert _messages(summary="") == {"summary": "请填写纠纷概要 Summary is required"}
    assert _messages(summary="很长" * 6) == {"summary": "纠纷概要最多10个字 Summary allows at most 10 characters"}
    assert _messages(confirm=True, court="法") == {"court": "确认法院至少2个字 Court needs at least 2 characters"}


def test_minimum_and_maximum():
    assert _messages(amount=-1) == {"amount": "涉及金额(元)不能小于0 Amount involved (yuan) must be at least 0"}
    assert _messages(amount=101) == {"amount": "涉及金额(元)不能大于100 Amount involved (yuan) must be at most 100"}


def test_pattern_is_described_not_shown():
    assert _messages(parties=[{"phone": "12"}]) == {"parties.0.phone": "请填写11位手机号 Enter an 11-digit mobile number"}
    assert _messages(code="A1") == {"code": "代码格式不正确 Code is not in the expected format"}


def test_format_date_is_checked():
    assert _messages(occurred_on="2031-02-30") == {
        "occurred_on": "发生日期应为日期,如 2031-03-03 Date occurred must be a date such as 2031-03-03"}
    assert _messages(occurred_on="3/3/2031") == {
        "occurred_on": "发生日期应为日期,如 2031-03-03 Date occurred must be a date such as 2031-03-03"}


def test_item_counts_and_duplicates():
    assert _messages(flags=[]) == {"flags": "风险标记至少1项 Risk flags needs at least 1 items"}
    assert _messages(flags=["群体性", "极端", "群体性"])["flags"] in (
        "风险标记最多2项 Risk flags allows at most 2 items", "风险标记有重复的选项 Risk flags has the same choice twice")
    assert _messages(flags=["极端", "极端"]) == {"flags": "风险标记有重复的选项 Risk flags has the same choice twice"}


def test_unknown_fields_are_named_themselves():
    assert _messages(colour="red", size=2) == {"colour": "表单中没有这一项 This field is not part of the form",
                                                "size": "表单中没有这一项 This field is not part of the form"}


@pytest.mark.parametrize("title, parts", [
    ("联系电话 Phone", ("联系电话", "Phone")),
    ("涉及金额(元) Amount involved (yuan)", ("涉及金额(元)", "Amount involved (yuan)")),
    ("12345热线 12345 hotline", ("12345热线", "12345 hotline")),
    ("受理 登记 Register", ("受理 登记", "Register")),
    ("电话", ("电话", "电话")),
    (None, ("", "")),
])
def test_titles_split_into_chinese_and_english(title, parts):
    assert form_messages.split_title(title) == parts


RAW = ("is a required property", "is not valid under", "does not match", "is not one of", "is too", "^", "\\d",
       "Additional properties", "is not of type", "should be")


def _wrong(schema: dict):
    """A value of the wrong kind for each declared field, and one unknown field."""
    wrong = {"string": 12, "integer": "x", "number": "x", "boolean": "x", "array": "x", "object": "x"}
    data = {}
    for key, sub in (schema.get("properties") or {}).items():
        declared = sub.get("type", "string")
        data[key] = wrong[declared[0] if isinstance(declared, list) else declared]
    return {**data, "not_a_field": 1}


@pytest.mark.parametrize("name", sorted(p.relative_to(FORMS).as_posix() for p in FORMS.rglob("*.schema.json")))
def test_no_library_form_shows_raw_validator_text(name):
    schema = json.loads((FORMS / name).read_text(encoding="utf-8"))
    form = compile_form(schema)
    for data in ({}, _wrong(schema)):
        messages = form_messages.explain(form.validator.iter_errors(data), schema)
        assert messages
        for path, message in messages.items():
            assert not any(raw in message for raw in RAW), f"{name} {path}: {message}"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in message), f"{name} {path}: no Chinese in {message!r}"


@pytest.mark.parametrize("name", sorted(p.relative_to(FORMS).as_posix() for p in FORMS.rglob("*.schema.json")))
def test_every_pattern_in_the_library_is_described(name):
    def patterns(node):
        if isinstance(node, dict):
            if "pattern" in node:
                yield node
            for value in node.values():
                yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)
    for node in patterns(json.loads((FORMS / name).read_text(encoding="utf-8"))):
        assert form_messages.PATTERN_MESSAGE in node, f"{name}: pattern {node['pattern']!r} needs a message"
