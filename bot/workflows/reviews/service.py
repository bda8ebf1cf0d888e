"""Performance-review use cases (docs/PRODUCT.md §2.5): one function per thing a
person does, each one transaction, authorization from the store, a
conditional UPDATE so concurrent clicks settle to one outcome, history and
audit rows, and the DMs it causes written to the outbox in that transaction.

Review content is private: it goes only to the member and the team's
supervisors, by DM or modal. Anyone else asking is refused, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.kernel import notices
from bot.kernel.clock import Clock
from bot.kernel.errors import N_, Conflict, InvalidInput, NotAuthorized, NotFound, NotInTeam
from bot.kernel.i18n import resolve_locale
from bot.kernel.team import TeamView, team_view
from bot.kernel.teams_file import ReviewsConfig
from bot.workflows.kudos.service import year_recognition
from bot.workflows.leave.away import after_leave
from bot.workflows.reviews import incentives, rules
from bot.workflows.reviews import views as review_views
from bot.workflows.reviews.figures import agreed_indicators, figures_for
from bot.workflows.reviews.rules import ReviewStatus as St
from bot.workflows.training.goals import goals_of
from bot.workflows.training.service import attended_in_month
from bot.workflows.training.views import AttendedSession
from storage import queries
from storage import reviews as review_rows
from storage.db import transaction
from storage.models import Team
from storage.reviews import Review

REVIEW = "review"


def config(team: Team) -> ReviewsConfig:
    return ReviewsConfig.model_validate(team.reviews or {})


def _locale(s: Session, user_id: str, team: TeamView) -> str:
    u = queries.slack_users(s, [user_id]).get(user_id)
    return resolve_locale(u.locale if u else None, team.locale)


def _snapshot(r: Review) -> dict[str, Any]:
    return {"status": r.status, "self_scores": r.self_scores, "scores": r.scores, "total_centi": r.total_centi,
            "grade": r.grade, "comment": r.comment, "objection": r.objection, "resolution": r.resolution,
            "resolution_comment": r.resolution_comment}


def total_text(centi: int | None) -> str | None:
    return None if centi is None else f"{Decimal(centi) / 100:.2f}"


def _audit(s: Session, *, now: datetime, user_id: str, action: str, outcome: str, review: Review | None,
           before: dict | None = None, after: dict | None = None, detail: str | None = None) -> None:
    queries.add_audit(s, at=now, actor_id=user_id, action=action, outcome=outcome,
                      team_id=review.team_id if review else None, item_kind=REVIEW,
                      item_id=review.id if review else None, before=before, after=after, detail=detail)


def _record(s: Session, r: Review, *, now: datetime, user_id: str, event: str, before: dict) -> None:
    s.refresh(r)
    review_rows.add_event(s, r, at=now, actor_id=user_id, event=event, snapshot=_snapshot(r))
    # The audit: a step happened, by whom, when. Its content stays in the review's own history.
    _audit(s, now=now, user_id=user_id, action=f"review.{event}", outcome="ok", review=r,
           before={"status": before["status"]}, after={"status": r.status})
    # Home shows the member their review's stage and the supervisors who is late.
    notices.enqueue_homes(s, users=[r.user_id], supervisors_of=r.team_id, now=now)


NOT_YOURS = N_("That review is not yours; reviews are private to the member and the team's supervisors.")
NOT_SUPERVISOR = N_("Only a supervisor of this member's team can do that; reviews are private.")


def _load(s: Session, review_id: int, workspace: str | None = None) -> Review:
    r = s.get(Review, review_id)
    if r is None or not queries.in_workspace(s, r.team_id, workspace):
        raise NotFound()
    return r


def _owner_denial(r: Review, user_id: str, action: str) -> Exception | None:
    """Someone else's review step is refused, and audited where it is told (``bot/kernel/refusals.py``)."""
    if r.user_id == user_id:
        return None
    return NotAuthorized(NOT_YOURS).refused(action, "not the member", item_kind=REVIEW, item_id=r.id,
                                            team_id=r.team_id)


def _supervisor_denial(s: Session, r: Review, user_id: str, action: str) -> Exception | None:
    if queries.has_role(s, r.team_id, user_id, "supervisor") and r.user_id != user_id:
        return None
    return NotAuthorized(NOT_SUPERVISOR).refused(action, "not a supervisor of the member's team", item_kind=REVIEW,
                                                 item_id=r.id, team_id=r.team_id)


