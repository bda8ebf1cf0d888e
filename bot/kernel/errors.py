"""Domain errors. Each carries a translatable message id and its parameters;
``handlers/errors.py`` renders it into the surface the person used."""

from __future__ import annotations

from typing import Any


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it here."""
    return msgid


class OpsbotError(Exception):
    msgid: str = N_("Something went wrong.")

    def __init__(self, msgid: str | None = None, /, **params: Any) -> None:
        self.msgid = msgid or self.msgid
        self.params = params
        super().__init__(self.msgid.format(**params) if params else self.msgid)


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
