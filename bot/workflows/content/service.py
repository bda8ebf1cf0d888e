"""Content use cases (docs/PRODUCT.md §2.2): drafts reviewed in rounds (publishing is in
``publishing.py``). One transaction per use case; the notices a
change causes are written to the outbox in that same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotFound, NotInTeam
from bot.kernel.i18n import resolve_locale
from bot.kernel.refusals import decider_refusal
from bot.kernel.team import TeamView, team_view
from bot.kernel.views import Mention
from bot.workflows.content.rules import (
    FIELD_DRAFT_TOPIC,
    FIELD_LINK,
    DraftStatus,
    validate_checklist,
    validate_comment,
    validate_link,
)
from storage import content as content_rows
from storage import queries
from storage.content import Draft, DraftRound
from storage.db import transaction
from storage.models import Decision, Team
from storage.topics import Topic

DRAFT = "draft"


class NothingToDraft(NotFound):
    msgid = N_("You have no approved topic waiting for a draft. Propose one with `/topic`; once a supervisor "
               "approves it, `/draft` offers it here.")


@dataclass(frozen=True)
class DraftForm:
    locale: str
    topics: list[tuple[int, str, str]]  # topic id, title, team name
    draft_id: int | None = None  # set for a resubmission
    round: int = 1  # the round this submission will be
    link: str | None = None  # the last round's link, to start from


@dataclass(frozen=True)
class Submitted:
    draft_id: int
    round: int


def _locale(s: Session, user_id: str, team_locale: str) -> str:
    u = queries.slack_users(s, [user_id]).get(user_id)
    return resolve_locale(u.locale if u else None, team_locale)


def _first_team_locale(s: Session, user_id: str, workspace: str | None) -> str:
    """The language of the person's first team (of the request's ``workspace``, when given)."""
    teams = queries.teams_of_user(s, user_id, workspace=workspace)
    if not teams:
        raise NotInTeam()
    return _locale(s, user_id, teams[0].locale)


def _team(s: Session, team_id: int) -> TeamView:
    return team_view(s.get_one(Team, team_id))


def _audit(s: Session, *, now: datetime, user_id: str, action: str, outcome: str, team_id: int | None, kind: str,
           item_id: int | None, before: dict | None = None, after: dict | None = None, detail: str | None = None) -> None:
    queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome=outcome, team_id=team_id, item_kind=kind,
                      item_id=item_id, before=before, after=after, detail=detail)


def _snapshot(d: Draft) -> dict:
    return {"status": d.status, "round": d.round, "approved_by": d.approved_by}


def _thread(s: Session, draft: Draft, team: TeamView, event: str, now: datetime) -> None:
    """One line of the draft's history, as a reply in its card's thread."""
    notices.enqueue_post(s, channel=team.channel, type="draft_thread", team_id=team.id, now=now,
                         key=f"draft_thread:{draft.id}:{draft.round}:{event}", draft_id=draft.id, round=draft.round,
                         event=event)


# -- drafts -------------------------------------------------------------------


def draft_form(*, db: sessionmaker[Session], user_id: str, workspace: str | None = None) -> DraftForm:
    """What ``/draft`` offers: the caller's approved topics without a draft (of teams of
    the request's ``workspace``, when given)."""
    with transaction(db) as s:
        locale = _first_team_locale(s, user_id, workspace)
        topics = [(t, name) for t, name in content_rows.topics_ready_for_draft(s, user_id)
                  if queries.in_workspace(s, t.team_id, workspace)]
        if not topics:
            raise NothingToDraft()
        return DraftForm(locale, [(t.id, t.title, name) for t, name in topics])


def resubmit_form(*, db: sessionmaker[Session], user_id: str, draft_id: int,
                  workspace: str | None = None) -> DraftForm:
    """What **Resubmit** opens: the same draft, the last round's link to start from."""
    with transaction(db) as s:
        draft = _own_draft(s, user_id, draft_id, "draft.resubmit", workspace)
        team = _team(s, draft.team_id)
        if draft.status != DraftStatus.CHANGES_REQUESTED:
            raise Conflict(N_("Draft #{id} is not waiting for changes (it is {status})."), id=draft_id,
                           status=draft.status)
        last = content_rows.the_round(s, draft.id, draft.round)
        title = content_rows.topic_title_of_draft(s, draft.id)
        return DraftForm(_locale(s, user_id, team.locale), [(draft.topic_id, title, team.name)], draft.id,
                         draft.round + 1, last.link)


