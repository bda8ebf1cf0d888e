"""``/opsbot status`` and ``/opsbot help`` as ephemeral text. Pure."""

from __future__ import annotations

from bot.kernel.i18n import Gettext
from bot.workflows.status import views as status_views
from handlers.ids import Command
from handlers.kit.labels import STATUS_ICON, progress_text, status_label
from handlers.kit.mrkdwn import clip, escape, slack_date
from handlers.reviews.blocks import review_status_label


def _item(x: status_views.StatusItem, _: Gettext) -> str:
    title = escape(x.title)
    if x.kind == "topic":
        return f"{STATUS_ICON['proposed']} " + _("Topic #{id} {title} · waiting for a decision").format(
            id=x.id, title=title)
    if x.kind == "draft":
        if x.state == "changes_requested":
            return "✏️ " + _("Draft #{id} {title} · changes requested after round {round}: resubmit it").format(
                id=x.id, title=title, round=x.round)
        return "⏳ " + _("Draft #{id} {title} · in review (round {round})").format(id=x.id, title=title, round=x.round)
    if x.kind == "activity":
        if x.state == "changes_requested":
            return "✏️ " + _("Activity #{id} {title} · changes requested: resubmit it").format(id=x.id, title=title)
        return "⏳ " + _("Activity #{id} {title} · waiting for a decision").format(id=x.id, title=title)
    if x.kind == "retro":
        return "📝 " + _("Activity #{id} {title} · retrospective due (ended {day})").format(
            id=x.id, title=title, day=x.when)
    if x.kind == "metrics":
        return "📈 " + _("Publication #{id} {title} · figures asked: `/publish metrics {id}`").format(
            id=x.id, title=title)
    return f"{STATUS_ICON.get(x.state, '')} " + _("Leave #{id} {days} · {status}").format(
        id=x.id, days=title, status=status_label(x.state, _))


def _plan_line(e: status_views.StatusExtras, _: Gettext) -> list[str]:
    out = []
    if e.own_plan is not None:
        state = {
            "none": _("none yet"),
            "proposed": _("waiting for your answer — Agree or Comment on the plan message or your Home"),
            "commented": _("you commented; your supervisor is revising it"),
            "agreed": _("agreed"),
        }.get(e.own_plan, e.own_plan)
        out.append(_("Your plan for {period}: {state}").format(period=e.plan_period, state=state))
    if e.plan_counts:
        c = e.plan_counts
        out.append(_("Plans for {period}: {agreed} agreed · {proposed} proposed · {none} none").format(
            period=e.plan_period, agreed=c.get("agreed", 0), proposed=c.get("proposed", 0), none=c.get("none", 0)))
    return out


def _session_line(x: status_views.StatusSession, _: Gettext) -> str:
    line = _("Next training: {when} {topic} · {n} joining").format(
        when=slack_date(x.starts_at), topic=escape(x.topic), n=x.joins)
    if x.joining:
        return line + " · " + _("you are joining")
    if x.joining is False:
        return line + " · " + _("you can't make it")
    return line


def _extras(e: status_views.StatusExtras, _: Gettext) -> list[str]:
    out = _plan_line(e, _)
    if e.kudos_received is not None:
        out.append(_("Kudos received this month: {n}").format(n=e.kudos_received))
    if e.kudos_team is not None:
        out.append(_("Kudos in the team this month: {n}").format(n=e.kudos_team))
    if e.onboarding_own is not None:
        out.append(_("Your onboarding: {done} / {total} items done").format(
            done=e.onboarding_own[0], total=e.onboarding_own[1]))
    if e.onboarding_members:
        out.append(_("{n} new member(s) still onboarding").format(n=e.onboarding_members))
    if e.next_session is not None:
        out.append(_session_line(e.next_session, _))
    if e.improvement_own is not None:
        out.append(_("Improvement items you own: {n} open, {late} overdue").format(
            n=e.improvement_own[0], late=e.improvement_own[1]))
    if e.improvement_team is not None:
        out.append(_("Improvement plans in the team: {n} item(s) open, {late} overdue").format(
            n=e.improvement_team[0], late=e.improvement_team[1]))
    return out


