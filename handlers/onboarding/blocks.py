"""The onboarding checklist modal, the item DM, and the lines Home shows. Pure."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.kernel.i18n import Gettext
from bot.workflows.onboarding import views as onboarding_views
from handlers.ids import Action, Block, View, item_action_id
from handlers.kit.blocks import Blocks, button, context, meta, plain, section
from handlers.kit.mrkdwn import escape

HOME_ITEMS = 5  # open items listed with Done on Home, per team


def _day(d: date) -> str:
    return d.isoformat()


def checklist_modal(f: onboarding_views.ChecklistForm, _: Gettext) -> dict[str, Any]:
    el: dict[str, Any] = {"type": "plain_text_input", "action_id": "items_input", "multiline": True,
                          "max_length": 3000}
    if f.text:
        el["initial_value"] = f.text[:3000]
    blocks: Blocks = [
        section(_("Onboarding checklist of *{team}*: each member added to the team gets each item by DM on its "
                  "working day, with Done.").format(team=escape(f.team_name))),
    ]
    if f.file_managed:  # shown, not editable: the file would undo a change at the next start
        blocks.append(section(escape(f.text) if f.text else "—"))
        blocks.append(context(_("This team is managed by the teams file: change its `onboarding:` list there.")))
    else:
        blocks.append({"type": "input", "block_id": Block.ONBOARDING_ITEMS, "label": plain(_("Items")), "element": el,
                       "optional": True, "hint": plain(_(
                           "One a line as `N: ...`; N is the working day counted from the start "
                           "(0 = the first day). Weekends and holidays are skipped."))})
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": View.ONBOARDING,
        "title": plain(_("Onboarding")),
        "close": plain(_("Cancel")),
        "private_metadata": meta({"team_id": f.team_id}),
        "blocks": blocks,
    }
    if not f.file_managed:  # the file's checklist is shown, not saved here
        view["submit"] = plain(_("Save"))
    return view


def checklist_saved(*, team_name: str, count: int, _: Gettext) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain(_("Onboarding")),
        "close": plain(_("Close")),
        "blocks": [section(_("The onboarding checklist of *{team}* has {n} items now. New members get them from "
                             "the day they are added.").format(team=escape(team_name), n=count))],
    }


def item_dm(d: onboarding_views.OnboardingItemDM, _: Gettext) -> dict[str, Any]:
    text = _("Onboarding, day {day}: {item}").format(day=d.day, item=escape(d.text))
    blocks: Blocks = [section(text)]
    if d.done:
        blocks.append(context("✅ " + _("Done")))
    else:
        blocks.append({"type": "actions", "elements": [
            button(_("Done"), Action.ONBOARDING_DONE, str(d.item_id), "primary")]})
    blocks.append(context(_("Team: {team} · due {date}. Until it is done it stays on your Home.").format(
        team=escape(d.team_name), date=_day(d.due))))
    return {"text": text, "blocks": blocks}


def done_text(*, text: str, already: bool, _: Gettext) -> str:
    if already:
        return _("That onboarding item was done already: {item}").format(item=escape(text))
    return _("Done: {item}").format(item=escape(text))


def home_items(items: list[onboarding_views.OpenItem], _: Gettext) -> Blocks:
    """The viewer's open items, each with Done (its own action id: one view holds many)."""
    blocks: Blocks = [section(_("*Onboarding* ({n} open)").format(n=len(items)))]
    for it in items[:HOME_ITEMS]:
        when = (_("overdue since {date}") if it.overdue else _("due {date}")).format(date=_day(it.due))
        line = _("Day {day}: {item} — {when}").format(day=it.day, item=escape(it.text), when=when)
        blocks.append(section(("⚠️ " if it.overdue else "⬜ ") + line, accessory=button(
            _("Done"), item_action_id(Action.ONBOARDING_DONE, it.item_id), str(it.item_id), "primary")))
    if len(items) > HOME_ITEMS:
        blocks.append(context(_("…and {n} more.").format(n=len(items) - HOME_ITEMS)))
    return blocks


def progress_lines(rows: list[onboarding_views.MemberProgress], _: Gettext) -> list[str]:
    out = [_("*New members' onboarding*")]
    for p in rows:
        line = _("• {member} — {done} / {total} onboarding items done").format(
            member=f"<@{p.user_id}>", done=p.done, total=p.total)
        if p.overdue:
            line += " · ⚠️ " + _("{n} overdue").format(n=p.overdue)
        out.append(line)
    return out


RENDERERS = {onboarding_views.OnboardingItemDM: item_dm}
