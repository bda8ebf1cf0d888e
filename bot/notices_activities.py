"""What the worker loads for activity and leave notices, from the store's
current state at delivery time (see ``bot/notices.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import notices
from bot import views as v
from bot.notices import Loaded, _People, _team
from storage.models import Activity, ActivityRound, Leave, OutboxNotice

CARD_PARTICIPANTS = 30  # named on the card; the rest are counted


def _epoch(t: datetime | None) -> int | None:
    return int(t.timestamp()) if t else None


def load_activity_card(s: Session, activity_id: int, now: datetime) -> Loaded:

    a = s.get_one(Activity, activity_id)
    team = _team(s, a.team_id)
    rounds = s.scalars(select(ActivityRound).where(ActivityRound.activity_id == a.id, ActivityRound.round < a.round)
                       .order_by(ActivityRound.round)).all()
    shown = list(a.participants or [])[:CARD_PARTICIPANTS]
    deciders = {r.decided_by for r in rounds if r.decided_by} | ({a.decided_by} if a.decided_by else set())
    people = _People(s, now, {a.owner_id, *shown} | deciders)
    view = v.ActivityCardView(
        locale=team.locale, activity_id=a.id, team_name=team.name, theme=a.theme, format=a.format,
        starts_at=int(a.starts_at.timestamp()), ends_at=int(a.ends_at.timestamp()), owner=people.person(a.owner_id),
        participants=[people.person(u) for u in shown], more_participants=len(a.participants or []) - len(shown),
        targets=dict(a.targets or {}), resources=a.resources,
        status=a.status, round=a.round, decided_by=people.person(a.decided_by) if a.decided_by else None,
        decided_at=_epoch(a.decided_at), reason=a.reason,
        earlier_rounds=[v.ActivityRoundLine(r.round, r.outcome, r.comment,
                                            people.person(r.decided_by) if r.decided_by else None)
                        for r in rounds],
        mention=team.mention_in_summaries,
    )
    return Loaded(view=view, channel=a.card_channel or team.channel, ts=a.card_ts)


def load_leave_card(s: Session, leave_id: int, now: datetime) -> Loaded:

    lv = s.get_one(Leave, leave_id)
    team = _team(s, lv.team_id)
    people = _People(s, now, {lv.user_id} | ({lv.decided_by} if lv.decided_by else set()))
    view = v.LeaveCardView(
        locale=team.locale, leave_id=lv.id, team_name=team.name, person=people.person(lv.user_id),
        start=lv.start_date, end=lv.end_date, workdays=len(team.calendar.working_days(lv.start_date, lv.end_date)),
        reason=lv.reason, status=lv.status, decided_by=people.person(lv.decided_by) if lv.decided_by else None,
        decided_at=_epoch(lv.decided_at), decision_reason=lv.decision_reason, mention=team.mention_in_summaries,
    )
    return Loaded(view=view, channel=lv.card_channel or team.channel, ts=lv.card_ts)


def _activity_notice(what: str):
    def load(s: Session, notice: OutboxNotice, now: datetime) -> v.ActivityNoticeDM:
        a = s.get_one(Activity, notice.payload["activity_id"])
        team = _team(s, a.team_id)
        people = _People(s, now, {notice.recipient})
        # The round this notice is about, as it was decided (a later round may be under way).
        rnd = s.scalar(select(ActivityRound).where(ActivityRound.activity_id == a.id,
                                                   ActivityRound.round == notice.payload.get("round", a.round)))
        status = (rnd.outcome if rnd and rnd.outcome else a.status) if what == "decided" else a.status
        return v.ActivityNoticeDM(
            locale=people.locale(notice.recipient, team.locale), what=what, activity_id=a.id, theme=a.theme,
            team_name=team.name, channel=team.channel, round=rnd.round if rnd else a.round, status=status,
            decided_by=rnd.decided_by if rnd else a.decided_by, comment=rnd.comment if rnd else a.reason,
        )
    return load


def load_retro_ask(s: Session, notice: OutboxNotice, now: datetime) -> v.RetroAskDM:
    p = notice.payload
    a = s.get_one(Activity, p["activity_id"])
    team = _team(s, a.team_id)
    people = _People(s, now, {notice.recipient})
    return v.RetroAskDM(
        locale=people.locale(notice.recipient, team.locale), activity_id=a.id, theme=a.theme, team_id=team.id,
        team_name=team.name, ended_at=int(a.ends_at.timestamp()), reminder=bool(p.get("reminder")),
        done=a.retro_at is not None, job=p["job"], period=p["period"], snoozed=p.get("snoozed", False),
    )


def load_retro_post(s: Session, notice: OutboxNotice, now: datetime) -> v.RetroPost:
    a = s.get_one(Activity, notice.payload["activity_id"])
    team = _team(s, a.team_id)
    people = _People(s, now, {a.owner_id})
    r = a.retro or {}
    return v.RetroPost(
        locale=team.locale, activity_id=a.id, team_name=team.name, theme=a.theme, owner=people.person(a.owner_id),
        starts_at=int(a.starts_at.timestamp()), ends_at=int(a.ends_at.timestamp()), targets=dict(a.targets or {}),
        actuals=dict(r.get("actuals") or {}), worked=r.get("worked", ""), didnt=r.get("didnt", ""),
        improve=r.get("improve", ""), mention=team.mention_in_summaries,
    )


def _leave_notice(what: str):
    def load(s: Session, notice: OutboxNotice, now: datetime) -> v.LeaveNoticeDM:
        lv = s.get_one(Leave, notice.payload["leave_id"])
        team = _team(s, lv.team_id)
        people = _People(s, now, {notice.recipient})
        return v.LeaveNoticeDM(
            locale=people.locale(notice.recipient, team.locale), what=what, leave_id=lv.id, team_name=team.name,
            person=lv.user_id, start=lv.start_date, end=lv.end_date,
            workdays=len(team.calendar.working_days(lv.start_date, lv.end_date)), status=lv.status,
            decided_by=lv.decided_by, reason=lv.decision_reason,
        )
    return load


notices._CARD_LOADERS.update({"activity": load_activity_card, "leave": load_leave_card})
notices._CARD_MODELS.update({"activity": Activity, "leave": Leave})
notices._DM_LOADERS.update({
    "activity_sent": _activity_notice("sent"),
    "activity_decided": _activity_notice("decided"),
    "retro_ask": load_retro_ask,
    "leave_sent": _leave_notice("sent"),
    "leave_decided": _leave_notice("decided"),
    "leave_cancelled": _leave_notice("cancelled"),
})
notices._POST_LOADERS.update({"activity_retro": load_retro_post})
