"""What the kernel's own notices show, as plain data: the person, answers,
and notices about a team's channel and people. Each workflow's ``views.py``
holds its own."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str | None

    def label(self, mention: bool) -> str:
        """How a person appears in text: a mention only where mentions are on."""
        if mention or not self.name:
            return f"<@{self.user_id}>"
        return self.name


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
