"""URL converters that refuse what the database cannot look up, so such paths are 404s and not 500s."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, UnicodeConverter

from engine.models import INTEGER_MAX


class IdConverter(IntegerConverter):
    """``<int:…>``: non-negative and within what an Integer column holds (PostgreSQL refuses more)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        if self.max is None or self.max > INTEGER_MAX:
            self.max = INTEGER_MAX


class TextConverter(UnicodeConverter):
    """``<…>``: one path segment without NUL (PostgreSQL refuses it in any string)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def install(app) -> None:
    """Make these the converters behind ``<int:…>`` and plain ``<…>``; call before routes are added."""
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter)
