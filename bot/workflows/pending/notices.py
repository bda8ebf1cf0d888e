"""Loader for the pending nudge."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.workflows.pending import service as pending
from bot.workflows.pending import views as pending_views
from storage.models import OutboxNotice


def _load_pending_nudge(s: Session, notice: OutboxNotice, now: datetime) -> pending_views.PendingNudgeDM:
    p = notice.payload
    team = team_of(s, notice.team_id)
    # What still waits at delivery time, of what the job found waiting.
    asked = {tuple(r) for r in p.get("items") or [["topic", i] for i in p.get("topic_ids", [])]}
    items = [w for w in pending.waiting(s, team.id, now) if tuple(w.ref) in asked]
    people = People(s, now, {notice.recipient} | {w.author_id for w in items})
    return pending_views.PendingNudgeDM(
        locale=people.locale(notice.recipient, team.locale),
        team_name=team.name,
        channel=team.channel,
        items=[
            pending_views.PendingItem(w.id, w.title, people.person(w.author_id), int((now - w.since).total_seconds() // 3600),
                          kind=w.kind)
            for w in items
        ],
        job=p["job"],
        period=p["period"],
        team_id=team.id,
    )


LOADERS = NoticeLoaders(dms={"pending_nudge": _load_pending_nudge})
