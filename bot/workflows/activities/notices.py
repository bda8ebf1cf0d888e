"""Loaders for the activity notices (the card, its DMs, the retrospective ask and post),
from the store's state at delivery time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.notices import Loaded, NoticeLoaders, People, epoch, team_of
from bot.workflows.activities import views as activity_views
from storage.activities import Activity, ActivityRound
from storage.models import OutboxNotice

CARD_PARTICIPANTS = 30  # named on the card; the rest are counted


def load_activity_card(s: Session, activity_id: int, now: datetime) -> Loaded:

    a = s.get_one(Activity, activity_id)
    team = team_of(s, a.team_id)
    rounds = s.scalars(select(ActivityRound).where(ActivityRound.activity_id == a.id, ActivityRound.round < a.round)
                       .order_by(ActivityRound.round)).all()
    shown = list(a.participants or [])[:CARD_PARTICIPANTS]
    deciders = {r.decided_by for r in rounds if r.decided_by} | ({a.decided_by} if a.decided_by else set())
    people = People(s, now, {a.owner_id, *shown} | deciders)
    view = activity_views.ActivityCardView(
        locale=team.locale, activity_id=a.id, team_name=team.name, theme=a.theme, format=a.format,
        starts_at=int(a.starts_at.timestamp()), ends_at=int(a.ends_at.timestamp()), owner=people.person(a.owner_id),
        participants=[people.person(u) for u in shown], more_participants=len(a.participants or []) - len(shown),
        targets=dict(a.targets or {}), resources=a.resources,
        status=a.status, round=a.round, decided_by=people.person(a.decided_by) if a.decided_by else None,
        decided_at=epoch(a.decided_at), reason=a.reason,
        earlier_rounds=[activity_views.ActivityRoundLine(r.round, r.outcome, r.comment,
                                            people.person(r.decided_by) if r.decided_by else None)
                        for r in rounds],
        mention=team.mention_in_summaries,
    )
    return Loaded(view=view, channel=a.card_channel or team.channel, ts=a.card_ts)


def _activity_notice(what: str):
    def load(s: Session, notice: OutboxNotice, now: datetime) -> activity_views.ActivityNoticeDM:
        a = s.get_one(Activity, notice.payload["activity_id"])
        team = team_of(s, a.team_id)
        people = People(s, now, {notice.recipient})
        # The round this notice is about, as it was decided (a later round may be under way).
        rnd = s.scalar(select(ActivityRound).where(ActivityRound.activity_id == a.id,
                                                   ActivityRound.round == notice.payload.get("round", a.round)))
        status = (rnd.outcome if rnd and rnd.outcome else a.status) if what == "decided" else a.status
        return activity_views.ActivityNoticeDM(
            locale=people.locale(notice.recipient, team.locale), what=what, activity_id=a.id, theme=a.theme,
            team_name=team.name, channel=team.channel, round=rnd.round if rnd else a.round, status=status,
            decided_by=rnd.decided_by if rnd else a.decided_by, comment=rnd.comment if rnd else a.reason,
        )
    return load


def load_retro_ask(s: Session, notice: OutboxNotice, now: datetime) -> activity_views.RetroAskDM:
    p = notice.payload
    a = s.get_one(Activity, p["activity_id"])
    team = team_of(s, a.team_id)
    people = People(s, now, {notice.recipient})
    return activity_views.RetroAskDM(
        locale=people.locale(notice.recipient, team.locale), activity_id=a.id, theme=a.theme, team_id=team.id,
        team_name=team.name, ended_at=int(a.ends_at.timestamp()), reminder=bool(p.get("reminder")),
        done=a.retro_at is not None, job=p["job"], period=p["period"], snoozed=p.get("snoozed", False),
    )


def load_retro_post(s: Session, notice: OutboxNotice, now: datetime) -> activity_views.RetroPost:
    a = s.get_one(Activity, notice.payload["activity_id"])
    team = team_of(s, a.team_id)
    people = People(s, now, {a.owner_id})
    r = a.retro or {}
    return activity_views.RetroPost(
        locale=team.locale, activity_id=a.id, team_name=team.name, theme=a.theme, owner=people.person(a.owner_id),
        starts_at=int(a.starts_at.timestamp()), ends_at=int(a.ends_at.timestamp()), targets=dict(a.targets or {}),
        actuals=dict(r.get("actuals") or {}), worked=r.get("worked", ""), didnt=r.get("didnt", ""),
        improve=r.get("improve", ""), mention=team.mention_in_summaries,
    )


LOADERS = NoticeLoaders(
    cards={"activity": load_activity_card},
    card_models={"activity": Activity},
    dms={
        "activity_sent": _activity_notice("sent"),
        "activity_decided": _activity_notice("decided"),
        "retro_ask": load_retro_ask,
    },
    posts={"activity_retro": load_retro_post},
)
