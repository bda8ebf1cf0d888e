"""Domain errors. Each carries a translatable message id and its parameters;
``handlers/errors.py`` renders it into the surface the person used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it here."""
    return msgid


@dataclass(frozen=True)
class Refusal:
    """What a refusal is audited as (``bot/kernel/refusals.py``): the action
    asked for, the item it was asked on, and why it was refused. Never the
    item's content: the trail keeps who was refused what, not what was written."""

    action: str
    reason: str
    item_kind: str | None = None
    item_id: int | None = None
    team_id: int | None = None


class OpsbotError(Exception):
    msgid: str = N_("Something went wrong.")
    refusal: Refusal | None = None  # set when the person was refused: someone else's item, or a role they lack

    def __init__(self, msgid: str | None = None, /, **params: Any) -> None:
        self.msgid = msgid or self.msgid
        self.params = params
        super().__init__(self.msgid.format(**params) if params else self.msgid)

    def refused(self, action: str, reason: str, *, item_kind: str | None = None, item_id: int | None = None,
                team_id: int | None = None) -> Self:
        """Mark this error as a refusal to audit; the one place that writes it
        is ``bot/kernel/refusals.py``, called wherever the person is told."""
        self.refusal = Refusal(action, reason, item_kind, item_id, team_id)
        return self


class NotFound(OpsbotError):
    msgid = N_("I could not find that item.")


class NotInTeam(OpsbotError):
    msgid = N_("You are not a member of any opsbot team. Ask your team lead to add you.")


class NotAuthorized(OpsbotError):
    msgid = N_("Only a supervisor of this team can do that.")


class Conflict(OpsbotError):
    """The item moved on before this action landed (e.g. someone decided first)."""


class InvalidInput(OpsbotError):
    """Input that breaks a rule; ``field`` names the modal block it belongs to."""

    def __init__(self, msgid: str, /, field: str | None = None, **params: Any) -> None:
        self.field = field
        super().__init__(msgid, **params)