def _moved_on(r: Review) -> Conflict:
    return Conflict(N_("This review has already moved on; nothing was changed."))


# -- what a form shows --------------------------------------------------------------


@dataclass(frozen=True)
class ReviewContext:
    locale: str
    review_id: int
    kind: str
    period: str
    team_name: str
    member: str
    status: str
    figures: list[review_views.ReviewFigure]
    self_review: dict[str, Any]
    due: date | None = None
    weights: dict[str, int] | None = None
    result: dict[str, Any] | None = None
    peers: review_views.PeerSummary | None = None
    peer_comments: list[str] | None = None
    year: rules.YearSummary | None = None
    incentive: incentives.Incentive | None = None
    recognition: tuple[int, list[str]] | None = None  # annual: kudos received, honour months (context, no score)
    training: list[AttendedSession] | None = None  # monthly: sessions attended (ability evidence)
    goals: list[str] | None = None  # annual: the member's career development goals of the year
    plan: list[review_views.PlanIndicator] | None = None  # monthly: the agreed plan's custom indicators


def peer_summary(s: Session, review_id: int, minimum: int) -> tuple[review_views.PeerSummary | None, list[str]]:
    """Colleagues' ratings as an aggregate, only from ``minimum`` ratings on: the average, the count, and
    the comments (for the supervisors) in an order that says nothing of who wrote them."""
    rows = review_rows.peer_ratings(s, review_id)
    if not rows:
        return None, []
    scored = [p.score for p in rows if p.score is not None]
    if len(scored) < minimum:
        return review_views.PeerSummary(len(scored), len(rows), None), []
    return (review_views.PeerSummary(len(scored), len(rows), f"{Decimal(sum(scored)) / len(scored):.1f}"),
            sorted(p.comment for p in rows if p.comment))


def due_dates(s: Session, team: TeamView, cfg: ReviewsConfig, r: Review) -> rules.Deadlines | None:
    ym = rules.parse_period(r.period)
    if r.kind != rules.MONTHLY or ym is None:
        return None
    d = rules.deadlines(*ym, team.calendar, selfreview_workday=cfg.selfreview_due_workday,
                        evaluation_workday=cfg.evaluation_due_workday)
    return rules.Deadlines(after_leave(s, team.id, r.user_id, d.self_review, team.calendar), d.evaluation)


def result_of(r: Review) -> dict[str, Any] | None:
    if r.grade is None:
        return None
    return {"scores": r.scores or {}, "total": total_text(r.total_centi) or "", "grade": r.grade,
            "comment": r.comment, "evaluator": r.resolved_by or r.evaluator_id or ""}


def year_of(s: Session, team_row: Team, r: Review) -> rules.YearSummary:
    results = {}
    for m in review_rows.monthly_reviews_of_year(s, r.team_id, r.user_id, int(r.period)):
        if m.total_centi is not None and m.status in rules.HAS_RESULT:
            results[int(m.period[5:7])] = (Decimal(m.total_centi) / 100, m.grade or "")
    return rules.year_summary(int(r.period), results, config(team_row).grades)



def _context(s: Session, r: Review, user_id: str, *, private_notes: bool) -> ReviewContext:
    row = s.get_one(Team, r.team_id)
    team, cfg = team_view(row), config(row)
    dd = due_dates(s, team, cfg, r)
    peers, comments = peer_summary(s, r.id, cfg.peer_ratings_min)
    year = year_of(s, row, r) if r.kind == rules.ANNUAL else None
    grade = r.grade if r.status in rules.HAS_RESULT else None
    return ReviewContext(
        locale=_locale(s, user_id, team), review_id=r.id, kind=r.kind, period=r.period, team_name=team.name,
        member=r.user_id, status=r.status,
        figures=figures_for(s, team, r.user_id, r.period) if r.kind == rules.MONTHLY else [],
        self_review={"achievements": r.achievements, "shortcomings": r.shortcomings, "plan": r.improvement_plan,
                     "scores": r.self_scores or {}},
        due=(dd.self_review if dd else None), weights=dict(cfg.weights), result=result_of(r),
        peers=peers, peer_comments=comments if private_notes else None,
        year=year, incentive=year and incentives.of_year(cfg.incentives, year, grade, for_member=not private_notes),
        recognition=year_recognition(s, team, r.user_id, int(r.period)) if year else None,
        training=attended_in_month(s, team, r.user_id, r.period) if r.kind == rules.MONTHLY else None,
        goals=goals_of(s, team.id, r.user_id, int(r.period)) if year else None,
        plan=agreed_indicators(s, team.id, r.user_id, r.period) if r.kind == rules.MONTHLY else None,
    )


