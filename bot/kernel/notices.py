"""The outbox's vocabulary: what services write, what the worker loads.

Services call the ``enqueue_*`` helpers inside their transaction. The worker
calls :func:`load` at delivery time, so a card shows the item's *current*
state and a burst of changes converges to one right card.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.kernel import views as v
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view
from storage import outbox as outbox_rows
from storage import queries
from storage.models import OutboxNotice, Team

CARD = "card"
DM = "dm"
POST = "post"
HOME = "home"
# One per team and change: at delivery the worker turns it into a HOME notice
# for each of the team's supervisors, so a click costs the same however many
# supervisors the team has (docs/performance.md, the burst).
SUPERVISOR_HOMES = "homes"
RESPONSE = "response"
FILE = "file"  # a file shared by DM or in a channel (files upload v2)
# The kinds that may post a new message (chat.postMessage), which the pacer meters (a card only at its first post).
POSTING = (DM, POST, CARD, FILE)
# The DM telling a team's supervisors that one of its notices failed for good.
NOTICE_FAILED = "notice_failed"

PROFILE_MAX_AGE = timedelta(hours=12)


class NotYet(Exception):
    """The notice depends on another that is not delivered yet (a thread
    reply before its card): the worker retries it shortly."""


class NeedProfiles(Exception):
    """The notice names people whose Slack profile we have not fetched yet."""

    def __init__(self, user_ids: set[str]) -> None:
        self.user_ids = user_ids
        super().__init__(", ".join(sorted(user_ids)))


# -- writing (inside the service's transaction) -------------------------------


def enqueue_card(s: Session, *, item: str, item_id: int, team: TeamView, now: datetime,
                 homes: Iterable[str] = ()) -> None:
    """Redraw an item's card. A card changes when its item starts or stops
    waiting on the supervisors, so their Home is re-published with it, and
    ``homes``' too (e.g. the author's, whose item changed stage): one
    statement for all of it, on the request path of every click."""
    card = outbox_rows.Coalesced(CARD, team.channel, f"card:{item}:{item_id}", {"item": item, "id": item_id}, team.id)
    outbox_rows.enqueue_coalesced_rows(s, [card, *_home_rows(homes, team.id)], now=now)


def enqueue_dm(
    s: Session, *, user: str, type: str, team_id: int | None, now: datetime, key: str | None = None, **params: Any
) -> bool:
    return outbox_rows.enqueue_notice(
        s, kind=DM, recipient=user, team_id=team_id, payload={"type": type, **params}, key=key, now=now
    )


def enqueue_dms(s: Session, dms: list[tuple[str, str, dict[str, Any]]], *, type: str, team_id: int | None,
                now: datetime) -> None:
    """Many DMs of one ``type`` in one statement: (user, key, params) each."""
    outbox_rows.enqueue_keyed_notices(
        s, [{"kind": DM, "recipient": user, "team_id": team_id, "key": key, "payload": {"type": type, **params}}
            for user, key, params in dms], now=now,
    )


def enqueue_post(
    s: Session, *, channel: str, type: str, team_id: int, now: datetime, key: str | None = None, **params: Any
) -> bool:
    return outbox_rows.enqueue_notice(
        s, kind=POST, recipient=channel, team_id=team_id, payload={"type": type, **params}, key=key, now=now
    )


def enqueue_home(s: Session, *, user: str, now: datetime, workspace: str = "",
                 enterprise_id: str | None = None) -> None:
    """Re-publish one person's Home; ``workspace``: the one they opened it in (OAuth mode), which
    says whose token publishes it even before they are in any team there."""
    where = {"workspace": workspace, "enterprise_id": enterprise_id} if workspace or enterprise_id else {}
    outbox_rows.enqueue_coalesced_rows(s, [outbox_rows.Coalesced(HOME, user, f"home:{user}", where)], now=now)


def enqueue_homes(s: Session, *, users: Iterable[str] = (), supervisors_of: int | None = None,
                  now: datetime) -> None:
    """Re-publish each person's Home (coalesced: one publish per person while
    one waits), ``users``' and those of the supervisors of team
    ``supervisors_of``, in one statement however many people."""
    outbox_rows.enqueue_coalesced_rows(s, _home_rows(users, supervisors_of), now=now)


def _home_rows(users: Iterable[str], supervisors_of: int | None) -> list[outbox_rows.Coalesced]:
    rows = [outbox_rows.Coalesced(HOME, u, f"home:{u}") for u in dict.fromkeys(users)]
    if supervisors_of is not None:
        rows.append(outbox_rows.Coalesced(SUPERVISOR_HOMES, f"team:{supervisors_of}", f"homes:{supervisors_of}",
                                      team_id=supervisors_of))
    return rows


def expand_supervisor_homes(s: Session, notice: OutboxNotice, now: datetime) -> None:
    """Deliver a :data:`SUPERVISOR_HOMES` notice: a Home notice for each
    supervisor of its team, written in one statement (coalesced per person)."""
    if notice.team_id is not None:
        outbox_rows.enqueue_coalesced_for_role(s, kind=HOME, key_prefix="home:", role="supervisor",
                                           team_id=notice.team_id, now=now)


def enqueue_response(s: Session, *, url: str, type: str, now: datetime, **params: Any) -> None:
    outbox_rows.enqueue_notice(s, kind=RESPONSE, recipient="response_url", payload={"url": url, "type": type, **params}, now=now)


# -- loading (at delivery time) -----------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """What the worker hands to the Slack side: the view, and where it goes."""

    view: Any
    channel: str | None = None  # channel or user id
    ts: str | None = None  # existing message to update, for cards
    url: str | None = None  # response_url


def epoch(at: datetime | None) -> int | None:
    """A Slack date token's seconds, or None."""
    return int(at.timestamp()) if at else None


