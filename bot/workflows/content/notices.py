"""Loaders for the content workflow's notices (docs/PRODUCT.md §2.2): the review
card, its thread, and the DMs. Like every loader they read the store's
*current* state at delivery time; ``bot/kernel/notices.py`` registers them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel import notices as n
from bot.workflows.content import views as content_views
from storage import content as content_rows
from storage import outbox as outbox_rows
from storage.content import Draft, Publication
from storage.models import OutboxNotice


class CardNotPosted(n.NotYet):
    """A thread reply waits until its card is in the channel and has a ts."""


def load_draft_card(s: Session, draft_id: int, now: datetime) -> n.Loaded:
    draft = s.get_one(Draft, draft_id)
    team = n.team_of(s, draft.team_id)
    r = content_rows.the_round(s, draft.id, draft.round)
    decider = draft.approved_by or r.decided_by
    people = n.People(s, now, {draft.author_id} | ({decider} if decider else set()))
    pub = content_rows.publication_for_draft(s, draft.id)
    view = content_views.DraftCardView(
        locale=team.locale,
        draft_id=draft.id,
        team_name=team.name,
        topic_id=draft.topic_id,
        title=content_rows.topic_title_of_draft(s, draft.id),
        author=people.person(draft.author_id),
        round=draft.round,
        link=r.link,
        status=draft.status,
        submitted_at=int(r.submitted_at.timestamp()),
        decided_by=people.person(decider) if decider and draft.status != "in_review" else None,
        decided_at=n.epoch(r.decided_at) if draft.status != "in_review" else None,
        comment=r.comment if draft.status == "changes_requested" else None,
        mention=team.mention_in_summaries,
        published_platform=pub.platform if pub else None,
        published_url=pub.url if pub else None,
        published_at=n.epoch(pub.published_at) if pub else None,
    )
    return n.Loaded(view=view, channel=draft.card_channel or team.channel, ts=draft.card_ts)


def _load_draft_thread(s: Session, notice: OutboxNotice, now: datetime) -> content_views.DraftThreadPost:
    p = notice.payload
    draft = s.get_one(Draft, p["draft_id"])
    if not draft.card_ts:
        if outbox_rows.gave_up_on(s, f"card:draft:{draft.id}"):
            # Its card failed for good: fail too (bounded), rather than wait for ever.
            raise LookupError(f"draft #{draft.id}'s card could not be posted")
        raise CardNotPosted(f"draft #{draft.id}'s card has no ts yet")
    team = n.team_of(s, draft.team_id)
    r = content_rows.the_round(s, draft.id, p["round"])
    actor = draft.author_id if p["event"] == "submitted" else (r.decided_by or draft.author_id)
    people = n.People(s, now, {actor})
    at = r.submitted_at if p["event"] == "submitted" else (r.decided_at or r.submitted_at)
    return content_views.DraftThreadPost(
        locale=team.locale,
        thread_ts=draft.card_ts,
        draft_id=draft.id,
        round=r.number,
        event=p["event"],
        actor=people.person(actor),
        link=r.link,
        comment=r.comment if p["event"] == "changes_requested" else None,
        at=int(at.timestamp()),
        mention=team.mention_in_summaries,
    )


def _load_draft_decided(s: Session, notice: OutboxNotice, now: datetime) -> content_views.DraftDecidedDM:
    p = notice.payload
    draft = s.get_one(Draft, p["draft_id"])
    team = n.team_of(s, draft.team_id)
    r = content_rows.the_round(s, draft.id, p["round"])
    people = n.People(s, now, {notice.recipient})
    return content_views.DraftDecidedDM(
        locale=people.locale(notice.recipient, team.locale),
        draft_id=draft.id,
        title=content_rows.topic_title_of_draft(s, draft.id),
        round=r.number,
        status=r.decision or draft.status,
        decided_by=r.decided_by or "",
        comment=r.comment,
        team_name=team.name,
    )


def _load_published(s: Session, notice: OutboxNotice, now: datetime) -> content_views.PublishedDM:
    pub = s.get_one(Publication, notice.payload["publication_id"])
    team = n.team_of(s, pub.team_id)
    people = n.People(s, now, {notice.recipient})
    return content_views.PublishedDM(
        locale=people.locale(notice.recipient, team.locale),
        publication_id=pub.id,
        title=content_rows.topic_title_of_draft(s, pub.draft_id),
        platform=pub.platform,
        url=pub.url,
        published_at=int(pub.published_at.timestamp()),
        team_name=team.name,
    )


def _load_metrics_ask(s: Session, notice: OutboxNotice, now: datetime) -> content_views.MetricsAskDM:
    p = notice.payload
    pub = s.get_one(Publication, p["publication_id"])
    team = n.team_of(s, pub.team_id)
    people = n.People(s, now, {notice.recipient})
    last = content_rows.latest_metrics(s, [pub.id]).get(pub.id)
    return content_views.MetricsAskDM(
        locale=people.locale(notice.recipient, team.locale),
        publication_id=pub.id,
        title=content_rows.topic_title_of_draft(s, pub.draft_id),
        platform=pub.platform,
        url=pub.url,
        published_at=int(pub.published_at.timestamp()),
        days=p["days"],
        latest=content_views.MetricsLine(last.reads, last.likes, last.comments, last.shares, int(last.at.timestamp()))
        if last else None,
        job=p["job"],
        period=p["period"],
        team_id=team.id,
        snoozed=p.get("snoozed", False),
    )


LOADERS = n.NoticeLoaders(
    cards={"draft": load_draft_card},
    card_models={"draft": Draft},
    dms={"draft_decided": _load_draft_decided, "published": _load_published, "metrics_ask": _load_metrics_ask},
    posts={"draft_thread": _load_draft_thread},
)
