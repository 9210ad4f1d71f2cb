"""一案一码: issue the case its human-readable, unique code ``MT-<county>-<yyyymmdd>-<seq>``."""

from __future__ import annotations

import re
from datetime import timedelta, timezone

from .errors import HandlerError

CHINA = timezone(timedelta(hours=8), "CST")  # the code's date is the local (Beijing) date
CODE = re.compile(r"MT-[0-9A-Za-z]+-\d{8}-\d{4,}")


def handle(params: dict, ctx) -> dict:
    """Return the case's code, issuing the next number of the county's day if it has none yet."""
    if CODE.fullmatch(ctx.case.code or ""):
        return {"case_code": ctx.case.code}
    county = str(params.get("county_code") or "").strip()
    if not re.fullmatch(r"[0-9A-Za-z]{1,12}", county):
        raise HandlerError("bad_county_code", f"county code must be 1-12 letters or digits: {county!r}")
    prefix = f"MT-{county}-{ctx.now.astimezone(CHINA):%Y%m%d}"
    Seq = ctx.models.CaseCodeSequence
    seq = ctx.session.get(Seq, prefix, with_for_update=True)
    if seq is None:
        seq = Seq(prefix=prefix, last=0)
        ctx.session.add(seq)
    seq.last += 1
    code = f"{prefix}-{seq.last:04d}"
    ctx.case.code = code
    ctx.session.flush()
    return {"case_code": code}
