"""Loaders for the recognition notices: the channel posts and the DMs to the person recognised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.workflows.kudos import views
from storage.kudos import Honour, Kudos
from storage.models import OutboxNotice


def _row(s: Session, notice: OutboxNotice) -> tuple[str, Kudos | Honour]:
    p = notice.payload
    if "honour_id" in p:
        return "honour", s.get_one(Honour, p["honour_id"])
    return "kudos", s.get_one(Kudos, p["kudos_id"])


def _fields(row: Kudos | Honour) -> dict[str, str]:
    if isinstance(row, Honour):
        return {"giver": row.honoured_by, "recipient": row.user_id, "reason": row.citation, "month": row.month}
    return {"giver": row.giver_id, "recipient": row.recipient_id, "reason": row.reason}


def _load_post(s: Session, notice: OutboxNotice, now: datetime) -> views.KudosPost:
    what, row = _row(s, notice)
    team = team_of(s, row.team_id)
    return views.KudosPost(locale=team.locale, what=what, team_name=team.name, **_fields(row))


def _load_dm(s: Session, notice: OutboxNotice, now: datetime) -> views.KudosDM:
    what, row = _row(s, notice)
    team = team_of(s, row.team_id)
    f = _fields(row)
    people = People(s, now, {notice.recipient})
    return views.KudosDM(locale=people.locale(notice.recipient, team.locale), what=what, team_name=team.name,
                         channel=team.channel, giver=f["giver"], reason=f["reason"], month=f.get("month", ""))


LOADERS = NoticeLoaders(
    posts={"kudos_post": _load_post, "honour_post": _load_post},
    dms={"kudos_received": _load_dm, "honour_received": _load_dm},
)
