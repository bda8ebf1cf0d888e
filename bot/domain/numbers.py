"""whole numbers a person types or a payload carries, read as the store can hold them

Every integer column (ids, metrics, targets, quotas, scores) is a 32-bit signed
``integer`` on PostgreSQL, so :data:`INT_MAX` is the one limit every reader of
a typed or forged number checks against: past it PostgreSQL fails the whole
transaction with "integer out of range", and SQLite would store what the other
backend cannot.

Digits are read as the number they are, whatever the script: the text is NFKC
normalised (full-width ``３``, circled ``③`` and superscript ``³`` become ``3``),
then every remaining decimal digit (Unicode category Nd, such as Arabic-Indic
``٣`` or Devanagari ``३``) is replaced by its ASCII digit. A value is therefore
always stored and compared in ASCII and never under a spelling that matches
nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.kernel.errors import N_, InvalidInput

INT_MAX = 2**31 - 1  # PostgreSQL ``integer``: the type of every Integer column and every primary key
_WHOLE = re.compile(r"[0-9]+")


def ascii_digits(text: str) -> str:
    """``text`` NFKC-normalised, with every decimal digit of any script in ASCII."""
    normal = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.digit(c)) if unicodedata.category(c) == "Nd" else c for c in normal)


def parse_whole(text: str | None, *, maximum: int = INT_MAX, thousands: bool = False) -> int | None:
    """A whole number from 0 to ``maximum`` (never above :data:`INT_MAX`), or
    None when ``text`` is anything else. ``thousands`` allows ``10,000``."""
    clean = ascii_digits((text or "").strip())
    if thousands:
        clean = clean.replace(",", "")
    if not _WHOLE.fullmatch(clean) or len(clean) > 12:
        return None
    value = int(clean)
    return value if value <= min(maximum, INT_MAX) else None


def read_whole(text: str | None, *, field: str, invalid: str, maximum: int = INT_MAX, thousands: bool = False,
               too_large: str | None = None) -> int:
    """A whole number typed into ``field``: ``invalid`` (a message id) when it
    is not one, ``too_large`` when it is above ``maximum`` — by default a
    message naming the largest number the store holds."""
    limit = f"{min(maximum, INT_MAX):,}"  # every message may name it
    value = parse_whole(text, maximum=INT_MAX, thousands=thousands)
    if value is None:
        clean = ascii_digits((text or "").strip()).replace(",", "" if thousands else ",")
        if not _WHOLE.fullmatch(clean):
            raise InvalidInput(invalid, field=field, max=limit)
    if value is None or value > maximum:
        raise InvalidInput(too_large or N_("That number is too large: enter at most {max}."), field=field, max=limit)
    return value


def typed_id(text: str) -> int:
    """An id a person typed after a command (``/topic withdraw 12``): refused
    clearly, as the store could never have such a row, when it is too large."""
    value = parse_id(text)
    if value is None:
        raise InvalidInput(N_("There is no #{id}: numbers of items go from 1 to {max}."), id=text.strip()[:20],
                           max=f"{INT_MAX:,}")
    return value


def parse_id(raw: Any) -> int | None:
    """A row id from a button value, ``private_metadata`` or a command: a whole
    number from 1 to :data:`INT_MAX`, or None for anything else (a forged
    ``"1e99"``, ``-3``, ``[]``, ``true`` or ``99999999999``)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= INT_MAX else None
    if not isinstance(raw, str):
        return None
    value = parse_whole(raw.strip().removeprefix("#"))
    return value if value is not None and value >= 1 else None
