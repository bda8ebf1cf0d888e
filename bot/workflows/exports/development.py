"""Issue 18's exports (docs/RULES.md §四, §五): kudos, performance plans,
feedback talks with their improvement plans, training attendance and career goals, each a table of the team for the
period. Like every export they go only to a supervisor of the team (checked
in ``service.request_export``): plans and goals are private to the member
and the team's supervisors, and no member ever exports."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.periods import local_date
from bot.kernel.team import TeamView
from bot.workflows.exports.table import Exporter, Table, figure, local, names
from bot.workflows.reviews.figures import TARGET_KEYS, figures_for
from storage import kudos as kudos_rows
from storage import queries
from storage import training as training_rows
from storage.feedback import FeedbackTalk, ImprovementItem
from storage.kudos import Honour
from storage.reviews import ReviewPlan, ReviewPlanRound
from storage.training import CareerGoals

PLAN_COLUMNS = [c for k in TARGET_KEYS for c in (f"target_{k}", f"actual_{k}")]
NO_PLAN = "none"  # a plans export's status for a member with no plan that month


def _months(team: TeamView, start: datetime, end: datetime) -> list[str]:
    first, last = local_date(start, team.tz), local_date(end, team.tz) - timedelta(days=1)
    out, d = [], first.replace(day=1)
    while d <= last:
        out.append(f"{d:%Y-%m}")
        d = (d + timedelta(days=32)).replace(day=1)
    return out


def kudos_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Kudos given in the period, at their time in the team's zone; ``honour``
    says whether the recipient is the honour of that month."""
    rows = kudos_rows.kudos_between(s, team.id, start, end)
    honours = {h.month: h.user_id for h in s.scalars(select(Honour).where(Honour.team_id == team.id))}
    people = {k.giver_id for k in rows} | {k.recipient_id for k in rows}
    who = names(s, people)
    out = []
    for k in rows:
        month = f"{local_date(k.created_at, team.tz):%Y-%m}"
        out.append([k.id, k.giver_id, who.get(k.giver_id, ""), k.recipient_id, who.get(k.recipient_id, ""),
                    k.reason, local(k.created_at, team.tz), "yes" if honours.get(month) == k.recipient_id else "no"])
    return Table(["id", "giver_id", "giver", "recipient_id", "recipient", "reason", "given_at", "honour_of_month"],
                 out, people)


