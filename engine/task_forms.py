"""Checking form data: a task's submission against its form, and the data a case opens with.

One compiled form per (process version content, form) drives both: the JSON Schema validator with
date checks, the messages for staff (``form_messages``) and the references (``references``).
"""

from __future__ import annotations

from dataclasses import dataclass

from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from . import assignment, case_codes, expressions, form_messages, references
from .errors import FormInvalid
from .models import OrgUnit, ProcessVersion, TaskItem

# Task data keys a form may not set: they would shadow the helpers expressions call or the sandbox's
# guards, or stand in for what the engine records itself (including the case's code).
RESERVED_KEYS = expressions.RESERVED_NAMES | assignment.ENGINE_KEYS | {case_codes.DATA_KEY}


@dataclass(frozen=True)
class CompiledForm:
    """A form's validator (dates checked too) and the references it declares."""

    schema: dict
    validator: Draft202012Validator
    refs: list[references.Ref]


def compile_form(schema: dict) -> CompiledForm:
    """The validator and references of one form."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return CompiledForm(schema, validator, references.declared(schema))


# Forms are frozen per process version, so a compiled form per (version content, form) never goes stale;
# keyed by content hash, a cached one also spares reading the version's forms column.
_FORMS: dict[tuple[str, str, bool], CompiledForm | None] = {}


def _compiled(version: ProcessVersion, form: str, *, partial: bool = False) -> CompiledForm | None:
    key = (version.content_hash, form, partial)
    if key not in _FORMS:
        schema = version.forms.get(form)
        _FORMS[key] = compile_form(_partial(schema) if partial else schema) if schema is not None else None
    return _FORMS[key]


def _partial(schema: dict) -> dict:
    """The form without what asks for its fields as a whole: required ones, conditions, no others."""
    return {key: value for key, value in schema.items()
            if key not in ("required", "if", "then", "else", "additionalProperties")}


def reserved_keys(data: dict, prefix: str = "") -> dict[str, str]:
    """A message per top-level key of ``data`` that would shadow a helper expressions call."""
    return {prefix + key: "系统保留的名称,表单不能使用 This name is reserved"
            for key in sorted(RESERVED_KEYS.intersection(data))}


def form_errors(session: Session, form: CompiledForm, data: dict, case_unit: OrgUnit,
                prefix: str = "") -> dict[str, str]:
    """A message for staff per field of ``data`` that breaks the form or names no allowed row."""
    errors = {prefix + path: message
              for path, message in form_messages.explain(form.validator.iter_errors(data), form.schema).items()}
    errors.update(references.problems(session, form.refs, data, case_unit, skip=set(errors), prefix=prefix))
    return errors


def validate_form(session: Session, row: TaskItem, data: dict) -> None:
    """Raise ``FormInvalid`` with a message per field unless ``data`` satisfies the task's form."""
    errors = reserved_keys(data)
    form = _compiled(row.case.process_version, row.form) if row.form else None
    if form is not None:
        for path, message in form_errors(session, form, data, row.case.org_unit).items():
            errors.setdefault(path, message)
    if errors:
        raise FormInvalid(f"{len(errors)} field(s) are not valid: {', '.join(sorted(errors))}", fields=errors)


def validate_opening(session: Session, version: ProcessVersion, data: dict, unit: OrgUnit) -> None:
    """Raise ``FormInvalid`` (fields ``data.<path>``) unless the data a case opens with could prefill its forms.

    A case's data reaches every later task, so each key a form of the version declares is checked
    against that declaration, its references included; ``required`` is not (the task's form
    asks for the rest when it is completed). Keys no form declares pass as they are.
    """
    errors = reserved_keys(data, prefix="data.")
    for name in sorted(version.forms or {}) if data else []:
        form = _compiled(version, name, partial=True)
        declared = (form.schema.get("properties") or {}) if form is not None else {}
        given = {key: value for key, value in data.items() if key in declared and f"data.{key}" not in errors}
        if given:
            errors.update(form_errors(session, form, given, unit, prefix="data."))
    if errors:
        raise FormInvalid(f"{len(errors)} field(s) of the data are not valid: {', '.join(sorted(errors))}",
                          fields=errors)
