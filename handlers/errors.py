"""One error handler that puts a domain error where the person is looking:
field errors in a modal, an ephemeral reply to a command or a click. A
refusal is audited here too (``bot/kernel/refusals.py``), for a click answered
at once and for one decided after its ack alike."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond

from bot.kernel import people, refusals
from bot.kernel.errors import InvalidInput, OpsbotError
from bot.kernel.i18n import Gettext, gettext_for
from bot.kernel.tell import answer, tell
from bot.kernel.views import Mention
from handlers.deps import Deps
from handlers.ids import Block
from handlers.kit.blocks import plain, section
from handlers.kit.labels import status_label
from handlers.kit.mrkdwn import escape, mention

log = logging.getLogger(__name__)

FIELD_BLOCKS = {f.value for f in Block}


def register(app: App, deps: Deps) -> None:
    @app.error
    def on_error(error: Exception, body: dict[str, Any], response: BoltResponse | None, respond: Respond | None,
                 context: dict[str, Any]) -> BoltResponse:
        if not isinstance(error, OpsbotError):
            log.error("unhandled error in a listener", exc_info=error)
        user = (body.get("user") or {}).get("id") or body.get("user_id")
        _audit(user, error)
        channel = (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else body.get("channel_id")
        # In the language of their team in the request's workspace (OAuth mode).
        locale = people.user_locale(db=deps.db, user_id=user, channel_id=channel,
                                    workspace=deps.scope(context)) if user else "en"
        _ = gettext_for(locale)
        message = message_for(error, _)
        kind = body.get("type")
        if kind == "view_submission":
            inputs = _inputs(body.get("view"))
            if not inputs:
                # Nothing to type in (a read-only modal, which has no submit button, so
                # the submission was forged; or one sent without its blocks): no field
                # can carry the answer, so the modal turns into it.
                return _json(response, {"response_action": "update", "view": answer_modal(message, _)})
            field = error.field if isinstance(error, InvalidInput) and error.field in inputs else None
            if field is None:
                # Not a field problem (e.g. someone decided first): show it on
                # the first input so the modal stays open with what was typed.
                field = inputs[0] if inputs else Block.TITLE
            return _json(response, {"response_action": "errors", "errors": {field: message[:2000]}})
        if kind == "block_actions" and user and not body.get("response_url"):
            # A button on App Home: no response_url, so the answer comes by DM.
            tell(db=deps.db, clock=deps.clock, user_id=user, text=message)
            return _json(response, None)
        if kind == "block_actions" and respond is not None:
            respond(text=message, response_type="ephemeral", replace_original=False)
            return _json(response, None)
        # Slash commands: the acknowledgement carries the answer.
        return _json(response, {"response_type": "ephemeral", "text": with_typed(message, error, body.get("text"), _)})

    def refuse(kind: str, payload: dict[str, Any], error: Exception) -> None:
        """A request decided after its ack (``bot/kernel/inbox.py``) was refused:
        say why where the person clicked or typed, as above."""
        if not isinstance(error, OpsbotError):
            log.error("unhandled error in a deferred %s", kind, exc_info=error)
        user = payload["user"]
        _audit(user, error)
        # The request's workspace was saved with it (None in the single-workspace mode, and in
        # requests saved before it was): the language of their team there, as above.
        locale = people.user_locale(db=deps.db, user_id=user, channel_id=payload.get("channel"),
                                    workspace=payload.get("workspace"))
        _ = gettext_for(locale)
        text = with_typed(message_for(error, _), error, payload.get("text"), _)
        answer(db=deps.db, clock=deps.clock, user_id=user, url=payload.get("response_url"), text=text, locale=locale)

    def _audit(user: str | None, error: Exception) -> None:
        try:
            refusals.audit(db=deps.db, clock=deps.clock, user_id=user, error=error)
        except Exception:  # the person still hears why; a lost audit row is logged
            log.exception("auditing a refusal failed")

    deps.inbox.refuse = refuse


def answer_modal(message: str, _: Gettext) -> dict[str, Any]:
    return {"type": "modal", "title": plain("opsbot"), "close": plain(_("Close")), "blocks": [section(message)]}


def _inputs(view: Any) -> list[str]:
    """The input blocks of a submitted modal, in order: the only places a field error can show."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    return [b["block_id"] for b in blocks or [] if isinstance(b, dict) and b.get("type") == "input"
            and b.get("block_id") in FIELD_BLOCKS] if isinstance(blocks, list) else []


def message_for(error: Exception, _: Gettext) -> str:
    if isinstance(error, OpsbotError):
        return _(error.msgid).format(**_render_params(error.params, _))
    return _("Sorry, something went wrong on my side. Nothing was changed; please try again.")


def with_typed(message: str, error: Exception, typed: str | None, _: Gettext) -> str:
    """Nothing the person typed is lost: a command refused for its input gives it back to copy."""
    if isinstance(error, InvalidInput) and typed:
        return message + "\n" + _("You typed: {text}").format(
            text="```" + escape(typed).replace("```", "'''")[:2800] + "```")
    return message


def _render_params(params: dict[str, Any], _: Gettext) -> dict[str, Any]:
    """Parameters may carry what a person typed: escape it. A status is a
    word to translate, not a value to show raw. A ``Mention`` is the one
    deliberate way to put markup in: a real ``<@U…>`` for a Slack user id."""
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, Mention):
            out[k] = mention(v)
        elif k == "status":
            out[k] = status_label(str(v), _)
        elif isinstance(v, str):
            out[k] = escape(v)
        else:
            out[k] = v
    return out


def _json(response: BoltResponse | None, payload: dict[str, Any] | None) -> BoltResponse:
    body = json.dumps(payload, ensure_ascii=False) if payload is not None else ""
    if response is None:
        return BoltResponse(status=200, body=body, headers={"content-type": "application/json"} if payload else {})
    response.status = 200
    response.body = body
    if payload is not None:
        response.headers["content-type"] = ["application/json;charset=utf-8"]
    return response
