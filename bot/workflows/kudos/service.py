"""Recognition use cases (issue 18, docs/RULES.md §四(四)): a colleague's kudos and a
supervisor's honour of the month. One transaction each; the channel post and the DM
they cause are written in it. Recognition is context, never a score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.periods import local_date, local_instant, month_bounds
from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized
from bot.kernel.people import _locale_for, _resolve_team
from bot.kernel.refusals import NOT_A_SUPERVISOR
from bot.kernel.team import TeamView, team_view, zone_of
from bot.kernel.views import Mention
from bot.workflows.kudos import rules
from storage import kudos as kudos_rows
from storage import queries
from storage.db import transaction
from storage.kudos import Honour, Kudos
from storage.models import Membership

KUDOS = "kudos"
HONOUR = "honour"


@dataclass(frozen=True)
class KudosDone:
    locale: str
    team_name: str
    recipient: str
    left_today: int


@dataclass(frozen=True)
class HonourDone:
    locale: str
    team_name: str
    recipient: str
    month: str


def _in_team(s: Session, team_id: int, user_id: str) -> bool:
    return queries.has_role(s, team_id, user_id, "member") or queries.has_role(s, team_id, user_id, "supervisor")


def _check_recipient(s: Session, team: TeamView, giver: str, recipient: str) -> None:
    if recipient == giver:
        raise InvalidInput(N_("Kudos are for a colleague: you cannot recognise yourself."))
    if not _in_team(s, team.id, recipient):
        raise InvalidInput(N_("{user} is not an active member of {team}; kudos go to colleagues of your team."),
                           user=Mention(recipient), team=team.name)


def _day_bounds(now: datetime, s: Session, user_id: str, team: TeamView) -> tuple[datetime, datetime]:
    """The giver's own day: midnight to midnight in their Slack zone, else the team's."""
    zone = zone_of(queries.slack_users(s, [user_id]).get(user_id), team)
    today = local_date(now, zone)
    return local_instant(today, time(0), zone), local_instant(today + timedelta(days=1), time(0), zone)


def zone_unknown(*, db: sessionmaker[Session], clock: Clock, user_id: str) -> bool:
    """Whether the giver's Slack profile (their zone) is missing or stale: the listener asks Slack first."""
    with transaction(db) as s:
        prof = queries.slack_users(s, [user_id]).get(user_id)
        return prof is None or prof.refreshed_at < clock.now() - notices.PROFILE_MAX_AGE


def give_kudos(*, db: sessionmaker[Session], clock: Clock, user_id: str, recipient: str, reason: str,
               channel_id: str | None, workspace: str | None = None) -> KudosDone:
    """Kudos to a colleague of the giver's team (of the request's ``workspace``, when given)."""
    now = clock.now()
    with transaction(db) as s:
        row, _fallback = _resolve_team(s, user_id, channel_id=channel_id, team_id=None, workspace=workspace)
        team = team_view(row)
        _check_recipient(s, team, user_id, recipient)
        reason = rules.check_reason(reason)
        cap = rules.recognition_of(row.recognition).daily_cap
        # Serialise this giver's kudos (PostgreSQL): two at once cannot both pass the cap.
        s.query(Membership).filter_by(user_id=user_id).with_for_update().all()
        start, end = _day_bounds(now, s, user_id, team)
        given = kudos_rows.given_since(s, team.id, user_id, start, end)
        if given >= cap:
            raise InvalidInput(N_("You have given your {cap} kudos for today in {team}; you can give more tomorrow."),
                               cap=cap, team=team.name)
        k = Kudos(team_id=team.id, giver_id=user_id, recipient_id=recipient, reason=reason, created_at=now)
        s.add(k)
        s.flush()
        queries.add_audit(s, at=now, actor_id=user_id, action="kudos.give", outcome="ok", team_id=team.id,
                          item_kind=KUDOS, item_id=k.id, before=None, after={"recipient": recipient}, detail=None)
        notices.enqueue_post(s, channel=team.channel, type="kudos_post", team_id=team.id, now=now,
                             key=f"kudos_post:{k.id}", kudos_id=k.id)
        notices.enqueue_dm(s, user=recipient, type="kudos_received", team_id=team.id, now=now,
                           key=f"kudos_received:{k.id}", kudos_id=k.id)
        notices.enqueue_homes(s, users=[recipient], now=now)
        return KudosDone(_locale_for(s, user_id, team), team.name, recipient, cap - given - 1)