def _member_team(s: Session, user_id: str, workspace: str | None = None) -> Team:
    teams = queries.teams_of_user(s, user_id, role="member", workspace=workspace)
    if not teams:
        raise NotInTeam()
    return teams[0]


def selfreview_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int | None = None,
                    period: str | None = None) -> ReviewContext:
    """The self-review modal: the member's own review only, while it is open."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        if review_id is not None:
            r = _load(s, review_id, workspace)
            failure = _owner_denial(r, user_id, "review.self_review")
        else:
            row = _member_team(s, user_id, workspace)
            team = team_view(row)
            current = rules.period_id(*rules.review_month(team.today(now), team.calendar))
            period = period and rules.typed_month(period, team.today(now), team.today(row.created_at))
            if period is not None and period > current:
                raise InvalidInput(N_("The self-review for {period} opens on that month's month-end day."),
                                   period=period)
            period = period or current
            r, _ = review_rows.get_or_create_review(s, team.id, user_id, rules.MONTHLY, period, St.NOT_STARTED, now)
        if failure is None:
            if r.kind != rules.MONTHLY:
                failure = NotFound()
            elif r.status not in rules.SELF_REVIEW_OPEN:
                failure = Conflict(N_("Your self-review for {period} can no longer be changed: your supervisor has "
                                      "evaluated it."), period=r.period)
            else:
                return _context(s, r, user_id, private_notes=False)
    raise failure


def submit_self_review(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int,
                       form: rules.SelfReview) -> str:
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _owner_denial(r, user_id, "review.self_review")
        if failure is None:
            before = _snapshot(r)
            first = r.status == St.NOT_STARTED
            if review_rows.update_review_if(s, r.id, rules.SELF_REVIEW_OPEN, user_id=user_id, status=St.SELF_REVIEW_IN,
                                   achievements=form.achievements, shortcomings=form.shortcomings,
                                   improvement_plan=form.plan, self_scores=form.scores.as_dict(),
                                   self_submitted_at=now, updated_at=now):
                _record(s, r, now=now, user_id=user_id, event="self_review" if first else "self_review_revised",
                        before=before)
                for sup in queries.team_user_ids(s, r.team_id, "supervisor"):
                    if sup != r.user_id:
                        notices.enqueue_dm(s, user=sup, type="review_evaluate", team_id=r.team_id, now=now,
                                           key=f"review_evaluate:{r.id}:{sup}", review_id=r.id)
                return r.period
            s.refresh(r)
            failure = Conflict(N_("Your self-review for {period} can no longer be changed: your supervisor has "
                                  "evaluated it."), period=r.period)
    raise failure


def evaluation_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int,
                    revise: bool = False) -> ReviewContext:
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _supervisor_denial(s, r, user_id, "review.revise" if revise else "review.evaluate")
        if failure is None:
            allowed = rules.RESOLVABLE if revise else rules.EVALUABLE
            if r.status not in allowed:
                failure = _moved_on(r)
            else:
                return _context(s, r, user_id, private_notes=True)
    raise failure


def _dm_member(s: Session, r: Review, now: datetime, type: str) -> None:
    n = len(review_rows.events(s, r.id))
    notices.enqueue_dm(s, user=r.user_id, type=type, team_id=r.team_id, now=now, key=f"{type}:{r.id}:{n}",
                       review_id=r.id)


def evaluate(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int, scores: rules.Scores | None,
             comment: str | None, grade: str | None = None) -> str:
    """Scores per dimension and a comment (monthly), or a grade and a comment
    (annual). Exactly one evaluation wins."""
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _supervisor_denial(s, r, user_id, "review.evaluate")
        if failure is None:
            row = s.get_one(Team, r.team_id)
            values = _result_values(s, row, r, scores, grade)
            before = _snapshot(r)
            if review_rows.update_review_if(s, r.id, rules.EVALUABLE, status=St.EVALUATED, evaluator_id=user_id,
                                   comment=comment, evaluated_at=now, updated_at=now, **values):
                _record(s, r, now=now, user_id=user_id, event="evaluate", before=before)
                _dm_member(s, r, now, "review_result")
                return r.grade or ""
            s.refresh(r)
            failure = _moved_on(r)
    raise failure


def _result_values(s: Session, row: Team, r: Review, scores: rules.Scores | None, grade: str | None) -> dict:
    cfg = config(row)
    if r.kind == rules.ANNUAL:
        if grade not in rules.ALL_GRADES:
            raise InvalidInput(N_("Pick a grade."), field=rules.FIELD_GRADE)
        avg = year_of(s, row, r).average
        return {"grade": grade, "total_centi": int(avg * 100) if avg is not None else None}
    assert scores is not None
    total = rules.weighted_total(scores, cfg.weights)
    return {"scores": scores.as_dict(), "total_centi": int(total * 100), "grade": rules.grade_for(total, cfg.grades)}


def acknowledge(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int) -> str:
    now = clock.now()
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _owner_denial(r, user_id, "review.acknowledge")
        if failure is None:
            before = _snapshot(r)
            if review_rows.update_review_if(s, r.id, rules.ANSWERABLE, user_id=user_id, status=St.ACKNOWLEDGED,
                                   acknowledged_at=now, updated_at=now):
                _record(s, r, now=now, user_id=user_id, event="acknowledge", before=before)
                if r.evaluator_id:
                    notices.enqueue_dm(s, user=r.evaluator_id, type="review_acknowledged", team_id=r.team_id,
                                       now=now, key=f"review_acknowledged:{r.id}", review_id=r.id)
                return _locale(s, user_id, team_view(s.get_one(Team, r.team_id)))
            s.refresh(r)
            failure = _moved_on(r)
    raise failure


def object_form(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int) -> ReviewContext:
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _owner_denial(r, user_id, "review.object")
        if failure is None:
            if r.status not in rules.ANSWERABLE:
                failure = _moved_on(r)
            else:
                return _context(s, r, user_id, private_notes=False)
    raise failure


def object_to(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int, reason: str | None) -> None:
    now = clock.now()
    text = rules.check_text(reason, rules.FIELD_REASON)
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _owner_denial(r, user_id, "review.object")
        if failure is None:
            before = _snapshot(r)
            if review_rows.update_review_if(s, r.id, rules.ANSWERABLE, user_id=user_id, status=St.OBJECTED, objection=text,
                                   objected_at=now, updated_at=now):
                _record(s, r, now=now, user_id=user_id, event="object", before=before)
                for sup in queries.team_user_ids(s, r.team_id, "supervisor"):
                    if sup != r.user_id:
                        notices.enqueue_dm(s, user=sup, type="review_objection", team_id=r.team_id, now=now,
                                           key=f"review_objection:{r.id}:{sup}", review_id=r.id)
                return
            s.refresh(r)
            failure = _moved_on(r)
    raise failure


def resolve(*, db: sessionmaker[Session], clock: Clock, user_id: str, workspace: str | None = None, review_id: int, revise: bool,
            resolution_comment: str | None, scores: rules.Scores | None = None, comment: str | None = None,
            grade: str | None = None) -> str:
    """The supervisor confirms or revises the result the member objected to;
    the outcome is final."""
    now = clock.now()
    note = rules.check_text(resolution_comment, rules.FIELD_RESOLUTION)
    failure: Exception | None = None
    with transaction(db) as s:
        r = _load(s, review_id, workspace)
        failure = _supervisor_denial(s, r, user_id, "review.resolve")
        if failure is None:
            values: dict[str, Any] = {}
            if revise:
                values = _result_values(s, s.get_one(Team, r.team_id), r, scores, grade)
                values["comment"] = comment
            before = _snapshot(r)
            if review_rows.update_review_if(s, r.id, rules.RESOLVABLE, status=St.FINAL,
                                   resolution="revised" if revise else "confirmed", resolution_comment=note,
                                   resolved_by=user_id, resolved_at=now, updated_at=now, **values):
                _record(s, r, now=now, user_id=user_id, event="revise" if revise else "confirm", before=before)
                _dm_member(s, r, now, "review_resolved")
                return r.grade or ""
            s.refresh(r)
            failure = _moved_on(r)
    raise failure
