"""The App Home tab (docs/PRODUCT.md §3): pure Block Kit builders over ``HomeView``.

Within Slack's 100-block limit for any number of teams, items and members:
lines are packed into sections, every listed decision carries its buttons
unless the limit would be passed (then the oldest do), and whatever is left
over is summarised.
"""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.home import views as home_views
from handlers.feedback.blocks import home_blocks as feedback_blocks
from handlers.home import development
from handlers.ids import Action, item_action_id
from handlers.kit.blocks import Blocks, button, context, header, line_sections, section
from handlers.kit.labels import STATUS_ICON, kind_label, progress_text, status_label
from handlers.kit.mrkdwn import escape, slack_date
from handlers.onboarding import blocks as onboarding_blocks
from handlers.reviews.blocks import review_status_label
from handlers.teams.blocks import teams_section

BLOCK_LIMIT = 100
HOME_TEAMS = 5  # teams shown in full; more are named at the end
OWN_LINES = 25  # own items listed per team
DUE_LINES = 10
DECISION_LINES = 15  # decisions listed per team
NAME_LINES = 20  # people listed as behind on quota / late on reviews


def _day(epoch: int) -> str:
    return slack_date(epoch, "{date_short_pretty}")


def _more(lines: list[str], cap: int, _: Gettext) -> list[str]:
    if len(lines) <= cap:
        return lines
    return [*lines[:cap], _("…and {n} more.").format(n=len(lines) - cap)]


def _stage(i: home_views.HomeItem, _: Gettext) -> str:
    if i.kind == "draft":
        return {
            "in_review": _("In review, round {n}"),
            "changes_requested": _("Changes requested, round {n}"),
            "approved": _("Approved — ready to publish"),
        }.get(i.stage, i.stage).format(n=i.round)
    if i.kind == "publication":
        if i.metrics:
            m = i.metrics
            return _("Published — {reads} reads, {likes} likes, {comments} comments, {shares} shares").format(
                reads=m.reads, likes=m.likes, comments=m.comments, shares=m.shares)
        return _("Published — metrics wanted: `/publish metrics {id}`").format(id=i.id)
    if i.kind == "activity":
        if i.stage == "retro_due":
            return _("Retrospective due {date}").format(date=_day(i.due or 0))
        if i.stage == "approved":
            return _("Approved — starts {date}").format(date=_day(i.due or 0))
        return status_label(i.stage, _)
    if i.kind == "review":
        return review_status_label(i.stage, _)
    return status_label(i.stage, _)


def _item_line(i: home_views.HomeItem, _: Gettext) -> str:
    icon = {"retro_due": "📝", "metrics_wanted": "📈", "published": "📰", "in_review": "⏳",
            "not_started": "⬜"}.get(i.stage, STATUS_ICON.get(i.stage, "•"))
    if i.kind == "review":
        what = _("Self-review for {period}").format(period=i.title)
    elif i.kind == "leave":
        what = _("Leave #{id} {dates}").format(id=i.id, dates=i.title)
    else:
        what = f"{kind_label(i.kind, _)} #{i.id} {escape(i.title)}"
    return f"{icon} {what} — {_stage(i, _)}"


def _due_line(i: home_views.HomeItem, _: Gettext) -> str:
    when = (_("overdue since {date}") if i.late else _("by {date}")).format(date=_day(i.due or 0))
    if i.kind == "review":
        return _("• Self-review for {period}: {when} (`/selfreview`)").format(period=i.title, when=when)
    return _("• Retrospective of activity #{id} {title}: {when}").format(id=i.id, title=escape(i.title), when=when)


def _decision_buttons(d: home_views.HomeDecision, _: Gettext) -> list[dict[str, Any]]:
    """The card's own buttons and values, each under its per-item action id."""
    def b(label: str, action: Action, style: str | None = None) -> dict[str, Any]:
        return button(label, item_action_id(action, d.id), d.value, style)

    if d.kind == "topic":
        return [b(_("Approve"), Action.TOPIC_APPROVE, "primary"), b(_("Reject"), Action.TOPIC_REJECT, "danger")]
    if d.kind == "draft":
        return [b(_("Approve"), Action.DRAFT_APPROVE, "primary"), b(_("Request changes"), Action.DRAFT_REQUEST_CHANGES)]
    if d.kind == "activity":
        return [b(_("Approve"), Action.ACTIVITY_APPROVE, "primary"), b(_("Request changes"), Action.ACTIVITY_CHANGES),
                b(_("Reject"), Action.ACTIVITY_REJECT, "danger")]
    if d.kind == "leave":
        return [b(_("Approve"), Action.LEAVE_APPROVE, "primary"), b(_("Reject"), Action.LEAVE_REJECT, "danger")]
    return []  # an overdue retrospective waits on its owner: nothing to click


def _decision_line(d: home_views.HomeDecision, _: Gettext) -> str:
    return _("{kind} #{id} *{title}* by {author}, waiting since {since}").format(
        kind=kind_label(d.kind, _), id=d.id, title=escape(d.title), author=f"<@{d.author.user_id}>",
        since=slack_date(d.since))


