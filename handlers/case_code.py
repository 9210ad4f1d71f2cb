"""一案一码 for cases started on diagrams that still draw an ``issue_case_code`` step.

A case gets its one code when it opens (``engine/case_codes.py``) and keeps it for life; this
operator only hands that code back, so a case still running on such a diagram keeps its code.
"""

from __future__ import annotations


def handle(params: dict, ctx) -> dict:
    """Return the code the case was given when it opened; never issue another."""
    return {"case_code": ctx.case.code}