def plans_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Each member's plan for the months the period touches: where it stands,
    how many rounds, and each built-in target (the agreed round's, else the
    latest proposed) beside the actual of the month so far. Every member of
    the team has a row for each month, as in the training export: one with no
    plan that month has the status ``none`` and the rest empty (statuses are
    kept as keys in every export). Someone no longer a member keeps the row of
    a plan they had."""
    months = _months(team, start, end)
    plans = s.scalars(select(ReviewPlan).where(ReviewPlan.team_id == team.id, ReviewPlan.period.in_(months))).all()
    rounds = {(r.plan_id, r.number): r for r in s.scalars(select(ReviewPlanRound).where(
        ReviewPlanRound.plan_id.in_([p.id for p in plans])))} if plans else {}
    members = queries.team_user_ids(s, team.id, "member")
    people = {p.user_id for p in plans} | set(members)
    who = names(s, people)
    of = {(p.period, p.user_id): p for p in plans}
    out = []
    for month in months:
        for user in sorted({u for m, u in of if m == month} | set(members)):
            p = of.get((month, user))
            if p is None:
                out.append(["", month, user, who.get(user, ""), NO_PLAN, "", "", "", *[""] * len(PLAN_COLUMNS), ""])
                continue
            r = rounds.get((p.id, p.agreed_round or p.round))
            targets = r.targets if r else {}
            actual = {f.key: f.actual for f in figures_for(s, team, p.user_id, p.period)}
            cells = [c for k in TARGET_KEYS for c in (figure(targets.get(k)), figure(actual.get(k)))]
            custom = "; ".join(f"{i['name']}: {i['target']}" for i in (r.indicators if r else []))
            out.append([p.id, p.period, p.user_id, who.get(p.user_id, ""), p.status, p.round, p.agreed_round or "",
                        local(p.agreed_at, team.tz), *cells, custom])
    return Table(["id", "period", "user_id", "user", "status", "rounds", "agreed_round", "agreed_at", *PLAN_COLUMNS,
                  "custom_indicators"], out, people)


def talks_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """The feedback talks after the reviews of the months the period touches:
    one row per item of each talk's current improvement plan (a talk with no
    plan yet has one row without an item). Earlier versions stay in the store's
    history, not here."""
    talks = s.scalars(select(FeedbackTalk).where(FeedbackTalk.team_id == team.id,
                                                 FeedbackTalk.period.in_(_months(team, start, end)))
                      .order_by(FeedbackTalk.period, FeedbackTalk.user_id)).all()
    items = s.scalars(select(ImprovementItem).where(ImprovementItem.talk_id.in_([t.id for t in talks]))
                      .order_by(ImprovementItem.id)).all() if talks else []
    people = {t.user_id for t in talks} | {i.owner_id for i in items}
    who = names(s, people)
    out = []
    for talk in talks:
        head = [talk.id, talk.period, talk.user_id, who.get(talk.user_id, ""), local(talk.starts_at, team.tz),
                talk.place or "", talk.status, talk.notes or "", talk.plan_version or ""]
        current = [i for i in items if i.talk_id == talk.id and i.version == talk.plan_version]
        out += [[*head, i.text, i.owner_id, who.get(i.owner_id, ""), i.due_date.isoformat(), i.status,
                 i.comment or "", local(i.closed_at, team.tz)] for i in current] or [[*head, *[""] * 7]]
    return Table(["id", "period", "user_id", "user", "starts_at", "place", "talk_status", "notes", "plan_version",
                  "item", "owner_id", "owner", "due_date", "item_status", "comment", "closed_at"], out, people)


def training_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """One row per session and person: the team's members and anyone who
    answered or was recorded; their answer and whether they attended."""
    sessions = training_rows.sessions_between(s, team.id, start, end)
    answers = training_rows.answers_for(s, [x.id for x in sessions])
    members = queries.team_user_ids(s, team.id, "member")
    attended = {x.id: set(training_rows.attendees(s, x.id)) for x in sessions}
    people = {u for x in sessions for u in (*members, *answers[x.id], *attended[x.id])}
    who = names(s, people)
    out = []
    for x in sessions:
        for u in dict.fromkeys([*members, *answers[x.id], *attended[x.id]]):
            answer = answers[x.id].get(u)
            out.append([x.id, x.topic, local(x.starts_at, team.tz), x.place, u, who.get(u, ""),
                        "" if answer is None else ("joining" if answer else "not_joining"),
                        ("yes" if u in attended[x.id] else "no") if x.attendance_at else ""])
    return Table(["id", "topic", "starts_at", "place", "user_id", "user", "answer", "attended"], out, people)


def goals_table(s: Session, team: TeamView, start: datetime, end: datetime) -> Table:
    """Career goals of the years the period touches: one row per goal."""
    years = sorted({int(m[:4]) for m in _months(team, start, end)})
    rows = s.scalars(select(CareerGoals).where(CareerGoals.team_id == team.id, CareerGoals.year.in_(years))
                     .order_by(CareerGoals.year, CareerGoals.user_id)).all()
    people = {g.user_id for g in rows}
    who = names(s, people)
    out = [[g.year, g.user_id, who.get(g.user_id, ""), n, goal, local(g.updated_at, team.tz)]
           for g in rows for n, goal in enumerate(g.goals or [], start=1)]
    return Table(["year", "user_id", "user", "goal_number", "goal", "updated_at"], out, people)


EXPORTERS: dict[str, Exporter] = {
    "kudos": kudos_table,
    "plans": plans_table,
    "talks": talks_table,
    "training": training_table,
    "goals": goals_table,
}
