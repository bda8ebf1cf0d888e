"""gettext catalogs (Babel) for the two locales every screen ships in.

The ``.po`` files under ``bot/locale`` are the source of truth; they are
compiled in memory when first used, so there is no build step to forget.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).parent.parent / "locale"

Gettext = Callable[[str], str]


def _catalog_dir(locale: str) -> str:
    return locale.replace("-", "_")


@cache
def translations(locale: str) -> gettext.NullTranslations:
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    po = LOCALE_DIR / _catalog_dir(locale) / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=_catalog_dir(locale))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def gettext_for(locale: str) -> Gettext:
    return translations(locale).gettext


def resolve_locale(user_locale: str | None, team_locale: str) -> str:
    """A person's Slack locale when it is one we ship (any ``en-*`` counts as
    ``en``; ``zh-CN`` exactly), else the team's (docs/PRODUCT.md §7)."""
    if user_locale:
        if user_locale == "zh-CN":
            return "zh-CN"
        if user_locale == "en" or user_locale.startswith("en-"):
            return "en"
    return team_locale if team_locale in LOCALES else DEFAULT_LOCALE
