"""Words for statuses, kinds, stages and progress, shared by every surface."""

from __future__ import annotations

from bot.kernel.i18n import Gettext


def status_label(status: str, _: Gettext) -> str:
    return {
        "proposed": _("Waiting for a decision"),
        "approved": _("Approved"),
        "rejected": _("Rejected"),
        "withdrawn": _("Withdrawn"),
        "changes_requested": _("Changes requested"),
        "pending": _("Waiting for a decision"),
        "cancelled": _("Cancelled"),
    }.get(status, status)


STATUS_ICON = {"proposed": "⏳", "approved": "✅", "rejected": "❌", "withdrawn": "↩️", "changes_requested": "✏️",
               "pending": "⏳", "cancelled": "↩️"}


def progress_text(count: int, quota: int, _: Gettext) -> str:
    return _("{count} / {quota} this week").format(count=count, quota=quota)


def kind_label(kind: str, _: Gettext) -> str:
    """The word for an item's kind, as it leads a line in a list."""
    return {
        "topic": _("Topic"),
        "draft": _("Draft"),
        "activity": _("Activity"),
        "leave": _("Leave request"),
        "retro": _("Overdue retrospective"),
    }.get(kind, kind)


def stage_label(stage: str, round: int, _: Gettext) -> str:
    """How far an approved topic has got (bot.domain.content.Stage)."""
    if stage == "in_review":
        return _("in review (round {round})").format(round=round)
    return {
        "planned": _("planned"),
        "drafting": _("drafting"),
        "approved": _("approved"),
        "published": _("published"),
    }.get(stage, stage)
