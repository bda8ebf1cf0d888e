"""Loaders for the topic notices: the card, the decision DM, reminders, the weekly posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.periods import local_date, week_start
from bot.kernel.notices import Loaded, NoticeLoaders, NotYet, People, team_of
from bot.workflows.content.rules import stage_of
from bot.workflows.topics import views as topic_views
from bot.workflows.topics.quota import progress_for
from storage import content as content_rows
from storage import topics as topic_rows
from storage.models import OutboxNotice
from storage.topics import Topic


def _load_card(s: Session, topic_id: int, now: datetime) -> Loaded:
    topic = s.get_one(Topic, topic_id)
    team = team_of(s, topic.team_id)
    people = People(s, now, {topic.author_id} | ({topic.decided_by} if topic.decided_by else set()))
    monday = week_start(local_date(topic.created_at, team.tz))
    prog = progress_for(s, team, [topic.author_id], monday=monday)[topic.author_id]
    view = topic_views.TopicCardView(
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


def _load_topic_decided(s: Session, notice: OutboxNotice, now: datetime) -> topic_views.TopicDecidedDM:
    topic = s.get_one(Topic, notice.payload["topic_id"])
    team = team_of(s, topic.team_id)
    people = People(s, now, {notice.recipient})
    return topic_views.TopicDecidedDM(
        locale=people.locale(notice.recipient, team.locale),
        topic_id=topic.id,
        title=topic.title,
        status=topic.status,
        decided_by=topic.decided_by or "",
        reason=topic.reason,
        team_name=team.name,
    )


def _load_quota_reminder(s: Session, notice: OutboxNotice, now: datetime) -> topic_views.QuotaReminderDM:
    p = notice.payload
    team = team_of(s, notice.team_id)
    people = People(s, now, {notice.recipient})
    return topic_views.QuotaReminderDM(
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


def _load_quota_summary(s: Session, notice: OutboxNotice, now: datetime) -> topic_views.QuotaSummaryPost:
    p = notice.payload
    team = team_of(s, notice.team_id)
    people = People(s, now, {r[0] for r in p["rows"]})
    return topic_views.QuotaSummaryPost(
        locale=team.locale,
        team_name=team.name,
        week=p["week"],
        rows=[topic_views.QuotaSummaryRow(people.person(u), c, q) for u, c, q in p["rows"]],
        mention=team.mention_in_summaries,
    )


def _load_weekly_plan(s: Session, notice: OutboxNotice, now: datetime) -> topic_views.WeeklyPlanPost:
    p = notice.payload
    team = team_of(s, notice.team_id)
    carried = topic_rows.topics_by_ids(s, p["carried"])
    current = topic_rows.topics_by_ids(s, p["current"])
    people = People(s, now, {t.author_id for t in carried + current})

    stages = content_rows.content_stages(s, [t.id for t in carried + current])

    def line(t: Topic) -> topic_views.TopicLine:
        status, rnd, is_published = stages.get(t.id, (None, 0, False))
        stage = stage_of(status, is_published) if t.status == "approved" else ""
        return topic_views.TopicLine(t.id, t.title, t.status, people.person(t.author_id), stage=stage, round=rnd)

    return topic_views.WeeklyPlanPost(
        locale=team.locale,
        team_name=team.name,
        week=p["week"],
        carried_over=[line(t) for t in carried],
        this_week=[line(t) for t in current],
        mention=team.mention_in_summaries,
    )


def _load_proposal_confirmation(p: dict[str, Any]) -> topic_views.ProposalConfirmation:
    return topic_views.ProposalConfirmation(
        locale=p["locale"],
        topic_id=p["topic_id"],
        title=p["title"],
        team_name=p["team_name"],
        count=p["count"],
        quota=p["quota"],
        chosen_by_default=p.get("chosen_by_default", False),
    )


def _load_quota_chart(s: Session, notice: OutboxNotice, now: datetime) -> topic_views.QuotaChartFile:
    p = notice.payload
    parent = s.scalar(select(OutboxNotice).where(OutboxNotice.key == p["parent"]))
    if parent is not None and parent.status == "pending":
        raise NotYet(f"the summary {p['parent']} is not posted yet")
    team = team_of(s, notice.team_id)
    people = People(s, now, {r[0] for r in p["rows"]})
    ts = (parent.result or {}).get("ts") if parent is not None and parent.status == "delivered" else None
    return topic_views.QuotaChartFile(
        locale=team.locale,
        team_name=team.name,
        week=p["week"],
        rows=[topic_views.QuotaSummaryRow(people.person(u), c, q) for u, c, q in p["rows"]],
        thread_ts=ts,
    )


LOADERS = NoticeLoaders(
    cards={"topic": _load_card},
    card_models={"topic": Topic},
    dms={"topic_decided": _load_topic_decided, "quota_reminder": _load_quota_reminder},
    posts={"quota_summary": _load_quota_summary, "weekly_plan": _load_weekly_plan},
    files={"quota_chart": _load_quota_chart},
    responses={"proposal_confirmation": _load_proposal_confirmation},
)
