"""What the kernel's own notices show, as plain data: the person, answers,
and notices about a team's channel and people. Each workflow's ``views.py``
holds its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a Slack user id looks like: a member (U…) or an Enterprise Grid user (W…).
USER_ID = re.compile(r"[UW][A-Z0-9]+")


@dataclass(frozen=True)
class Mention:
    """A person to name as a real Slack mention (``<@U…>``), not as text: a
    parameter of a domain error or a notice. The Slack side renders it as a
    mention only when ``user_id`` is a user id; anything else is shown as
    escaped text, so a value that did not come from Slack cannot inject markup."""

    user_id: str

    @property
    def valid(self) -> bool:
        return bool(USER_ID.fullmatch(self.user_id or ""))


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None

    def shows_as_mention(self, mention: bool) -> bool:
        """A mention only where mentions are on, or where no name is known."""
        return mention or not self.name


@dataclass(frozen=True)
class Answer:
    """The reply to a request decided after its ack, through its response_url
    (already translated when written)."""

    locale: str
    text: str


@dataclass(frozen=True)
class NotInChannelDM:
    locale: str
    team_name: str
    channel: str


@dataclass(frozen=True)
class DeactivatedMemberDM:
    locale: str
    team_name: str
    member: Person



@dataclass(frozen=True)
class NoticeFailedDM:
    """To a supervisor: a notice of their team could not be made and was
    given up (``bot/kernel/outbox_failures.py``), and how an admin retries it."""

    locale: str
    team_name: str
    notice_id: int
    kind: str  # card, post, file, dm
    what: str  # the card's item kind, or the notice's type
    item_id: int | None = None


# -- activities and leave (docs/PRODUCT.md §2.3, §2.4) ------------------------------


@dataclass(frozen=True)
class ClickAnswerDM:
    """Why a click on App Home did nothing (already translated when written)."""

    locale: str
    text: str
