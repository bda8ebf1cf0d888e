"""Renders any notice's view by its type, over the builders the composition root hands in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.kernel.i18n import Gettext, gettext_for

Builder = Callable[[Any, Gettext], dict[str, Any]]


class Renderer:
    """One table from view type to Block Kit builder, merged from every
    package's ``RENDERERS``; a view type claimed twice is refused."""

    def __init__(self, tables: Iterable[Mapping[type, Builder]]) -> None:
        self.builders: dict[type, Builder] = {}
        for table in tables:
            twice = set(self.builders) & set(table)
            if twice:
                raise ValueError(f"two builders for {sorted(t.__name__ for t in twice)}")
            self.builders.update(table)

    def __call__(self, view: Any) -> dict[str, Any]:
        return self.builders[type(view)](view, gettext_for(view.locale))
