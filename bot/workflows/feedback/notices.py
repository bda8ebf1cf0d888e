"""Loaders for the feedback talk's DMs: each shows the talk's time in the
recipient's own zone (and Slack's date token, which every reader sees in theirs)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.kernel.team import zone_of
from bot.workflows.feedback import views as fv
from bot.workflows.feedback.rules import RECORDABLE, TalkStatus
from storage import feedback as rows
from storage.feedback import FeedbackTalk, ImprovementItem
from storage.models import OutboxNotice


def _talk_dm(s: Session, notice: OutboxNotice, now: datetime) -> fv.TalkDM:
    t = s.get_one(FeedbackTalk, notice.payload["talk_id"])
    team = team_of(s, t.team_id)
    me = notice.recipient
    people = People(s, now, {me, t.user_id, t.scheduled_by})
    zone = zone_of(people.users.get(me), team)
    local = t.starts_at.astimezone(zone)
    kind = notice.payload["type"]
    version = int(notice.payload.get("version") or 1)
    items = []
    if kind in ("talk_plan", "talk_acknowledged", "talk_objected"):
        items = [fv.ItemLine(i.id, i.text, i.owner_id, i.due_date, i.status, i.comment, t.user_id)
                 for i in rows.items_of_talk(s, t.id, version)]
    if kind == "talk_plan":
        open_ = t.status == TalkStatus.RECORDED and t.plan_version == version
    elif kind == "talk_objected":
        open_ = t.status == TalkStatus.OBJECTED and t.plan_version == version
    else:
        open_ = t.status in RECORDABLE
    return fv.TalkDM(
        locale=people.locale(me, team.locale), type=kind, talk_id=t.id, period=t.period, team_name=team.name,
        member=people.person(t.user_id), supervisor=people.person(t.recorded_by or t.scheduled_by),
        for_member=me == t.user_id, starts_at=int(t.starts_at.timestamp()),
        local_time=f"{local:%Y-%m-%d %H:%M} ({zone.key})", place=t.place, version=version,
        notes=t.notes if kind != "talk_scheduled" else None, items=items, objection=t.objection, open=open_)


def _item_dm(s: Session, notice: OutboxNotice, now: datetime) -> fv.ItemDM:
    i = s.get_one(ImprovementItem, notice.payload["item_id"])
    team = team_of(s, i.team_id)
    people = People(s, now, {notice.recipient})
    return fv.ItemDM(locale=people.locale(notice.recipient, team.locale), item_id=i.id, team_name=team.name,
                     member=i.user_id, text=i.text, due=i.due_date, open=i.status == "open")


LOADERS = NoticeLoaders(dms={
    **{k: _talk_dm for k in ("talk_scheduled", "talk_reminder", "talk_plan", "talk_acknowledged", "talk_objected")},
    "item_followup": _item_dm,
})
