"""Content rules (docs/PRODUCT.md §2.2): drafts and their review rounds,
publications, metrics, and the stage an approved topic has reached."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

from bot.domain.calendar import WorkingCalendar
from bot.domain.numbers import INT_MAX, read_whole, typed_id
from bot.kernel.errors import N_, InvalidInput

LINK_MAX = 2000
COMMENT_MAX = 3000
# Field names are the modal's block ids, so an error lands on its field.
FIELD_DRAFT_TOPIC = "draft_topic"
FIELD_LINK = "draft_link"
FIELD_CHECKLIST = "draft_checklist"
FIELD_COMMENT = "review_comment"
FIELD_PUB_DRAFT = "pub_draft"
FIELD_PUB_PLATFORM = "pub_platform"
FIELD_PUB_URL = "pub_url"
FIELD_PUB_TIME = "pub_time"
METRICS = ("reads", "likes", "comments", "shares")
FIELD_METRIC = {m: f"metric_{m}" for m in METRICS}
METRIC_MAX = INT_MAX  # the metrics columns are 32-bit integers (bot.domain.numbers)
# A publish time a little ahead of the server's clock is a clock skew, not a plan.
FUTURE_SKEW = timedelta(minutes=10)
# The metrics ask: days after publication.
ASK_DAYS = (1, 7)


class DraftStatus(StrEnum):
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


class Stage(StrEnum):
    """Where an approved topic stands on its way out (the weekly plan)."""

    PLANNED = "planned"  # approved, no draft yet
    DRAFTING = "drafting"  # changes were requested; the author is revising
    IN_REVIEW = "in_review"  # a round waits for a supervisor
    APPROVED = "approved"  # the draft passed review, not yet published
    PUBLISHED = "published"


# The self-review checklist (自我审核): every item must be ticked to submit.
CHECKLIST = ("accuracy", "professionalism", "interest", "brand_fit")
CHECKLIST_LABELS = {
    "accuracy": N_("Accurate: facts, figures and names are checked"),
    "professionalism": N_("Professional: wording, format and compliance are right"),
    "interest": N_("Interesting: it is worth our readers' time"),
    "brand_fit": N_("On brand: it fits our voice and business goals"),
}


def validate_link(raw: str | None, *, field: str) -> str:
    """An http(s) link with a host; anything else (``javascript:``, ``file:``,
    a bare word) is a field error."""
    link = (raw or "").strip()
    if not link:
        raise InvalidInput(N_("Paste the link (http:// or https://)."), field=field)
    if len(link) > LINK_MAX or any(c.isspace() for c in link):
        raise InvalidInput(N_("That does not look like a single link."), field=field)
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidInput(N_("Only http:// or https:// links are accepted."), field=field)
    return link


def validate_checklist(ticked: list[str] | None) -> list[str]:
    missing = [item for item in CHECKLIST if item not in (ticked or [])]
    if missing:
        raise InvalidInput(
            N_("Complete the self-review: tick all {total} items before you submit ({missing} left)."),
            field=FIELD_CHECKLIST, total=len(CHECKLIST), missing=len(missing),
        )
    return list(CHECKLIST)


def validate_comment(raw: str | None) -> str:
    comment = (raw or "").strip()
    if not comment:
        raise InvalidInput(N_("Say what should change: the author sees this comment."), field=FIELD_COMMENT)
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(N_("A comment can be at most 3000 characters."), field=FIELD_COMMENT)
    return comment


def validate_platform(platform: str | None, platforms: tuple[str, ...] | list[str]) -> str:
    value = (platform or "").strip()
    if platforms and value not in platforms:
        raise InvalidInput(N_("Pick one of the team's platforms."), field=FIELD_PUB_PLATFORM)
    if not value or len(value) > 80:
        raise InvalidInput(N_("Name the platform (at most 80 characters)."), field=FIELD_PUB_PLATFORM)
    return value


def validate_publish_time(at: datetime | None, *, now: datetime) -> datetime:
    if at is None:
        return now
    if at > now + FUTURE_SKEW:
        raise InvalidInput(N_("The publish time cannot be in the future: record it once it is out."),
                           field=FIELD_PUB_TIME)
    return at


@dataclass(frozen=True)
class Metrics:
    reads: int
    likes: int
    comments: int
    shares: int


def parse_metrics(raw: dict[str, str | None]) -> Metrics:
    """Four whole, non-negative numbers; the first bad one is a field error."""
    values = {name: read_whole(raw.get(name), field=FIELD_METRIC[name], invalid=N_("Enter a whole number, 0 or more."),
                               thousands=True) for name in METRICS}
    return Metrics(**values)


def stage_of(draft_status: str | None, published: bool) -> Stage:
    if published:
        return Stage.PUBLISHED
    if draft_status is None:
        return Stage.PLANNED
    return {
        DraftStatus.IN_REVIEW: Stage.IN_REVIEW,
        DraftStatus.CHANGES_REQUESTED: Stage.DRAFTING,
        DraftStatus.APPROVED: Stage.APPROVED,
    }[DraftStatus(draft_status)]


def ask_day(published_on: date, days: int, calendar: WorkingCalendar) -> date:
    """The day to ask for a publication's metrics ``days`` after it went out:
    that day if it is a working day, else the first working day after it
    (asking *before* "a day after" would make no sense)."""
    day = published_on + timedelta(days=days)
    return calendar.first_working_day_on_or_after(day) or day


def metrics_ask_due(published_on: date, today: date, calendar: WorkingCalendar) -> int | None:
    """Which ask (1 or 7) is due on ``today``, if any. A missed day-1 ask is
    still made later (after downtime), until the day-7 ask takes over; a
    missed day-7 ask stays due for a week."""
    first, last = (ask_day(published_on, d, calendar) for d in ASK_DAYS)
    if last <= today < last + timedelta(days=7):
        return ASK_DAYS[1]
    if first <= today < last:
        return ASK_DAYS[0]
    return None


class PublishCommandKind(StrEnum):
    MODAL = "modal"
    METRICS = "metrics"
    HELP = "help"


@dataclass(frozen=True)
class PublishCommand:
    kind: PublishCommandKind
    publication_id: int | None = None


_METRICS = re.compile(r"^metrics\s+#?(\d{1,12})$")


def parse_publish_command(text: str) -> PublishCommand:
    stripped = " ".join(text.split())
    if stripped == "help":
        return PublishCommand(PublishCommandKind.HELP)
    m = _METRICS.match(stripped)
    if m:
        return PublishCommand(PublishCommandKind.METRICS, typed_id(m.group(1)))
    if stripped.startswith("metrics"):
        return PublishCommand(PublishCommandKind.HELP)
    return PublishCommand(PublishCommandKind.MODAL)