# Where a session keeps the profiles read ahead for the notices it loads (``preload_profiles``).
_PRELOADED = "opsbot_profiles"


def preload_profiles(s: Session, user_ids: set[str]) -> None:
    """Read the cached profiles of ``user_ids`` in one statement, for the notices ``s`` loads next
    (a run of the outbox: ``bot/kernel/runs.py``); ``People`` takes them from there."""
    s.info[_PRELOADED] = queries.profile_rows(s, user_ids)


class People:
    def __init__(self, s: Session, now: datetime, user_ids: set[str]) -> None:
        preloaded = s.info.get(_PRELOADED, {})
        if user_ids <= preloaded.keys():
            self.users = {u: preloaded[u] for u in user_ids}
        else:
            self.users = queries.slack_users(s, user_ids)
        stale = {
            u for u in user_ids if u not in self.users or self.users[u].refreshed_at < now - PROFILE_MAX_AGE
        }
        if stale:
            raise NeedProfiles(stale)

    def person(self, user_id: str) -> v.Person:
        u = self.users.get(user_id)
        return v.Person(user_id, u.name if u else None)

    def locale(self, user_id: str, team_locale: str) -> str:
        u = self.users.get(user_id)
        return resolve_locale(u.locale if u else None, team_locale)


Loader = Callable[[Session, OutboxNotice, datetime], Any]
CardLoader = Callable[[Session, int, datetime], Loaded]
# (session, user, now, workspace, enterprise id): the Home of ``user`` in that workspace ("", None in
# the single-workspace mode), which says which teams its admin sections may show.
HomeLoader = Callable[[Session, str, datetime, str, str | None], Any]
ResponseLoader = Callable[[dict[str, Any]], Any]


