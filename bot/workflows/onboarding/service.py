"""Onboarding use cases (docs/PRODUCT.md §2.6): the team's checklist set by its
supervisors, a run for each member added, Done pressed by the member, and
what Home shows of it. One transaction each; notices are written in it.

A team the teams file manages keeps its checklist there (``onboarding:``):
Slack shows it and refuses a change, as it does the team's people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, NotAuthorized, NotFound
from bot.kernel.people import _locale_for
from bot.kernel.team import TeamView, team_view
from bot.kernel.teams import FILE
from bot.kernel.views import Mention
from bot.workflows.onboarding import rules, views
from bot.workflows.teams.service import FILE_MANAGED
from storage import onboarding as rows
from storage import queries
from storage.db import transaction
from storage.models import Team

ONBOARDING = "onboarding"
NOT_SUPERVISOR = N_("Only a supervisor of this team can change its onboarding checklist.")
NOT_YOURS = N_("This onboarding item is {member}'s: only they can mark it done.")


@dataclass(frozen=True)
class ChecklistSaved:
    locale: str
    team_name: str
    count: int


@dataclass(frozen=True)
class ItemDone:
    locale: str
    text: str
    already: bool


def _refuse(error: NotAuthorized, action: str, reason: str, team_id: int | None,
            item_kind: str = "team", item_id: int | None = None) -> NotAuthorized:
    return error.refused(action, reason, item_kind=item_kind, item_id=item_id if item_id is not None else team_id,
                         team_id=team_id)


def checklist_form(*, db: sessionmaker[Session], user_id: str, workspace: str | None = None, channel_id: str | None) -> views.ChecklistForm:
    """The checklist of the team the supervisor is in (its channel, else their first team)."""
    with transaction(db) as s:
        supervised = list(queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace))
        here = queries.team_by_channel(s, channel_id) if channel_id else None
        if not supervised or (here is not None and here.id not in {t.id for t in supervised}):
            error = _refuse(NotAuthorized(NOT_SUPERVISOR), "onboarding.open", "not a supervisor of the team",
                            here.id if here else None)
        else:
            team = next((t for t in supervised if here is not None and t.id == here.id), supervised[0])
            return views.ChecklistForm(_locale_for(s, user_id, team_view(team)), team.id, team.name,
                                       rules.checklist_text(team.onboarding or []), team.managed_by == FILE)
    raise error


def save_checklist(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, team_id: int,
                   text: str) -> ChecklistSaved:
    """Replace the team's checklist. Runs already under way keep theirs; runs
    started while there was none take this one."""
    items = rules.parse_checklist(text)
    now = clock.now()
    with transaction(db) as s:
        team = s.get(Team, team_id)
        if team is None or not team.active or not queries.in_workspace(s, team.id, workspace):
            raise NotFound()
        if not queries.has_role(s, team.id, user_id, "supervisor"):
            raise _refuse(NotAuthorized(NOT_SUPERVISOR), "onboarding.update", "not a supervisor of the team", team.id)
        if team.managed_by == FILE:
            raise _refuse(NotAuthorized(FILE_MANAGED, team=team.name), "onboarding.update",
                          "managed by the teams file", team.id)
        before = list(team.onboarding or [])
        team.onboarding = [i.stored() for i in items]
        team.updated_at = now
        if team.onboarding:
            rows.fill_empty_runs(s, team.id, team.onboarding)
        queries.add_audit(s, at=now, actor_id=user_id, action="onboarding.update", outcome="ok", team_id=team.id,
                          item_kind="team", item_id=team.id, before={"onboarding": before},
                          after={"onboarding": team.onboarding}, detail=None)
        notices.enqueue_homes(s, supervisors_of=team.id, now=now)
        return ChecklistSaved(_locale_for(s, user_id, team_view(team)), team.name, len(items))


def mark_done(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, item_id: int) -> ItemDone:
    """Only the member whose item it is may mark it done."""
    now = clock.now()
    with transaction(db) as s:
        found = rows.item_with_run(s, item_id)
        if found is None or not queries.in_workspace(s, found[1].team_id, workspace):
            raise NotFound()
        item, run = found
        if run.user_id != user_id:
            raise _refuse(NotAuthorized(NOT_YOURS, member=Mention(run.user_id)), "onboarding.done",
                          "not the member's own item", run.team_id, item_kind=ONBOARDING, item_id=item.id)
        marked = rows.mark_done(s, item.id, now)
        team = s.get_one(Team, run.team_id)
        if marked:
            queries.add_audit(s, at=now, actor_id=user_id, action="onboarding.done", outcome="ok", team_id=team.id,
                              item_kind=ONBOARDING, item_id=item.id, before=None, after={"done": True}, detail=None)
            notices.enqueue_homes(s, users=[user_id], supervisors_of=team.id, now=now)
        return ItemDone(_locale_for(s, user_id, team_view(team)), item.text, not marked)


# -- Home ---------------------------------------------------------------------------


def open_items(s: Session, team: TeamView, user_id: str, now: datetime) -> list[views.OpenItem]:
    """The viewer's items whose day has come and that are not done: they stay until done."""
    today = team.today(now)
    out = []
    for run, items in rows.team_runs(s, team.id):
        if run.user_id != user_id:
            continue
        for it in items:
            due = rules.due_date(run.start_date, it.day, team.calendar)
            if it.done_at is None and due <= today:
                out.append(views.OpenItem(it.id, it.day, it.text, due, due < today))
    return out


def progress(s: Session, team: TeamView, now: datetime) -> list[views.MemberProgress]:
    """Each new member still onboarding: items done of all, and how many are overdue."""
    today = team.today(now)
    out = []
    for run, items in rows.team_runs(s, team.id):
        done = sum(1 for it in items if it.done_at is not None)
        if not items or done == len(items):
            continue
        overdue = sum(1 for it in items if it.done_at is None
                      and rules.due_date(run.start_date, it.day, team.calendar) < today)
        out.append(views.MemberProgress(run.user_id, done, len(items), overdue))
    return out
