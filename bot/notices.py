"""The outbox's vocabulary: what services write, what the worker loads.

Services call the ``enqueue_*`` helpers inside their transaction. The worker
calls :func:`load` at delivery time, so a card shows the item's *current*
state and a burst of changes converges to one right card.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import views as v
from bot.domain.content import stage_of
from bot.domain.periods import local_date, week_start
from bot.i18n import resolve_locale
from bot.services import exports, pending, reports
from bot.services.home import home_view
from bot.services.quota import progress_for
from bot.team import TeamView, team_view
from storage import queries, queries_content
from storage.models import OutboxNotice, Team, Topic

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
    card = queries.Coalesced(CARD, team.channel, f"card:{item}:{item_id}", {"item": item, "id": item_id}, team.id)
    queries.enqueue_coalesced_rows(s, [card, *_home_rows(homes, team.id)], now=now)


def enqueue_dm(
    s: Session, *, user: str, type: str, team_id: int | None, now: datetime, key: str | None = None, **params: Any
) -> bool:
    return queries.enqueue_notice(
        s, kind=DM, recipient=user, team_id=team_id, payload={"type": type, **params}, key=key, now=now
    )


def enqueue_dms(s: Session, dms: list[tuple[str, str, dict[str, Any]]], *, type: str, team_id: int | None,
                now: datetime) -> None:
    """Many DMs of one ``type`` in one statement: (user, key, params) each."""
    queries.enqueue_keyed_notices(
        s, [{"kind": DM, "recipient": user, "team_id": team_id, "key": key, "payload": {"type": type, **params}}
            for user, key, params in dms], now=now,
    )


def enqueue_post(
    s: Session, *, channel: str, type: str, team_id: int, now: datetime, key: str | None = None, **params: Any
) -> bool:
    return queries.enqueue_notice(
        s, kind=POST, recipient=channel, team_id=team_id, payload={"type": type, **params}, key=key, now=now
    )


def enqueue_home(s: Session, *, user: str, now: datetime) -> None:
    enqueue_homes(s, users=[user], now=now)


def enqueue_homes(s: Session, *, users: Iterable[str] = (), supervisors_of: int | None = None,
                  now: datetime) -> None:
    """Re-publish each person's Home (coalesced: one publish per person while
    one waits), ``users``' and those of the supervisors of team
    ``supervisors_of``, in one statement however many people."""
    queries.enqueue_coalesced_rows(s, _home_rows(users, supervisors_of), now=now)


def _home_rows(users: Iterable[str], supervisors_of: int | None) -> list[queries.Coalesced]:
    rows = [queries.Coalesced(HOME, u, f"home:{u}") for u in dict.fromkeys(users)]
    if supervisors_of is not None:
        rows.append(queries.Coalesced(SUPERVISOR_HOMES, f"team:{supervisors_of}", f"homes:{supervisors_of}",
                                      team_id=supervisors_of))
    return rows


def expand_supervisor_homes(s: Session, notice: OutboxNotice, now: datetime) -> None:
    """Deliver a :data:`SUPERVISOR_HOMES` notice: a Home notice for each
    supervisor of its team, written in one statement (coalesced per person)."""
    if notice.team_id is not None:
        queries.enqueue_coalesced_for_role(s, kind=HOME, key_prefix="home:", role="supervisor",
                                           team_id=notice.team_id, now=now)


def enqueue_response(s: Session, *, url: str, type: str, now: datetime, **params: Any) -> None:
    queries.enqueue_notice(s, kind=RESPONSE, recipient="response_url", payload={"url": url, "type": type, **params}, now=now)


# -- loading (at delivery time) -----------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """What the worker hands to the Slack side: the view, and where it goes."""

    view: Any
    channel: str | None = None  # channel or user id
    ts: str | None = None  # existing message to update, for cards
    url: str | None = None  # response_url


class _People:
    def __init__(self, s: Session, now: datetime, user_ids: set[str]) -> None:
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


def load(s: Session, notice: OutboxNotice, now: datetime) -> Loaded:
    p = notice.payload
    if notice.kind == CARD:
        return _CARD_LOADERS[p.get("item", "topic")](s, p["id"], now)
    if notice.kind == HOME:
        return Loaded(view=_load_home(s, notice.recipient, now), channel=notice.recipient)
    if notice.kind == RESPONSE:
        return Loaded(view=_load_response(s, p), url=p["url"])
    if notice.kind == FILE:
        return Loaded(view=_FILE_LOADERS[p["type"]](s, notice, now), channel=notice.recipient)
    loader = _DM_LOADERS[p["type"]] if notice.kind == DM else _POST_LOADERS[p["type"]]
    return Loaded(view=loader(s, notice, now), channel=notice.recipient)


def record_delivery(s: Session, notice: OutboxNotice, result: dict[str, Any]) -> None:
    """Remember where a new card went, so later syncs update it in place."""
    model = _CARD_MODELS.get(notice.payload.get("item", "")) if notice.kind == CARD else None
    if model is not None:
        item = s.get(model, notice.payload["id"])
        if item is not None and item.card_ts is None and result.get("ts"):
            item.card_channel, item.card_ts = result.get("channel"), result["ts"]


def _team(s: Session, team_id: int) -> TeamView:
    return team_view(s.get_one(Team, team_id))


def _load_card(s: Session, topic_id: int, now: datetime) -> Loaded:
    topic = s.get_one(Topic, topic_id)
    team = _team(s, topic.team_id)
    people = _People(s, now, {topic.author_id} | ({topic.decided_by} if topic.decided_by else set()))
    monday = week_start(local_date(topic.created_at, team.tz))
    prog = progress_for(s, team, [topic.author_id], monday=monday)[topic.author_id]
    view = v.TopicCardView(
        locale=team.locale,
        topic_id=topic.id,
        team_name=team.name,
        title=topic.title,
        angle=topic.angle,
        platform=topic.platform,
        planned_date=topic.planned_date,
        author=people.person(topic.author_id),
        status=topic.status,
        decided_by=people.person(topic.decided_by) if topic.decided_by else None,
        decided_at=int(topic.decided_at.timestamp()) if topic.decided_at else None,
        reason=topic.reason,
        count=prog.count,
        quota=prog.quota,
        mention=team.mention_in_summaries,
    )
    return Loaded(view=view, channel=topic.card_channel or team.channel, ts=topic.card_ts)


def _load_topic_decided(s: Session, notice: OutboxNotice, now: datetime) -> v.TopicDecidedDM:
    topic = s.get_one(Topic, notice.payload["topic_id"])
    team = _team(s, topic.team_id)
    people = _People(s, now, {notice.recipient})
    return v.TopicDecidedDM(
        locale=people.locale(notice.recipient, team.locale),
        topic_id=topic.id,
        title=topic.title,
        status=topic.status,
        decided_by=topic.decided_by or "",
        reason=topic.reason,
        team_name=team.name,
    )


def _load_quota_reminder(s: Session, notice: OutboxNotice, now: datetime) -> v.QuotaReminderDM:
    p = notice.payload
    team = _team(s, notice.team_id)
    people = _People(s, now, {notice.recipient})
    return v.QuotaReminderDM(
        locale=people.locale(notice.recipient, team.locale),
        team_id=team.id,
        team_name=team.name,
        count=p["count"],
        quota=p["quota"],
        due=p["due"],
        job=p["job"],
        period=p["period"],
        snoozed=p.get("snoozed", False),
    )


def _load_pending_nudge(s: Session, notice: OutboxNotice, now: datetime) -> v.PendingNudgeDM:
    p = notice.payload
    team = _team(s, notice.team_id)
    # What still waits at delivery time, of what the job found waiting.
    asked = {tuple(r) for r in p.get("items") or [["topic", i] for i in p.get("topic_ids", [])]}
    items = [w for w in pending.waiting(s, team.id, now) if tuple(w.ref) in asked]
    people = _People(s, now, {notice.recipient} | {w.author_id for w in items})
    return v.PendingNudgeDM(
        locale=people.locale(notice.recipient, team.locale),
        team_name=team.name,
        channel=team.channel,
        items=[
            v.PendingItem(w.id, w.title, people.person(w.author_id), int((now - w.since).total_seconds() // 3600),
                          kind=w.kind)
            for w in items
        ],
        job=p["job"],
        period=p["period"],
        team_id=team.id,
    )


def _load_not_in_channel(s: Session, notice: OutboxNotice, now: datetime) -> v.NotInChannelDM:
    team = _team(s, notice.team_id)
    people = _People(s, now, {notice.recipient})
    return v.NotInChannelDM(people.locale(notice.recipient, team.locale), team.name, team.channel)


def _load_deactivated(s: Session, notice: OutboxNotice, now: datetime) -> v.DeactivatedMemberDM:
    team = _team(s, notice.team_id)
    member = notice.payload["member"]
    people = _People(s, now, {notice.recipient, member})
    return v.DeactivatedMemberDM(people.locale(notice.recipient, team.locale), team.name, people.person(member))


def _load_quota_summary(s: Session, notice: OutboxNotice, now: datetime) -> v.QuotaSummaryPost:
    p = notice.payload
    team = _team(s, notice.team_id)
    people = _People(s, now, {r[0] for r in p["rows"]})
    return v.QuotaSummaryPost(
        locale=team.locale,
        team_name=team.name,
        week=p["week"],
        rows=[v.QuotaSummaryRow(people.person(u), c, q) for u, c, q in p["rows"]],
        mention=team.mention_in_summaries,
    )


def _load_weekly_plan(s: Session, notice: OutboxNotice, now: datetime) -> v.WeeklyPlanPost:
    p = notice.payload
    team = _team(s, notice.team_id)
    carried = queries.topics_by_ids(s, p["carried"])
    current = queries.topics_by_ids(s, p["current"])
    people = _People(s, now, {t.author_id for t in carried + current})

    stages = queries_content.content_stages(s, [t.id for t in carried + current])

    def line(t: Topic) -> v.TopicLine:
        status, rnd, is_published = stages.get(t.id, (None, 0, False))
        stage = stage_of(status, is_published) if t.status == "approved" else ""
        return v.TopicLine(t.id, t.title, t.status, people.person(t.author_id), stage=stage, round=rnd)

    return v.WeeklyPlanPost(
        locale=team.locale,
        team_name=team.name,
        week=p["week"],
        carried_over=[line(t) for t in carried],
        this_week=[line(t) for t in current],
        mention=team.mention_in_summaries,
    )


def _load_response(s: Session, p: dict[str, Any]) -> v.ProposalConfirmation | v.Answer:
    if p["type"] == "answer":
        return v.Answer(locale=p.get("locale", "en"), text=p["text"])
    return v.ProposalConfirmation(
        locale=p["locale"],
        topic_id=p["topic_id"],
        title=p["title"],
        team_name=p["team_name"],
        count=p["count"],
        quota=p["quota"],
        chosen_by_default=p.get("chosen_by_default", False),
    )


def _load_home(s: Session, user_id: str, now: datetime) -> v.HomeView:
    _People(s, now, {user_id})  # Home speaks the viewer's language: fetch their profile first
    return home_view(s, user_id, now)


_DM_LOADERS = {
    "topic_decided": _load_topic_decided,
    "quota_reminder": _load_quota_reminder,
    "pending_nudge": _load_pending_nudge,
    "not_in_channel": _load_not_in_channel,
    "member_deactivated": _load_deactivated,
}
def _load_export(s: Session, notice: OutboxNotice, now: datetime) -> v.ExportFile:
    p = notice.payload
    team = _team(s, notice.team_id)
    period = exports.period_from_payload(p)
    table = exports.export_table(s, team, p["export"], period)
    people = _People(s, now, {notice.recipient})
    return v.ExportFile(
        locale=people.locale(notice.recipient, team.locale),
        kind=p["export"],
        team_name=team.name,
        period=period.label,
        columns=table.columns,
        rows=table.rows,
    )


def _load_report(s: Session, notice: OutboxNotice, now: datetime) -> v.ReportView:
    p = notice.payload
    team = _team(s, notice.team_id)
    period = exports.period_from_payload(p)
    members = queries.team_user_ids(s, team.id, "member")
    people = _People(s, now, set(members) | ({notice.recipient} if p.get("dm") else set()))
    return v.ReportView(
        locale=people.locale(notice.recipient, team.locale) if p.get("dm") else team.locale,
        team_name=team.name,
        period=period.label,
        kind=period.kind,
        rows=reports.report_rows(s, team, period, people),
        mention=team.mention_in_summaries,
    )


def _load_quota_chart(s: Session, notice: OutboxNotice, now: datetime) -> v.QuotaChartFile:
    p = notice.payload
    parent = s.scalar(select(OutboxNotice).where(OutboxNotice.key == p["parent"]))
    if parent is not None and parent.status == "pending":
        raise NotYet(f"the summary {p['parent']} is not posted yet")
    team = _team(s, notice.team_id)
    people = _People(s, now, {r[0] for r in p["rows"]})
    ts = (parent.result or {}).get("ts") if parent is not None and parent.status == "delivered" else None
    return v.QuotaChartFile(
        locale=team.locale,
        team_name=team.name,
        week=p["week"],
        rows=[v.QuotaSummaryRow(people.person(u), c, q) for u, c, q in p["rows"]],
        thread_ts=ts,
    )


_FILE_LOADERS = {
    "export": _load_export,
    "report": _load_report,
    "quota_chart": _load_quota_chart,
}
_POST_LOADERS = {
    "quota_summary": _load_quota_summary,
    "weekly_plan": _load_weekly_plan,
}
_CARD_LOADERS: dict[str, Any] = {"topic": _load_card}
_CARD_MODELS: dict[str, Any] = {"topic": Topic}


def upsert_profile(s: Session, user_id: str, *, name: str | None, tz: str | None, locale: str | None,
                   deleted: bool, now: datetime) -> None:
    queries.upsert_slack_user(s, user_id=user_id, name=name, tz=tz, locale=locale, deleted=deleted, refreshed_at=now)


# Each workflow's loaders, registered into the tables above.
from bot import notices_content  # noqa: E402  (it imports this module's helpers)

_CARD_LOADERS.update(notices_content.CARD_LOADERS)
_CARD_MODELS.update(notices_content.CARD_MODELS)
_DM_LOADERS.update(notices_content.DM_LOADERS)
_POST_LOADERS.update(notices_content.POST_LOADERS)
# Performance reviews: their DM loaders live beside their services.
from bot.review_notices import DM_LOADERS as _REVIEW_DM_LOADERS  # noqa: E402

_DM_LOADERS.update(_REVIEW_DM_LOADERS)

# Activities and leave (docs/PRODUCT.md §2.3, §2.4) register their own loaders.
import bot.notices_activities  # noqa: E402, F401


# Answers to clicks on App Home, where there is no response_url (handlers/errors.py).
def _load_click_answer(s: Session, notice: OutboxNotice, now: datetime) -> v.ClickAnswerDM:
    return v.ClickAnswerDM("en", notice.payload["text"])


_DM_LOADERS["click_answer"] = _load_click_answer
