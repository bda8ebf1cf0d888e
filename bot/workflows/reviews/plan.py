"""The member's side of a performance plan (绩效计划, docs/RULES.md §四(三)):
Agree or Comment on a proposed round; the comment goes back to the supervisor,
who revises (a new round, ``targets.propose``). Agreeing makes the round's
built-in targets the month's targets and its custom indicators what the
self-review shows. Private to the member and the team's supervisors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, NotAuthorized, NotFound
from bot.kernel.notices import NoticeLoaders, People, team_of
from bot.kernel.team import team_view
from bot.workflows.reviews import rules
from bot.workflows.reviews import views as review_views
from bot.workflows.reviews.figures import TARGET_KEYS, figures_for
from bot.workflows.reviews.service import _locale
from bot.workflows.reviews.targets import PLAN, TargetsContext, _form, _supervised_team_of
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import OutboxNotice, Team
from storage.reviews import ReviewPlan, ReviewPlanRound, ReviewTarget

PLAN_PROGRESS_DM = "plan_progress"


@dataclass(frozen=True)
class CommentContext:
    locale: str
    round_id: int
    period: str
    team_name: str
    round: int


@dataclass(frozen=True)
class Answer:
    locale: str
    already: bool = False


def _round(s: Session, round_id: int, workspace: str | None = None) -> tuple[ReviewPlanRound, ReviewPlan]:
    r = s.get(ReviewPlanRound, round_id)
    p = s.get_one(ReviewPlan, r.plan_id) if r is not None else None
    if r is None or p is None or not queries.in_workspace(s, p.team_id, workspace):
        raise NotFound()
    return r, p


def _only_member(p: ReviewPlan, user_id: str, action: str) -> None:
    if p.user_id != user_id:
        raise NotAuthorized(N_("Only <@{user}> can answer their own plan."), user=p.user_id).refused(
            action, f"not the plan's member ({p.user_id})", item_kind=PLAN, item_id=p.id, team_id=p.team_id)


def _still_current(r: ReviewPlanRound, p: ReviewPlan) -> None:
    if r.number != p.round:
        raise Conflict(N_("Your supervisor has sent a newer version of this plan (round {round}): answer that "
                          "one."), round=p.round)


def agree(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, round_id: int) -> Answer:
    now = clock.now()
    with transaction(db) as s:
        r, p = _round(s, round_id, workspace)
        _only_member(p, user_id, "review.plan_agree")
        team = team_of(s, p.team_id)
        if p.status == "agreed" and p.agreed_round == r.number:
            return Answer(_locale(s, user_id, team), already=True)
        _still_current(r, p)
        if not review_rows.agree_plan_if(s, p.id, user_id, r.number, now):
            return Answer(_locale(s, user_id, team), already=True)
        t = review_rows.targets(s, p.team_id, p.user_id, p.period)
        if t is None:
            t = ReviewTarget(team_id=p.team_id, user_id=p.user_id, period=p.period, set_by=r.proposed_by, set_at=now)
            s.add(t)
        for k in TARGET_KEYS:
            setattr(t, k, r.targets.get(k))
        t.set_by, t.set_at = r.proposed_by, now
        queries.add_audit(s, at=now, actor_id=user_id, action="review.plan_agree", outcome="ok", team_id=p.team_id,
                          item_kind=PLAN, item_id=p.id, after={"round": r.number}, detail=p.period)
        notices.enqueue_dm(s, user=r.proposed_by, type="plan_agreed", team_id=p.team_id, now=now,
                           key=f"plan:{r.id}:agreed", round_id=r.id)
        notices.enqueue_homes(s, users=[user_id], supervisors_of=p.team_id, now=now)
        return Answer(_locale(s, user_id, team))


def comment_form(*, db: sessionmaker[Session], user_id: str, workspace: str | None = None, round_id: int) -> CommentContext:
    with transaction(db) as s:
        r, p = _round(s, round_id, workspace)
        _only_member(p, user_id, "review.plan_comment")
        _still_current(r, p)
        if p.status == "agreed":
            raise Conflict(N_("You have already agreed to this plan."))
        team = team_of(s, p.team_id)
        return CommentContext(_locale(s, user_id, team), r.id, p.period, team.name, r.number)


def comment(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, round_id: int, text: str | None) -> None:
    body = rules.check_text(text, rules.FIELD_PLAN_COMMENT)
    now = clock.now()
    with transaction(db) as s:
        r, p = _round(s, round_id, workspace)
        _only_member(p, user_id, "review.plan_comment")
        _still_current(r, p)
        if p.status == "agreed":
            raise Conflict(N_("You have already agreed to this plan."))
        r.comment, r.commented_by, r.commented_at = body, user_id, now
        p.status = "commented"
        queries.add_audit(s, at=now, actor_id=user_id, action="review.plan_comment", outcome="ok",
                          team_id=p.team_id, item_kind=PLAN, item_id=p.id, after={"round": r.number},
                          detail=p.period)
        notices.enqueue_dm(s, user=r.proposed_by, type="plan_commented", team_id=p.team_id, now=now,
                           key=f"plan:{r.id}:commented", round_id=r.id)
        notices.enqueue_homes(s, users=[user_id], supervisors_of=p.team_id, now=now)


def revise_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, round_id: int) -> TargetsContext:
    """The plan modal again, filled in with the latest round, for a supervisor of the member's team."""
    now = clock.now()
    with transaction(db) as s:
        _r, p = _round(s, round_id, workspace)
        row = _supervised_team_of(s, user_id, p.user_id, workspace)
        if row is None or row.id != p.team_id:
            raise NotAuthorized(N_("Only a supervisor of <@{user}>'s team can set their targets."), user=p.user_id
                                ).refused("review.plan_revise", f"not a supervisor of {p.user_id}", item_kind=PLAN,
                                          item_id=p.id, team_id=p.team_id)
        team = team_view(row)
        rules.plan_month(p.period, team.today(now))
        return _form(s, row, team, user_id, p.user_id, p.period)


# -- notices ------------------------------------------------------------------------------


def _plan_dm(s: Session, notice: OutboxNotice, now: datetime) -> review_views.PlanDM:
    kind = notice.payload["type"]
    if kind == PLAN_PROGRESS_DM:
        p = s.get_one(ReviewPlan, notice.payload["plan_id"])
        r = review_rows.plan_round(s, p.id, p.agreed_round or p.round)
        assert r is not None
    else:
        r, p = _round(s, notice.payload["round_id"])
    row = s.get_one(Team, p.team_id)
    team = team_view(row)
    people = People(s, now, {notice.recipient, p.user_id, r.proposed_by})
    actual = {f.key: f.actual for f in figures_for(s, team, p.user_id, p.period)} if kind == PLAN_PROGRESS_DM else {}
    figures = [review_views.ReviewFigure(k, actual.get(k), r.targets.get(k)) for k in TARGET_KEYS
               if r.targets.get(k) is not None or k in actual]
    return review_views.PlanDM(
        locale=people.locale(notice.recipient, team.locale), type=kind, round_id=r.id, period=p.period,
        team_name=team.name, member=people.person(p.user_id), supervisor=people.person(r.proposed_by),
        round=r.number, figures=figures, indicators=[review_views.PlanIndicator(**i) for i in r.indicators],
        comment=r.comment, open=r.number == p.round and p.status != "agreed",
        agreed=p.status == "agreed" and p.agreed_round == r.number)


LOADERS = NoticeLoaders(dms={t: _plan_dm for t in ("plan_proposed", "plan_commented", "plan_agreed",
                                                     PLAN_PROGRESS_DM)})
