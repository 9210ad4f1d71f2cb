"""Languages of the pages: Simplified Chinese first, English second; catalogs compiled when missing."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Babel normalises zh_CN to zh_Hans_CN and looks for that folder; under any other name it silently
# shows the English text.
DEFAULT = "zh_Hans_CN"
# locale -> (the page's lang attribute, the switch's own name for it)
LANGUAGES = {DEFAULT: ("zh-CN", "中文"), "en": ("en", "English")}
COOKIE = "lang"
# The centres' local time: due times and dates on the pages are shown in it.
TIMEZONE = "Asia/Shanghai"


def locale() -> str:
    """The language the visitor chose with the switch (a cookie), else Chinese."""
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LANGUAGES else DEFAULT


def compile_catalogs(folder: Path = TRANSLATIONS) -> None:
    """Write each ``messages.mo`` that is missing or older than its ``.po`` (compiled files are not committed)."""
    for po_path in sorted(folder.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalog = read_po(source, locale=po_path.parent.parent.name)
        try:
            # Written beside and renamed into place: apps built at once never read half a file.
            handle, temp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            with os.fdopen(handle, "wb") as target:
                write_mo(target, catalog)
            os.replace(temp, mo_path)
        except OSError as err:  # a read-only install: `make install` compiles them instead
            log.warning("cannot compile %s: %s", po_path, err)
