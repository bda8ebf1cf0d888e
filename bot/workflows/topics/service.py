"""Topic use cases (docs/PRODUCT.md §2.1): one function per thing a person does.

Each opens exactly one transaction, applies the rules, and writes the
notices it causes into the outbox in that same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel import views as v
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound, NotInTeam
from bot.kernel.i18n import resolve_locale
from bot.kernel.people import _locale_for, _resolve_team
from bot.kernel.refusals import decider_refusal
from bot.kernel.team import team_view
from bot.workflows.topics import views as topic_views
from bot.workflows.topics.quota import progress_for
from bot.workflows.topics.rules import TopicDraft, TopicStatus, title_key, validate_draft
from storage import queries
from storage import topics as topic_rows
from storage.db import transaction
from storage.models import Team
from storage.topics import Topic

TOPIC = "topic"


@dataclass(frozen=True)
class Proposed:
    topic_id: int
    title: str
    team_name: str
    count: int
    quota: int
    locale: str
    chosen_by_default: bool


@dataclass(frozen=True)
class Decided:
    topic_id: int
    status: str
    title: str
    locale: str


@dataclass(frozen=True)
class FormContext:
    locale: str
    teams: list[tuple[int, str, tuple[str, ...]]]  # id, name, platforms
    default_team_id: int


@dataclass(frozen=True)
class TopicList:
    locale: str
    team_name: str
    week: str
    lines: list[topic_views.TopicLine]
    count: int | None = None
    quota: int | None = None


def form_context(*, db: sessionmaker[Session], user_id: str, channel_id: str | None,
                 workspace: str | None = None) -> FormContext:
    with transaction(db) as s:
        team, _ = _resolve_team(s, user_id, channel_id=channel_id, team_id=None, workspace=workspace)
        teams = [team_view(t) for t in queries.teams_of_user(s, user_id, workspace=workspace)]
        return FormContext(
            locale=_locale_for(s, user_id, team_view(team)),
            teams=[(t.id, t.name, t.platforms) for t in teams],
            default_team_id=team.id,
        )


def propose_topic(
    *,
    db: sessionmaker[Session],
    clock: Clock,
    user_id: str,
    draft: TopicDraft,
    channel_id: str | None = None,
    team_id: int | None = None,
    response_url: str | None = None,
    workspace: str | None = None,
) -> Proposed:
    """A proposal to a team of the request's ``workspace`` (when given: OAuth mode)."""
    now = clock.now()
    with transaction(db) as s:
        row, by_default = _resolve_team(s, user_id, channel_id=channel_id, team_id=team_id, workspace=workspace)
        team = team_view(row)
        draft = validate_draft(draft, platforms=list(team.platforms), today=team.today(now))
        week = team.week(now)
        key = title_key(draft.title)
        # Asked first, though the partial unique index below would catch it:
        # on PostgreSQL a failed INSERT still spends an id, and people see ids.
        if topic_rows.duplicate_topic(s, team.id, user_id, week, key) is not None:
            raise InvalidInput(
                N_("You already proposed “{title}” this week; nothing new was saved."), field="title", title=draft.title
            )
        topic = Topic(
            team_id=team.id,
            author_id=user_id,
            title=draft.title,
            title_key=key,
            angle=draft.angle,
            platform=draft.platform,
            planned_date=draft.planned_date,
            week=week,
            status=TopicStatus.PROPOSED,
            created_at=now,
        )
        s.add(topic)
        try:
            s.flush()
        except IntegrityError:
            # The partial unique index caught a concurrent twin of this proposal.
            raise InvalidInput(
                N_("You already proposed “{title}” this week; nothing new was saved."), field="title", title=draft.title
            ) from None
        prog = progress_for(s, team, [user_id], monday=team.monday(now))[user_id]
        queries.add_audit(
            s, at=now, actor_id=user_id, action="topic.propose", outcome="ok", team_id=team.id,
            item_kind=TOPIC, item_id=topic.id, before=None, after=_snapshot(topic),
        )
        notices.enqueue_card(s, item=TOPIC, item_id=topic.id, team=team, now=now, homes=[user_id])
        locale = _locale_for(s, user_id, team)
        if response_url:
            notices.enqueue_response(
                s, url=response_url, type="proposal_confirmation", now=now, locale=locale, topic_id=topic.id,
                title=topic.title, team_name=team.name, count=prog.count, quota=prog.quota,
                chosen_by_default=by_default,
            )
        return Proposed(topic.id, topic.title, team.name, prog.count, prog.quota, locale, by_default)