def submit_draft(
    *,
    db: sessionmaker[Session],
    clock: Clock,
    user_id: str,
    view_id: str,
    link: str | None,
    checklist: list[str] | None,
    topic_id: int | None = None,
    draft_id: int | None = None,
    workspace: str | None = None,
) -> Submitted:
    """A first submission (``topic_id``) or a resubmission (``draft_id``): a
    new round either way. The same modal submitted twice (a double click, a
    Slack retry) is recognised by its view id and creates nothing twice."""
    now = clock.now()
    with transaction(db) as s:
        seen = content_rows.round_by_view(s, view_id) if view_id else None
        if seen is not None:
            return Submitted(seen.draft_id, seen.number)
        if draft_id is None:
            draft, before = _first_draft(s, user_id, topic_id, now, workspace), None
        else:
            draft = _own_draft(s, user_id, draft_id, "draft.submit", workspace)
            before = _snapshot(draft)
        link = validate_link(link, field=FIELD_LINK)
        ticked = validate_checklist(checklist)
        if draft_id is None:
            s.add(draft)
        else:
            _resubmit(s, draft, user_id)
        try:
            with s.begin_nested():
                s.flush()
                s.add(DraftRound(draft_id=draft.id, number=draft.round, link=link, checklist=ticked, submitted_at=now,
                                 view_id=view_id or None))
                s.flush()
        except IntegrityError:
            # A concurrent twin of this very submission got there first.
            raise Conflict(N_("This draft was just submitted; nothing new was saved.")) from None
        team = _team(s, draft.team_id)
        _audit(s, now=now, user_id=user_id, action="draft.submit", outcome="ok", team_id=team.id, kind=DRAFT,
               item_id=draft.id, before=before, after={**_snapshot(draft), "link": link})
        notices.enqueue_card(s, item=DRAFT, item_id=draft.id, team=team, now=now, homes=[draft.author_id])
        _thread(s, draft, team, "submitted", now)
        return Submitted(draft.id, draft.round)


def _first_draft(s: Session, user_id: str, topic_id: int | None, now: datetime,
                 workspace: str | None = None) -> Draft:
    """A new draft for one of the author's approved topics (not added yet), of a team in
    ``workspace`` when given."""
    topic = s.get(Topic, topic_id) if topic_id is not None else None
    if topic is None or topic.author_id != user_id or topic.status != "approved" \
            or not queries.is_in_team(s, topic.team_id, user_id) or not queries.in_workspace(s, topic.team_id, workspace):
        raise InvalidInput(N_("Pick one of your approved topics."), field=FIELD_DRAFT_TOPIC)
    existing = content_rows.draft_for_topic(s, topic.id)
    if existing is not None:
        raise InvalidInput(N_("This topic already has draft #{id}; it goes on in rounds from its card."),
                           field=FIELD_DRAFT_TOPIC, id=existing.id)
    return Draft(team_id=topic.team_id, topic_id=topic.id, author_id=user_id, status=DraftStatus.IN_REVIEW,
                 round=1, created_at=now)


def _own_draft(s: Session, user_id: str, draft_id: int, action: str, workspace: str | None = None) -> Draft:
    """The author's draft. Someone else's is answered like a missing one (ids
    are not a way to probe), and the refusal audited; one of a team outside
    ``workspace`` (when given) is a missing one."""
    found = s.get(Draft, draft_id)
    if found is None or not queries.in_workspace(s, found.team_id, workspace):
        raise NotFound(N_("You have no draft #{id}."), id=draft_id)
    if found.author_id != user_id:
        raise NotFound(N_("You have no draft #{id}."), id=draft_id).refused(
            action, "not the author", item_kind=DRAFT, item_id=found.id, team_id=found.team_id)
    return found


def _resubmit(s: Session, draft: Draft, user_id: str) -> None:
    """Open the next round of a draft whose last one asked for changes."""
    if not content_rows.resubmit_if_changes_requested(s, draft.id, user_id, draft.round):
        s.refresh(draft)
        raise Conflict(N_("Draft #{id} is already in round {round} ({status}); nothing new was saved."),
                       id=draft.id, round=draft.round, status=draft.status)
    s.refresh(draft)