@dataclass
class NoticeLoaders:
    """What each notice loads at delivery time, by kind and type. Each
    workflow exports one of these; the composition root merges them into the
    one the outbox worker uses, refusing a type claimed twice."""

    cards: dict[str, CardLoader] = field(default_factory=dict)  # item -> loader
    card_models: dict[str, type] = field(default_factory=dict)  # item -> model with card_channel/card_ts
    dms: dict[str, Loader] = field(default_factory=dict)
    posts: dict[str, Loader] = field(default_factory=dict)
    files: dict[str, Loader] = field(default_factory=dict)
    responses: dict[str, ResponseLoader] = field(default_factory=dict)
    home: HomeLoader | None = None

    def add(self, other: NoticeLoaders) -> NoticeLoaders:
        for name in ("cards", "card_models", "dms", "posts", "files", "responses"):
            mine, theirs = getattr(self, name), getattr(other, name)
            twice = set(mine) & set(theirs)
            if twice:
                raise ValueError(f"notice {name} loaded twice: {sorted(twice)}")
            mine.update(theirs)
        if other.home is not None:
            if self.home is not None:
                raise ValueError("two loaders for the Home tab")
            self.home = other.home
        return self

    def load(self, s: Session, notice: OutboxNotice, now: datetime) -> Loaded:
        p = notice.payload
        if notice.kind == CARD:
            return self.cards[p.get("item", "topic")](s, p["id"], now)
        if notice.kind == HOME:
            if self.home is None:
                raise LookupError("no loader for the Home tab")
            workspace, enterprise_id = outbox_rows.workspace_of(s, notice)
            return Loaded(view=self.home(s, notice.recipient, now, workspace, enterprise_id),
                          channel=notice.recipient)
        if notice.kind == RESPONSE:
            return Loaded(view=self.responses[p["type"]](p), url=p["url"])
        table = {FILE: self.files, DM: self.dms, POST: self.posts}[notice.kind]
        return Loaded(view=table[p["type"]](s, notice, now), channel=notice.recipient)

    def record_delivery(self, s: Session, notice: OutboxNotice, result: dict[str, Any]) -> None:
        """Remember where a new card went, so later syncs update it in place."""
        model = self.card_models.get(notice.payload.get("item", "")) if notice.kind == CARD else None
        if model is not None:
            item = s.get(model, notice.payload["id"])
            if item is not None and item.card_ts is None and result.get("ts"):
                item.card_channel, item.card_ts = result.get("channel"), result["ts"]


def team_of(s: Session, team_id: int) -> TeamView:
    return team_view(s.get_one(Team, team_id))


def _load_not_in_channel(s: Session, notice: OutboxNotice, now: datetime) -> v.NotInChannelDM:
    team = team_of(s, notice.team_id)
    people = People(s, now, {notice.recipient})
    return v.NotInChannelDM(people.locale(notice.recipient, team.locale), team.name, team.channel)


def _load_deactivated(s: Session, notice: OutboxNotice, now: datetime) -> v.DeactivatedMemberDM:
    team = team_of(s, notice.team_id)
    member = notice.payload["member"]
    people = People(s, now, {notice.recipient, member})
    return v.DeactivatedMemberDM(people.locale(notice.recipient, team.locale), team.name, people.person(member))


def _load_notice_failed(s: Session, notice: OutboxNotice, now: datetime) -> v.NoticeFailedDM:
    team = team_of(s, notice.team_id)
    people = People(s, now, {notice.recipient})
    p = notice.payload
    return v.NoticeFailedDM(people.locale(notice.recipient, team.locale), team.name, p["notice"], p["kind"],
                            p.get("what") or "", p.get("item_id"))


def upsert_profile(s: Session, user_id: str, *, name: str | None, tz: str | None, locale: str | None,
                   deleted: bool, now: datetime) -> None:
    queries.upsert_slack_user(s, user_id=user_id, name=name, tz=tz, locale=locale, deleted=deleted, refreshed_at=now)


# Answers to clicks on App Home, where there is no response_url (handlers/errors.py).
def _load_click_answer(s: Session, notice: OutboxNotice, now: datetime) -> v.ClickAnswerDM:
    return v.ClickAnswerDM("en", notice.payload["text"])


def _load_answer(p: dict[str, Any]) -> v.Answer:
    return v.Answer(locale=p.get("locale", "en"), text=p["text"])


# The kernel's own notices: about a team's channel and people, and answers.
LOADERS = NoticeLoaders(
    dms={
        "not_in_channel": _load_not_in_channel,
        "member_deactivated": _load_deactivated,
        "click_answer": _load_click_answer,
        NOTICE_FAILED: _load_notice_failed,
    },
    responses={"answer": _load_answer},
)