def _snapshot(t: Topic) -> dict:
    return {"status": t.status, "title": t.title, "decided_by": t.decided_by, "reason": t.reason}


OWN_TOPIC = N_("Another supervisor decides on your own topic.")


def _may_decide(topic: Topic, user_id: str, supervises: bool, action: str) -> NotAuthorized | None:
    return decider_refusal(supervises=supervises, own=topic.author_id == user_id, own_msgid=OWN_TOPIC, action=action,
                           item_kind=TOPIC, item_id=topic.id, team_id=topic.team_id)


def _already_decided(topic: Topic) -> Conflict:
    if topic.status == TopicStatus.WITHDRAWN:
        return Conflict(N_("This topic was withdrawn by its author; there is nothing to decide."))
    return Conflict(
        N_("{user} already decided this topic ({status})."), user=v.Mention(topic.decided_by or "?"), status=topic.status
    )


def check_can_decide(*, db: sessionmaker[Session], clock: Clock, user_id: str, topic_id: int,
                     workspace: str | None = None) -> str:
    """Before opening the reject modal: only a supervisor of the topic's team,
    never on their own topic, only while it is undecided. A refusal is
    audited where it is told (``bot/kernel/refusals.py``). Returns the title."""
    with transaction(db) as s:
        loaded = topic_rows.topic_for_decision(s, topic_id, user_id, workspace)
        if loaded is None:
            raise NotFound()
        topic, _team, supervises, _locale = loaded
        denied: Exception | None = _may_decide(topic, user_id, supervises, "topic.reject")
        if denied is None and topic.status != TopicStatus.PROPOSED:
            denied = _already_decided(topic)
        title = topic.title
    if denied:
        raise denied
    return title


def decide_topic(
    *,
    db: sessionmaker[Session],
    clock: Clock,
    user_id: str,
    topic_id: int,
    approve: bool,
    reason: str | None = None,
    workspace: str | None = None,
) -> Decided:
    """Approve or reject: a supervisor of the topic's team, never its author.
    Authorization comes from the store, never the payload; exactly one of
    several concurrent decisions wins. A topic outside the request's
    ``workspace`` (when given) is answered as a missing one."""
    now = clock.now()
    action = "topic.approve" if approve else "topic.reject"
    failure: Exception | None = None
    with transaction(db) as s:
        # One statement loads the topic, its team, the role and the locale: a
        # click's ack waits on every round trip here (docs/performance.md).
        loaded = topic_rows.topic_for_decision(s, topic_id, user_id, workspace)
        if loaded is None:
            raise NotFound()
        topic, team_row, supervises, locale = loaded
        team = team_view(team_row)
        failure = _may_decide(topic, user_id, supervises, action)
        if failure is None:
            before = _snapshot(topic)
            status = TopicStatus.APPROVED if approve else TopicStatus.REJECTED
            reason = (reason or "").strip() or None
            if topic_rows.decide_topic_if_open(s, topic, status=status, actor=user_id, at=now, reason=reason):
                queries.add_decision(s, item_kind=TOPIC, item_id=topic_id, decision=status, actor_id=user_id,
                                     reason=reason, at=now)
                queries.add_audit(
                    s, at=now, actor_id=user_id, action=action, outcome="ok", team_id=team.id,
                    item_kind=TOPIC, item_id=topic_id, before=before, after=_snapshot(topic),
                )
                notices.enqueue_card(s, item=TOPIC, item_id=topic_id, team=team, now=now, homes=[topic.author_id])
                notices.enqueue_dm(s, user=topic.author_id, type="topic_decided", team_id=team.id, now=now,
                                   key=f"topic_decided:{topic_id}", topic_id=topic_id)
                return Decided(topic_id, status, topic.title, resolve_locale(locale, team.locale))
            s.refresh(topic)
            queries.add_audit(
                s, at=now, actor_id=user_id, action=action, outcome="conflict", team_id=team.id,
                item_kind=TOPIC, item_id=topic_id, before=None, after=None,
                detail=f"already {topic.status} by {topic.decided_by}",
            )
            failure = _already_decided(topic)
    raise failure