def _already_decided(s: Session, draft: Draft, number: int) -> Conflict:
    if draft.round != number:
        return Conflict(N_("Draft #{id} has moved on to round {round}; decide on the card's current round."),
                        id=draft.id, round=draft.round)
    r = content_rows.the_round(s, draft.id, number)
    return Conflict(N_("{user} already decided round {round} of this draft ({status})."),
                    user=Mention(r.decided_by or "?"),
                    round=number, status=draft.status)


def _decidable(s: Session, *, user_id: str, draft_id: int, number: int, action: str,
               workspace: str | None = None) -> tuple[Draft, Exception | None]:
    """A supervisor of the draft's team, never its author, decides the round that waits; a draft
    of a team outside ``workspace`` (when given) is a missing one."""
    draft = s.get(Draft, draft_id)
    if draft is None or not queries.in_workspace(s, draft.team_id, workspace):
        raise NotFound()
    denied = decider_refusal(supervises=queries.has_role(s, draft.team_id, user_id, "supervisor"),
                             own=draft.author_id == user_id, own_msgid=N_("Another supervisor decides on your own draft."),
                             action=action, item_kind=DRAFT, item_id=draft.id, team_id=draft.team_id)
    if denied is not None:
        return draft, denied
    if draft.status != DraftStatus.IN_REVIEW or draft.round != number:
        return draft, _already_decided(s, draft, number)
    return draft, None


def check_can_review(*, db: sessionmaker[Session], clock: Clock, user_id: str, draft_id: int, number: int,
                     workspace: str | None = None) -> str:
    """Before opening the comments modal: only a supervisor of the draft's
    team other than its author, only while that round waits. A refusal is
    audited where it is told (``bot/kernel/refusals.py``). Returns the title."""
    with transaction(db) as s:
        draft, failure = _decidable(s, user_id=user_id, draft_id=draft_id, number=number,
                                    action="draft.request_changes", workspace=workspace)
        title = content_rows.topic_title_of_draft(s, draft.id)
    if failure:
        raise failure
    return title


def decide_draft(
    *,
    db: sessionmaker[Session],
    clock: Clock,
    user_id: str,
    draft_id: int,
    number: int,
    approve: bool,
    comment: str | None = None,
    workspace: str | None = None,
) -> str:
    """Approve round ``number`` or request changes with a comment.
    Authorization from the store; exactly one decision per round wins."""
    now = clock.now()
    action = "draft.approve" if approve else "draft.request_changes"
    failure: Exception | None = None
    with transaction(db) as s:
        draft, failure = _decidable(s, user_id=user_id, draft_id=draft_id, number=number, action=action,
                                    workspace=workspace)
        if failure is None:
            team = _team(s, draft.team_id)
            text = None if approve else validate_comment(comment)
            status = DraftStatus.APPROVED if approve else DraftStatus.CHANGES_REQUESTED
            before = _snapshot(draft)
            if content_rows.decide_draft_if_in_review(s, draft.id, number, status=status, actor=user_id, at=now):
                s.refresh(draft)
                r = content_rows.the_round(s, draft.id, number)
                r.decision, r.decided_by, r.decided_at, r.comment = status, user_id, now, text
                # decisions.decision is 16 characters: "changes_requested" is recorded as "changes".
                word = "approved" if approve else "changes"
                s.add(Decision(item_kind=DRAFT, item_id=draft.id, decision=word, actor_id=user_id, reason=text, at=now))
                _audit(s, now=now, user_id=user_id, action=action, outcome="ok", team_id=team.id, kind=DRAFT,
                       item_id=draft.id, before=before, after=_snapshot(draft))
                notices.enqueue_card(s, item=DRAFT, item_id=draft.id, team=team, now=now, homes=[draft.author_id])
                _thread(s, draft, team, str(status), now)
                notices.enqueue_dm(s, user=draft.author_id, type="draft_decided", team_id=team.id, now=now,
                                   key=f"draft_decided:{draft.id}:{number}", draft_id=draft.id, round=number)
                return str(status)
            s.refresh(draft)
            _audit(s, now=now, user_id=user_id, action=action, outcome="conflict", team_id=team.id, kind=DRAFT,
                   item_id=draft.id, detail=f"round {number} already {draft.status}")
            failure = _already_decided(s, draft, number)
    raise failure


# -- publications and metrics -------------------------------------------------------