def status_text(view: status_views.StatusView, _: Gettext) -> str:
    if not view.teams:
        return _("You are not in any team yet, so there is nothing to show. "
                 "A supervisor or an admin adds people to teams in the teams file.")
    out: list[str] = []
    for t in view.teams:
        out.append(_("*{team}*, week {week}").format(team=escape(t.team_name), week=t.week))
        if t.is_member:
            out.append(_("Topic quota: {progress}").format(progress=progress_text(t.count, t.quota, _)))
        if t.items:
            out.append(_("Your items in progress:"))
            out += [f"• {_item(x, _)}" for x in t.items]
        else:
            out.append(_("Nothing of yours is waiting."))
        if t.review_period:
            line = _("Self-review {period}: {status}").format(
                period=t.review_period, status=review_status_label(t.review_status or "", _))
            if t.review_due and t.review_status == "not_started":
                line += " · " + _("due {day}").format(day=t.review_due)
            out.append(line)
        if t.waiting_on_me:
            out.append(_("{n} item(s) wait for your decision (see the Home tab).").format(n=t.waiting_on_me))
        if t.extras is not None:
            out += _extras(t.extras, _)
        out.append("")
    return clip("\n".join(out).strip(), 3000)


# Every /opsbot subcommand; tests/test_help.py checks help names each of them.
OPSBOT_SUBCOMMANDS = ("help", "status", "report", "export", "settings", "targets", "reviews", "setup", "onboarding",
                      "training", "goals", "talk")


def help_text(_: Gettext) -> str:
    """Every command, one line each, in the reader's language."""
    lines = {
        Command.TOPIC: _("`/topic [title]` — propose a topic (the form without a title); `/topic help` for more."),
        Command.DRAFT: _("`/draft` — submit a draft of an approved topic for review; `/draft help`."),
        Command.PUBLISH: _("`/publish` — record a publication; `/publish metrics <id>` updates its figures."),
        Command.ACTIVITY: _("`/activity` — propose an activity; its retrospective follows when it ends."),
        Command.LEAVE: _("`/leave` — request leave; `/leave list`, `/leave cancel <id>`."),
        Command.SELFREVIEW: _("`/selfreview [YYYY-MM]` — write or revise your monthly self-review."),
        Command.KUDOS: _("`/kudos @colleague what they did` — recognise a colleague; `/kudos help`."),
    }
    opsbot = {
        "help": _("`/opsbot help` — this list."),
        "status": _("`/opsbot status` — your quota, items in progress, self-review, plan, kudos and next "
                    "training, only to you."),
        "report": _("`/opsbot report week|month [team] [dm]` — the team's summary with a chart (supervisors)."),
        "export": _("`/opsbot export topics|content|activities|leave|reviews|kudos|plans|talks|training|goals [period]` "
                    "— a CSV by DM (supervisors, own team)."),
        "settings": _("`/opsbot settings` — the team's quota, schedule, zone and more (supervisors)."),
        "targets": _("`/opsbot targets @member [YYYY-MM]` — propose a member's plan for this or next month: targets and custom indicators (supervisors)."),
        "reviews": _("`/opsbot reviews [YYYY-MM]` — every member's review status, by DM (supervisors)."),
        "setup": _("`/opsbot setup` — set up a new team: its channel, supervisors and members (admins)."),
        "onboarding": _("`/opsbot onboarding` — the checklist each new member works through, day by day "
                        "(supervisors)."),
        "training": _("`/opsbot training` — announce a training session in the team channel, with Join and "
                      "attendance (supervisors)."),
        "goals": _("`/opsbot goals` — your career development goals for the year (up to 5); "
                   "`/opsbot goals @member` shows a member's to their supervisors."),
        "talk": _("`/opsbot talk @member [YYYY-MM]` — schedule (or move) the feedback talk after a member's "
                  "evaluation; its notes and improvement plan follow it (supervisors)."),
    }
    out = [_("*opsbot* runs your team's working rules in Slack.")]
    out += [lines[c] for c in Command if c in lines]
    out += [opsbot[sub] for sub in OPSBOT_SUBCOMMANDS]
    out.append(_("Open the *Home* tab of opsbot to see your week."))
    return "\n".join(out)