def withdraw_topic(*, db: sessionmaker[Session], clock: Clock, user_id: str, topic_id: int,
                   workspace: str | None = None) -> Decided:
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        topic = s.get(Topic, topic_id)
        if topic is not None and workspace is not None and s.get_one(Team, topic.team_id).workspace != workspace:
            topic = None  # another workspace's topic: as good as missing
        if topic is None or topic.author_id != user_id:
            # Someone else's topic is answered like a missing one: ids are not a way to probe.
            error = NotFound(N_("You have no topic #{id}."), id=topic_id)
            raise error if topic is None else error.refused("topic.withdraw", "not the author", item_kind=TOPIC,
                                                            item_id=topic.id, team_id=topic.team_id)
        team = team_view(s.get_one(Team, topic.team_id))
        before = _snapshot(topic)
        if topic_rows.withdraw_topic_if_open(s, topic_id, user_id):
            s.refresh(topic)
            queries.add_audit(
                s, at=now, actor_id=user_id, action="topic.withdraw", outcome="ok", team_id=team.id,
                item_kind=TOPIC, item_id=topic_id, before=before, after=_snapshot(topic),
            )
            notices.enqueue_card(s, item=TOPIC, item_id=topic_id, team=team, now=now, homes=[user_id])
            return Decided(topic_id, topic.status, topic.title, _locale_for(s, user_id, team))
        s.refresh(topic)
        failure = Conflict(N_("Topic #{id} is already {status}; only undecided topics can be withdrawn."),
                           id=topic_id, status=topic.status)
    raise failure


def my_topics(*, db: sessionmaker[Session], clock: Clock, user_id: str, channel_id: str | None,
              workspace: str | None = None) -> list[TopicList]:
    """The caller's topics this week, one list per team they belong to (in ``workspace``, when given)."""
    now = clock.now()
    with transaction(db) as s:
        teams = [team_view(t) for t in queries.teams_of_user(s, user_id, workspace=workspace)]
        if not teams:
            raise NotInTeam()
        out = []
        for team in teams:
            prog = progress_for(s, team, [user_id], monday=team.monday(now))[user_id]
            rows = topic_rows.topics_for_week(s, team.id, team.week(now), author_id=user_id)
            me = v.Person(user_id, None)
            out.append(TopicList(_locale_for(s, user_id, team), team.name, team.week(now),
                                 [topic_views.TopicLine(t.id, t.title, t.status, me) for t in rows], prog.count, prog.quota))
        return out


def team_topics(*, db: sessionmaker[Session], clock: Clock, user_id: str, channel_id: str | None,
                workspace: str | None = None) -> TopicList:
    """The team's week, for its supervisors (of a team in ``workspace``, when given)."""
    now = clock.now()
    with transaction(db) as s:
        supervised = queries.teams_of_user(s, user_id, role="supervisor", workspace=workspace)
        if not supervised:
            raise NotAuthorized(N_("Only supervisors can list the team's topics.")).refused(
                "topic.list_team", "not a supervisor of any team", item_kind=TOPIC)
        row = next((t for t in supervised if t.channel == channel_id), supervised[0])
        team = team_view(row)
        rows = topic_rows.topics_for_week(s, team.id, team.week(now))
        names = queries.slack_users(s, [t.author_id for t in rows])
        lines = [
            topic_views.TopicLine(t.id, t.title, t.status, v.Person(t.author_id, getattr(names.get(t.author_id), "name", None)))
            for t in rows
        ]
        return TopicList(_locale_for(s, user_id, team), team.name, team.week(now), lines)
