"""Publishing use cases (docs/PRODUCT.md §2.2): a reviewed draft published on a platform, and the
figures its author updates afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound
from bot.workflows.content.rules import (
    FIELD_PUB_DRAFT,
    FIELD_PUB_URL,
    DraftStatus,
    Metrics,
    parse_metrics,
    validate_link,
    validate_platform,
    validate_publish_time,
)
from bot.workflows.content.service import DRAFT, _audit, _first_team_locale, _locale, _team
from storage import content as content_rows
from storage import queries
from storage.content import Draft, MetricsUpdate, Publication
from storage.db import transaction

PUBLICATION = "publication"


class NothingToPublish(NotFound):
    msgid = N_("You have no approved draft waiting to be published. Submit one with `/draft`; once a supervisor "
               "approves it, `/publish` offers it here.")


@dataclass(frozen=True)
class PublishForm:
    locale: str
    drafts: list[tuple[int, str, str]]  # draft id, title, team name
    platforms: list[str]


@dataclass(frozen=True)
class MetricsForm:
    locale: str
    publication_id: int
    title: str
    platform: str
    latest: Metrics | None


def publish_form(*, db: sessionmaker[Session], user_id: str, workspace: str | None = None) -> PublishForm:
    """The caller's approved drafts (of teams of the request's ``workspace``, when given)."""
    with transaction(db) as s:
        locale = _first_team_locale(s, user_id, workspace)
        drafts = [(d, title, name) for d, title, name in content_rows.drafts_ready_to_publish(s, user_id)
                  if queries.in_workspace(s, d.team_id, workspace)]
        if not drafts:
            raise NothingToPublish()
        platforms: list[str] = []
        for team_id in dict.fromkeys(d.team_id for d, _t, _n in drafts):
            platforms += [p for p in _team(s, team_id).platforms if p not in platforms]
        return PublishForm(locale, [(d.id, title, name) for d, title, name in drafts], platforms)


def publish(
    *,
    db: sessionmaker[Session],
    clock: Clock,
    user_id: str,
    draft_id: int | None,
    platform: str | None,
    url: str | None,
    published_at: datetime | None,
    workspace: str | None = None,
) -> int:
    """Record that an approved draft went out. One publication per draft: the
    same form sent twice records it once."""
    now = clock.now()
    with transaction(db) as s:
        draft = s.get(Draft, draft_id) if draft_id is not None else None
        if draft is None or draft.author_id != user_id or draft.status != DraftStatus.APPROVED \
                or not queries.is_in_team(s, draft.team_id, user_id) or not queries.in_workspace(s, draft.team_id, workspace):
            raise InvalidInput(N_("Pick one of your approved drafts."), field=FIELD_PUB_DRAFT)
        team = _team(s, draft.team_id)
        platform = validate_platform(platform, team.platforms)
        link = validate_link(url, field=FIELD_PUB_URL)
        at = validate_publish_time(published_at, now=now)
        existing = content_rows.publication_for_draft(s, draft.id)
        if existing is not None:
            if (existing.platform, existing.url) == (platform, link):
                return existing.id  # the same form again (a double click, a Slack retry)
            raise InvalidInput(N_("This draft is already recorded as publication #{id}."), field=FIELD_PUB_DRAFT,
                               id=existing.id)
        pub = Publication(team_id=team.id, draft_id=draft.id, author_id=user_id, platform=platform, url=link,
                          published_at=at, created_at=now)
        try:
            with s.begin_nested():
                s.add(pub)
                s.flush()
        except IntegrityError:
            raise Conflict(N_("This draft was just recorded as published; nothing new was saved.")) from None
        _audit(s, now=now, user_id=user_id, action="publication.record", outcome="ok", team_id=team.id,
               kind=PUBLICATION, item_id=pub.id, after={"draft": draft.id, "platform": platform, "url": link,
                                                         "published_at": at.isoformat()})
        notices.enqueue_card(s, item=DRAFT, item_id=draft.id, team=team, now=now, homes=[draft.author_id])
        notices.enqueue_dm(s, user=user_id, type="published", team_id=team.id, now=now, key=f"published:{pub.id}",
                           publication_id=pub.id)
        return pub.id


def _metrics_access(s: Session, *, user_id: str, publication_id: int,
                    workspace: str | None = None) -> tuple[Publication, Exception | None]:
    """The author and the team's supervisors may record figures. A refusal
    is audited where it is told (``bot/kernel/refusals.py``). A publication of a
    team outside ``workspace`` (when given) is a missing one."""
    pub = s.get(Publication, publication_id)
    if pub is not None and not queries.in_workspace(s, pub.team_id, workspace):
        pub = None
    if pub is None or not queries.is_in_team(s, pub.team_id, user_id):
        error = NotFound(N_("There is no publication #{id} in your teams."), id=publication_id)
        raise error if pub is None else error.refused("metrics.update", "not in the publication's team",
                                                      item_kind=PUBLICATION, item_id=pub.id, team_id=pub.team_id)
    if pub.author_id != user_id and not queries.has_role(s, pub.team_id, user_id, "supervisor"):
        return pub, NotAuthorized(N_("Only the author or a supervisor of the team can update these figures.")).refused(
            "metrics.update", "neither the author nor a supervisor", item_kind=PUBLICATION, item_id=pub.id,
            team_id=pub.team_id)
    return pub, None


def metrics_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, publication_id: int,
                 workspace: str | None = None) -> MetricsForm:
    with transaction(db) as s:
        pub, failure = _metrics_access(s, user_id=user_id, publication_id=publication_id, workspace=workspace)
        if failure is None:
            team = _team(s, pub.team_id)
            last = content_rows.latest_metrics(s, [pub.id]).get(pub.id)
            latest = Metrics(last.reads, last.likes, last.comments, last.shares) if last else None
            return MetricsForm(_locale(s, user_id, team.locale), pub.id, content_rows.topic_title_of_draft(s, pub.draft_id),
                               pub.platform, latest)
    raise failure


def update_metrics(*, db: sessionmaker[Session], clock: Clock, user_id: str, publication_id: int, view_id: str,
                   raw: dict[str, str | None], workspace: str | None = None) -> Metrics:
    """A new reading, kept with its time; the same modal sent twice is kept once."""
    now = clock.now()
    with transaction(db) as s:
        seen = content_rows.metrics_by_view(s, view_id) if view_id else None
        if seen is not None:
            return Metrics(seen.reads, seen.likes, seen.comments, seen.shares)
        pub, failure = _metrics_access(s, user_id=user_id, publication_id=publication_id, workspace=workspace)
        if failure is None:
            m = parse_metrics(raw)
            try:
                with s.begin_nested():
                    s.add(MetricsUpdate(publication_id=pub.id, reads=m.reads, likes=m.likes, comments=m.comments,
                                        shares=m.shares, actor_id=user_id, at=now, view_id=view_id or None))
                    s.flush()
            except IntegrityError:
                return m  # its concurrent twin was kept
            _audit(s, now=now, user_id=user_id, action="metrics.update", outcome="ok", team_id=pub.team_id,
                   kind=PUBLICATION, item_id=pub.id, after=m.__dict__)
            notices.enqueue_home(s, user=pub.author_id, now=now)
            return m
    raise failure