def _decisions(t: home_views.HomeTeam, budget: development.Buttons, _: Gettext) -> Blocks:
    """What waits on the supervisor, oldest first: the first DECISION_LINES
    listed, each with its card's buttons (the card's values, under per-item
    action ids, which the card's listeners also answer) while ``budget``
    lasts; beyond it listed without buttons, beyond DECISION_LINES summarised."""
    blocks: Blocks = []
    lines: list[str] = [_("*Waiting on you* ({n})").format(n=len(t.decisions))]
    for d in t.decisions[:DECISION_LINES]:
        buttons = _decision_buttons(d, _) if budget.left > 0 else []
        if not buttons:
            lines.append("• " + _decision_line(d, _))
            continue
        budget.left -= 1
        if lines:
            blocks.extend(line_sections(lines, ""))
        lines = []
        blocks.append(section(_decision_line(d, _)))
        blocks.append({"type": "actions", "elements": buttons})
    if len(t.decisions) > DECISION_LINES:
        lines.append(_("…and {n} more waiting — see the team channel.").format(n=len(t.decisions) - DECISION_LINES))
    if lines:
        blocks.extend(line_sections(lines, ""))
    return blocks


def _team(t: home_views.HomeTeam, budget: development.Buttons, _: Gettext) -> Blocks:
    if t.is_member:
        title = _("*{team}* — {progress}").format(team=escape(t.team_name), progress=progress_text(t.count, t.quota, _))
    else:
        title = _("*{team}* — you supervise this team").format(team=escape(t.team_name))
    blocks: Blocks = [{"type": "divider"}, section(title)]
    lines = [f"{STATUS_ICON.get(x.status, '')} {kind_label('topic', _)} #{x.id} {escape(x.title)} — "
             f"{status_label(x.status, _)}" for x in t.topics]
    lines += [_item_line(i, _) for i in t.items]
    if lines or t.is_member:
        blocks.extend(line_sections(_more(lines, OWN_LINES, _), _("Nothing open. Propose a topic to get your week going.")))
    if t.kudos_received:
        blocks.append(context("👏 " + _("Kudos received this month: {n}").format(n=t.kudos_received)))
    if t.plan is not None:
        blocks.extend(development.plan(t.plan, _))
    if t.onboarding:
        blocks.extend(onboarding_blocks.home_items(t.onboarding, _))
    if t.feedback:
        blocks.extend(feedback_blocks(t.feedback, _))
    if t.due:
        due = _more([_due_line(i, _) for i in t.due], DUE_LINES, _)
        blocks.append(section("\n".join([_("*Due*"), *due])))
    blocks.extend(development.sessions(t.sessions, t.is_supervisor, budget, _))
    if t.goals is not None:
        blocks.extend(development.goals(t.goals, t.goals_year, _))
    if not t.is_supervisor:
        return blocks
    if t.decisions:
        blocks.extend(_decisions(t, budget, _))
    else:
        blocks.append(context(_("Nothing waits on you in this team.")))
    if t.behind:
        behind = [_("• {member} — {count}/{quota}").format(member=f"<@{b.member.user_id}>", count=b.count,
                                                           quota=b.quota) for b in t.behind]
        blocks.extend(line_sections([_("*Behind on quota this week*"), *_more(behind, NAME_LINES, _)], ""))
    blocks.extend(development.plans_open(t.plans_open, t.plan_period, _))
    if t.onboarding_progress:
        blocks.extend(line_sections(_more(onboarding_blocks.progress_lines(t.onboarding_progress, _), NAME_LINES, _), ""))
    if t.late_reviews:
        late = [f"• <@{p.user_id}>" for p in t.late_reviews]
        blocks.extend(line_sections([_("*Late reviews for {period}* (`/opsbot reviews`)").format(
            period=t.review_period), *_more(late, NAME_LINES, _)], ""))
    return blocks


def _body(h: home_views.HomeView, budget: development.Buttons, _: Gettext) -> Blocks:
    blocks: Blocks = [header(_("Your week"))]
    if not h.teams:
        blocks.append(section(_("You are not in any opsbot team yet. Ask your team lead to add you.")))
    for t in h.teams[:HOME_TEAMS]:
        blocks.extend(_team(t, budget, _))
    if len(h.teams) > HOME_TEAMS:
        blocks.append(context(_("…and {n} more teams.").format(n=len(h.teams) - HOME_TEAMS)))
    if h.team_admin is not None:
        blocks.extend(teams_section(h.team_admin, _))
    return blocks


def home(h: home_views.HomeView, _: Gettext) -> dict[str, Any]:
    quick = {"type": "actions", "elements": [
        button(_("Propose a topic"), Action.PROPOSE_TOPIC, "0", "primary"),
        button(_("Submit a draft"), Action.SUBMIT_DRAFT, "0"),
        button(_("Request leave"), Action.REQUEST_LEAVE, "0"),
    ]}
    # Every listed decision carries its buttons (two blocks: its line and
    # them) unless Home would pass Slack's block limit; then fewer do, the
    # oldest first, and the rest stay listed until those are decided.
    allowed = HOME_TEAMS * DECISION_LINES
    while True:
        budget = development.Buttons(allowed)
        blocks = _body(h, budget, _)
        over = len(blocks) + 1 - BLOCK_LIMIT
        if over <= 0 or budget.left == allowed:
            break
        allowed = max(0, allowed - budget.left - (over + 1) // 2)
    if len(blocks) + 1 > BLOCK_LIMIT:  # a last guard: never more than Slack shows
        blocks = [*blocks[:BLOCK_LIMIT - 2], context(_("More is waiting than Home can show — see your team channels."))]
    return {"type": "home", "blocks": [*blocks[:1], quick, *blocks[1:]]}


RENDERERS = {home_views.HomeView: home}
