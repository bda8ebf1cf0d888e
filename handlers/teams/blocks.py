"""Teams set up in Slack: the setup and edit modal, the welcome card, the
intro DM and Home's Teams section. Pure Block Kit builders."""

from __future__ import annotations

from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.teams import views
from bot.workflows.teams.service import FILE_MANAGED, TeamForm
from handlers.ids import Action, Block, View, item_action_id
from handlers.kit.blocks import Blocks, _input, button, context, header, meta, plain, section
from handlers.kit.mrkdwn import escape, person
from handlers.team_settings.blocks import select_field, setting_label, text_field

LOCALE_OPTIONS = [("en", "English"), ("zh-CN", "简体中文")]


def weekday(n: int, _: Gettext) -> str:
    return (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"),
            _("Sunday"))[n]


def _users(block: str, label: str, users: tuple[str, ...], optional: bool, hint: str) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "multi_users_select", "action_id": f"{block}_select"}
    if users:
        el["initial_users"] = list(users)
    b = _input(block, label, el, optional=optional)
    b["hint"] = plain(hint)
    return b


def _channel(channel: str, _: Gettext) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "conversations_select", "action_id": f"{Block.TEAM_CHANNEL}_select",
                          "filter": {"include": ["public", "private"], "exclude_bot_users": True,
                                     "exclude_external_shared_channels": True}}
    if channel:
        el["initial_conversation"] = channel
    else:
        el["default_to_current_conversation"] = True
    b = _input(Block.TEAM_CHANNEL, _("Channel"), el)
    b["hint"] = plain(_("Cards and summaries go here. opsbot joins a public channel itself; "
                        "invite it to a private one first: /invite @opsbot"))
    return b


def team_modal(form: TeamForm, _: Gettext) -> dict[str, Any]:
    """``/opsbot setup`` (a new team) and Home's Edit (an existing one). A
    team the file manages opens read-only, saying why."""
    c = form.current
    new = form.team_id is None
    title = _("Set up a team") if new else _("Edit team")
    if form.file_managed:
        return {"type": "modal", "callback_id": View.TEAM_SETUP, "title": plain(title), "close": plain(_("Close")),
                "private_metadata": meta({"team_id": form.team_id}),
                "blocks": [section(_(FILE_MANAGED).format(team=escape(c.name))), _summary(c, _)]}
    blocks: Blocks = [
        section(_("A team gets its channel, supervisors and members. Everyone added gets a DM saying what "
                  "opsbot will ask of them and when.") if new else
                _("Changes apply at once. People removed stop getting reminders for this team; their items "
                  "and history stay.")),
        text_field(Block.TEAM_NAME, _("Team name"), c.name, max_length=80),
        _channel(c.channel, _),
        _users(Block.TEAM_SUPERVISORS, _("Supervisors"), c.supervisors, False,
               _("They approve the team's topics, drafts and activities and evaluate its members.")),
        _users(Block.TEAM_MEMBERS, _("Members"), c.members, True,
               _("They propose topics, meet the weekly quota and write a monthly self-review.")),
        text_field(Block.TIMEZONE, setting_label("timezone", _), c.timezone,
                   _("An IANA name, e.g. Asia/Shanghai. Deadlines and weeks are reckoned in it."), max_length=64),
        text_field(Block.COUNTRY, setting_label("country", _), c.country or "",
                   _("CN includes the make-up working days (调休). Empty: weekends only."), optional=True,
                   max_length=8),
        select_field(Block.LOCALE, setting_label("locale", _), LOCALE_OPTIONS, c.locale),
        text_field(Block.QUOTA, setting_label("weekly_topic_quota", _), str(c.weekly_topic_quota),
                   _("Topics each member proposes per week (0–100)."), max_length=3),
        text_field(Block.PLATFORMS, setting_label("platforms", _), "\n".join(c.platforms), _("One per line."),
                   multiline=True, max_length=3000),
    ]
    if not new:
        blocks.append(context(_("Schedules and mentions: `/opsbot settings` in the team's channel.")))
    if form.can_archive:
        archive = button(_("Archive team"), Action.TEAM_ARCHIVE, str(form.team_id), "danger")
        archive["confirm"] = {
            "title": plain(_("Archive {team}?").format(team=c.name)[:100]),
            "text": md_text(_("No more cards, reminders or summaries for this team. Its items and history stay.")),
            "confirm": plain(_("Archive")), "deny": plain(_("Cancel")), "style": "danger"}
        blocks.append({"type": "actions", "block_id": "team_archive_actions", "elements": [archive]})
    return {"type": "modal", "callback_id": View.TEAM_SETUP, "title": plain(title),
            "submit": plain(_("Create team") if new else _("Save")), "close": plain(_("Cancel")),
            "private_metadata": meta({"team_id": form.team_id}), "blocks": blocks}


