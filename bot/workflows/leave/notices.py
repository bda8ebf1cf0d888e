"""Loaders for the leave notices: the card and the decision DMs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import Loaded, NoticeLoaders, People, epoch, team_of
from bot.workflows.leave import views as leave_views
from storage.leave import Leave
from storage.models import OutboxNotice


def load_leave_card(s: Session, leave_id: int, now: datetime) -> Loaded:

    lv = s.get_one(Leave, leave_id)
    team = team_of(s, lv.team_id)
    people = People(s, now, {lv.user_id} | ({lv.decided_by} if lv.decided_by else set()))
    view = leave_views.LeaveCardView(
        locale=team.locale, leave_id=lv.id, team_name=team.name, person=people.person(lv.user_id),
        start=lv.start_date, end=lv.end_date, workdays=len(team.calendar.working_days(lv.start_date, lv.end_date)),
        status=lv.status, decided_by=people.person(lv.decided_by) if lv.decided_by else None,
        decided_at=epoch(lv.decided_at), mention=team.mention_in_summaries,
    )
    return Loaded(view=view, channel=lv.card_channel or team.channel, ts=lv.card_ts)


def _leave_notice(what: str):
    def load(s: Session, notice: OutboxNotice, now: datetime) -> leave_views.LeaveNoticeDM:
        lv = s.get_one(Leave, notice.payload["leave_id"])
        team = team_of(s, lv.team_id)
        people = People(s, now, {notice.recipient})
        return leave_views.LeaveNoticeDM(
            locale=people.locale(notice.recipient, team.locale), what=what, leave_id=lv.id, team_name=team.name,
            person=lv.user_id, start=lv.start_date, end=lv.end_date,
            workdays=len(team.calendar.working_days(lv.start_date, lv.end_date)), status=lv.status,
            decided_by=lv.decided_by, reason=lv.decision_reason,
        )
    return load


LOADERS = NoticeLoaders(
    cards={"leave": load_leave_card},
    card_models={"leave": Leave},
    dms={
        "leave_sent": _leave_notice("sent"),
        "leave_decided": _leave_notice("decided"),
        "leave_cancelled": _leave_notice("cancelled"),
    },
)
