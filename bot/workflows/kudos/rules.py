"""Recognition rules: what `/kudos` text means, what a kudos and an honour may say, the
daily cap and the month an honour is for. Pure: no I/O, times are arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.periods import Span, check_month, month_label, parse_month
from bot.kernel.errors import N_, InvalidInput

REASON_MIN = 20  # characters, after trimming; each Chinese character counts as one
REASON_MAX = 1000
DAILY_CAP = 3
CAP_MAX = 50
LEADERBOARD_SIZE = 3
# The first days of a month an honour is for the month just ended (its kudos are
# all in, and the monthly report has just gone out); from the 8th on, the current one.
HONOUR_GRACE_DAYS = 7
HONOUR_MONTHS_BACK = 12

# <@U123|name> or <@U123>: how Slack sends a mention typed in a command.
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class Recognition:
    """A team's recognition settings (the teams file's ``recognition``)."""

    daily_cap: int = DAILY_CAP
    leaderboard: bool = False


def recognition_of(raw: dict[str, Any] | None) -> Recognition:
    """The stored settings, defaults for what is missing (or a value a hand-edited store garbled)."""
    raw = raw or {}
    cap = raw.get("daily_cap", DAILY_CAP)
    cap = cap if isinstance(cap, int) and not isinstance(cap, bool) and 1 <= cap <= CAP_MAX else DAILY_CAP
    return Recognition(daily_cap=cap, leaderboard=raw.get("leaderboard") is True)


@dataclass(frozen=True)
class KudosCommand:
    kind: str  # help | give | honour
    recipient: str = ""
    reason: str = ""
    month: tuple[int, int] | None = None


def mention_of(word: str) -> str | None:
    """The Slack user id a typed mention names, or None if the word is not one."""
    m = _MENTION.match(word)
    return m[1] if m else None


def parse_kudos(text: str) -> KudosCommand:
    """``/kudos @person reason``, ``/kudos honour @person [YYYY-MM] reason``, else help.
    A first word that is not a mention is refused, naming the problem."""
    text = text.strip()
    if not text or text.casefold() in ("help", "?", "帮助"):
        return KudosCommand("help")
    first, _sep, rest = text.partition(" ")
    kind = "give"
    if first.casefold() in ("honour", "honor", "表彰"):
        kind = "honour"
        first, _sep, rest = rest.strip().partition(" ")
    user = mention_of(first)
    if user is None:
        raise InvalidInput(N_("Start with the person to recognise as a mention, like `/kudos @name what they did`: "
                              "“{word}” is not a mention."), word=first or "—")
    month = None
    if kind == "honour":
        word, _sep, after = rest.strip().partition(" ")
        month = parse_month(word) if word else None
        if month is not None:
            rest = after
    return KudosCommand(kind, user, rest.strip(), month)


def check_reason(reason: str, *, field: str | None = None) -> str:
    reason = reason.strip()
    if len(reason) < REASON_MIN:
        raise InvalidInput(N_("Say what they did in at least {min} characters (you wrote {n})."), field=field,
                           min=REASON_MIN, n=len(reason))
    if len(reason) > REASON_MAX:
        raise InvalidInput(N_("Keep it under {max} characters (you wrote {n})."), field=field, max=REASON_MAX,
                           n=len(reason))
    return reason


def honour_month(today: date, named: tuple[int, int] | None) -> str:
    """The month an honour is for: the one named (this month or one of the past
    {HONOUR_MONTHS_BACK}), else the previous month during the first
    ``HONOUR_GRACE_DAYS`` days of a month, else the current one."""
    if named is None:
        if today.day <= HONOUR_GRACE_DAYS:
            return month_label(today.year - (today.month == 1), 12 if today.month == 1 else today.month - 1)
        return month_label(today.year, today.month)
    back = today.year * 12 + today.month - 1 - HONOUR_MONTHS_BACK
    first = check_month(named, Span(date(back // 12, back % 12 + 1, 1), today))
    return month_label(first.year, first.month)