def md_text(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _summary(c: Any, _: Gettext) -> dict[str, Any]:
    sup = ", ".join(f"<@{u}>" for u in c.supervisors) or "—"
    mem = ", ".join(f"<@{u}>" for u in c.members) or "—"
    return section(_("Channel: <#{channel}>\nSupervisors: {sup}\nMembers: {mem}").format(
        channel=c.channel, sup=sup, mem=mem))


def team_saved(*, name: str, channel: str, created: bool, archived: bool, added: int, removed: int,
               _: Gettext) -> dict[str, Any]:
    """What the modal turns into once it is done."""
    if archived:
        text = _("*{team}* is archived. Its items and history stay.").format(team=escape(name))
    elif created:
        text = _("*{team}* is set up in <#{channel}>. A welcome card is there, and {n} people are getting "
                 "their intro DM.").format(team=escape(name), channel=channel, n=added)
    else:
        text = _("*{team}* is saved. Added: {added}. Removed: {removed}.").format(team=escape(name), added=added,
                                                                                 removed=removed)
    return {"type": "modal", "title": plain(_("Team")), "close": plain(_("Done")), "blocks": [section(text)]}


def _at(w: views.Weekly, _: Gettext) -> str:
    return _("{day} at {time}").format(day=weekday(w.weekday, _), time=w.at)


def welcome(w: views.TeamWelcome, _: Gettext) -> dict[str, Any]:
    sups = ", ".join(person(p, True) for p in w.supervisors)
    text = "\n".join([
        _("*opsbot is set up for {team}.* Here is what it will do in this channel:").format(team=escape(w.team_name)),
        _("• Members propose topics with `/topic`; each proposal comes here as a card for {supervisors} to approve "
          "or reject.").format(supervisors=sups),
        _("• {plan}: the week's plan of approved topics.").format(plan=_at(w.weekly_plan, _)),
        _("• {summary}: who met the weekly quota of {quota} topics.").format(summary=_at(w.quota_summary, _),
                                                                             quota=w.quota),
        _("• Members below the quota get a private reminder on {reminder}, never a post here.").format(
            reminder=_at(w.quota_reminder, _)),
        _("• Reviews and evaluations stay private, between each member and the supervisors."),
    ])
    return {"text": _("opsbot is set up for {team}.").format(team=escape(w.team_name)),
            "blocks": [section(text), context(_("Times in {zone}; reminders come at the hour in each person's own "
                                                "zone. `/opsbot help` lists everything.").format(zone=w.zone))]}


def intro(d: views.TeamIntroDM, _: Gettext) -> dict[str, Any]:
    if d.member and d.supervisor:
        role = _("a member and a supervisor")
    elif d.supervisor:
        role = _("a supervisor")
    else:
        role = _("a member")
    lines = [_("You are now in *{team}* (<#{channel}>) as {role}. Here is what opsbot will ask of you, and when:")
             .format(team=escape(d.team_name), channel=d.channel, role=role)]
    if d.member:
        lines.append(_("• Propose {quota} topics a week with `/topic`. If you are behind, a reminder comes on "
                       "{reminder} your time.").format(quota=d.quota, reminder=_at(d.quota_reminder, _)))
        lines.append(_("• Your self-review for {month} opens on {opens} (`/selfreview`) and is due by {due}.").format(
            month=d.review_month, opens=d.review_opens.isoformat(), due=d.selfreview_due.isoformat()))
    if d.supervisor:
        lines.append(_("• Decide the team's topics, drafts and activities from the cards in <#{channel}> or your "
                       "Home tab. Anything waiting over a day is nudged each working day at {time} your time.")
                     .format(channel=d.channel, time=d.daily))
        lines.append(_("• Evaluate each member's month for {month} by {due}.").format(
            month=d.review_month, due=d.evaluation_due.isoformat()))
    foot = _("Times are in your zone, {zone}. `/opsbot help` lists everything.").format(zone=d.zone)
    if d.supervisors:
        foot = _("Your supervisors: {names}.").format(names=", ".join(person(p, True) for p in d.supervisors)) + \
            " " + foot
    return {"text": _("You are now in {team}.").format(team=escape(d.team_name)),
            "blocks": [section("\n".join(lines)), context(foot)]}


def teams_section(t: views.TeamsSection, _: Gettext) -> Blocks:
    """Home's Teams section."""
    if t.no_admin_yet:
        return [context(_("No opsbot admin yet. A workspace owner or admin can set up a team with `/opsbot setup`; "
                          "an operator can make someone an admin with `opsbot admins add U…`."))]
    blocks: Blocks = [header(_("Teams"))]
    for line in t.teams:
        text = _("*{team}* · <#{channel}> · {n} people").format(team=escape(line.name), channel=line.channel,
                                                               n=line.people)
        if line.file_managed:
            text += " · " + _("managed by the teams file")
        blocks.append(section(text, accessory=button(_("Edit"), item_action_id(Action.TEAM_EDIT, line.id), str(line.id))))
    if not t.teams:
        blocks.append(section(_("No teams yet.")))
    if t.admin:
        blocks.append({"type": "actions", "elements": [button(_("New team"), Action.TEAM_NEW, "0", "primary")]})
    return blocks


RENDERERS = {views.TeamWelcome: welcome, views.TeamIntroDM: intro}