def honour(*, db: sessionmaker[Session], clock: Clock, user_id: str, recipient: str, citation: str,
           month: tuple[int, int] | None, channel_id: str | None, workspace: str | None = None) -> HonourDone:
    """A supervisor names the team's honour of the month: once per team and month (a team of
    the request's ``workspace``, when given)."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        row, _fallback = _resolve_team(s, user_id, channel_id=channel_id, team_id=None, workspace=workspace)
        team = team_view(row)
        if not queries.has_role(s, team.id, user_id, "supervisor"):
            failure = NotAuthorized(N_("Only a supervisor of {team} names its honour of the month."),
                                    team=team.name).refused("kudos.honour", NOT_A_SUPERVISOR, team_id=team.id)
        else:
            if recipient == user_id:
                raise InvalidInput(N_("The honour of the month goes to a colleague, not to yourself."))
            _check_recipient(s, team, user_id, recipient)
            label = rules.honour_month(team.today(now), month)
            citation = rules.check_reason(citation)
            done = _store_honour(s, team, user_id, recipient, citation, label, now)
            if isinstance(done, Exception):
                failure = done
            else:
                return done
    assert failure is not None
    raise failure


def _store_honour(s: Session, team: TeamView, user_id: str, recipient: str, citation: str, label: str,
                  now: datetime) -> HonourDone | Exception:
    earlier = kudos_rows.honour_of(s, team.id, label)
    if earlier is None:
        h = Honour(team_id=team.id, month=label, user_id=recipient, citation=citation, honoured_by=user_id,
                   created_at=now)
        try:
            with s.begin_nested():
                s.add(h)
                s.flush()
        except IntegrityError:  # another supervisor, at the same instant
            earlier = kudos_rows.honour_of(s, team.id, label)
        else:
            queries.add_audit(s, at=now, actor_id=user_id, action="kudos.honour", outcome="ok", team_id=team.id,
                              item_kind=HONOUR, item_id=h.id, before=None,
                              after={"recipient": recipient, "month": label}, detail=None)
            notices.enqueue_post(s, channel=team.channel, type="honour_post", team_id=team.id, now=now,
                                 key=f"honour_post:{h.id}", honour_id=h.id)
            notices.enqueue_dm(s, user=recipient, type="honour_received", team_id=team.id, now=now,
                               key=f"honour_received:{h.id}", honour_id=h.id)
            return HonourDone(_locale_for(s, user_id, team), team.name, recipient, label)
    assert earlier is not None
    queries.add_audit(s, at=now, actor_id=user_id, action="kudos.honour", outcome="conflict", team_id=team.id,
                      item_kind=HONOUR, item_id=earlier.id, before=None, after=None,
                      detail=f"{label} already honoured")
    return Conflict(N_("{month} already has its honour of the month in {team}: {user}, named by {by}."),
                    month=label, team=team.name, user=Mention(earlier.user_id), by=Mention(earlier.honoured_by))


def received_this_month(s: Session, team: TeamView, user_id: str, now: datetime) -> int:
    """For Home: kudos the person received this month (the team's month)."""
    start, end = month_bounds(now, team.tz)
    return kudos_rows.count_between(s, team.id, start, end, recipient=user_id)


def year_recognition(s: Session, team: TeamView, user_id: str, year: int) -> tuple[int, list[str]]:
    """For the annual review, as context only (never in the score): kudos received in the
    year (the team's calendar year) and the months the person was the honour of the month."""
    start, end = (local_instant(date(y, 1, 1), time(0), team.tz) for y in (year, year + 1))
    return kudos_rows.count_between(s, team.id, start, end, recipient=user_id), kudos_rows.honour_months(
        s, team.id, user_id, year)
