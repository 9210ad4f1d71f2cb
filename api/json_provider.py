"""JSON replies in readable UTF-8 that never fail on text stored before input was checked."""

from __future__ import annotations

from flask.json.provider import DefaultJSONProvider


class ReadableJSONProvider(DefaultJSONProvider):
    """Chinese text as itself; text holding a lone surrogate (old data) is sent \\u-escaped instead of a 500."""

    ensure_ascii = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        if text.isascii():
            return text
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return super().dumps(obj, **{**kwargs, "ensure_ascii": True})
        return text
