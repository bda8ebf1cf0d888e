"""Listeners for /draft, /publish, the review card's buttons, Resubmit,
Update metrics and their modals (docs/PRODUCT.md §2.2).

Each listener: parse the payload, make one service call, render the answer.
Domain errors are rendered by ``handlers/errors.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.content import METRICS, PublishCommandKind, parse_publish_command
from bot.errors import NotFound
from bot.i18n import gettext_for
from bot.services import content as svc
from bot.services import topics as topic_svc
from handlers import forms, render, render_content
from handlers.deps import Deps
from handlers.ids import Action, Block, Command, View


def _round_value(body: dict[str, Any]) -> tuple[int, int]:
    """A review button's value: ``<draft id>:<round>``."""
    draft, _sep, number = forms.action_value(body).partition(":")
    if not (draft.isdigit() and number.isdigit()):
        raise NotFound()
    return int(draft), int(number)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def open_draft_modal(deps: Deps, client: WebClient, trigger_id: str, user: str) -> None:
    """The draft form: from /draft and from Home's Submit a draft."""
    form = svc.draft_form(db=deps.db, user_id=user)
    client.views_open(trigger_id=trigger_id, view=render_content.draft_modal(form, gettext_for(form.locale)))


def register(app: App, deps: Deps) -> None:
    services = {"db": deps.db, "clock": deps.clock}

    def locale_of(user: str) -> str:
        return topic_svc.user_locale(db=deps.db, user_id=user)

    # -- drafts ------------------------------------------------------------------

    @app.command(Command.DRAFT)
    def draft_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user = command["user_id"]
        if (command.get("text") or "").strip() == "help":
            ack(render.ephemeral(render_content.draft_help(gettext_for(locale_of(user)))))
            return
        open_draft_modal(deps, client, command["trigger_id"], user)
        ack()

    @app.view(View.DRAFT_SUBMIT)
    def draft_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        svc.submit_draft(
            **services, user_id=body["user"]["id"], view_id=view.get("id") or "",
            topic_id=_int(forms._value(values, Block.DRAFT_TOPIC)),
            draft_id=forms.metadata(view).get("draft_id"),
            link=forms._value(values, Block.DRAFT_LINK),
            checklist=forms._value(values, Block.DRAFT_CHECKLIST),
        )
        ack()

    @app.action(Action.DRAFT_APPROVE)
    def approve_clicked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        draft_id, number = _round_value(body)
        svc.decide_draft(**services, user_id=body["user"]["id"], draft_id=draft_id, number=number, approve=True)

    @app.action(Action.DRAFT_REQUEST_CHANGES)
    def request_changes_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        draft_id, number = _round_value(body)
        user = body["user"]["id"]
        title = svc.check_can_review(**services, user_id=user, draft_id=draft_id, number=number)
        client.views_open(trigger_id=body["trigger_id"], view=render_content.request_changes_modal(
            draft_id=draft_id, round=number, title=title, _=gettext_for(locale_of(user))))

    @app.view(View.DRAFT_CHANGES)
    def changes_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        meta = forms.metadata(view)
        svc.decide_draft(**services, user_id=body["user"]["id"], draft_id=int(meta.get("draft_id", 0)),
                         number=int(meta.get("round", 0)), approve=False,
                         comment=forms._value(view["state"]["values"], Block.REVIEW_COMMENT))
        ack()

    @app.action(Action.DRAFT_RESUBMIT)
    def resubmit_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        draft_id = forms.int_value(body)
        if draft_id is None:
            raise NotFound()
        form = svc.resubmit_form(db=deps.db, user_id=body["user"]["id"], draft_id=draft_id)
        client.views_open(trigger_id=body["trigger_id"], view=render_content.draft_modal(form, gettext_for(form.locale)))

    # -- publications and metrics ------------------------------------------------------

    def open_metrics(client: WebClient, trigger_id: str, user: str, publication_id: int) -> None:
        form = svc.metrics_form(**services, user_id=user, publication_id=publication_id)
        client.views_open(trigger_id=trigger_id, view=render_content.metrics_modal(form, gettext_for(form.locale)))

    @app.command(Command.PUBLISH)
    def publish_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        user = command["user_id"]
        cmd = parse_publish_command(command.get("text") or "")
        if cmd.kind == PublishCommandKind.HELP:
            ack(render.ephemeral(render_content.publish_help(gettext_for(locale_of(user)))))
            return
        if cmd.kind == PublishCommandKind.METRICS and cmd.publication_id is not None:
            open_metrics(client, command["trigger_id"], user, cmd.publication_id)
        else:
            form = svc.publish_form(db=deps.db, user_id=user)
            now = int(deps.clock.now().timestamp())
            client.views_open(trigger_id=command["trigger_id"],
                              view=render_content.publish_modal(form, now=now, _=gettext_for(form.locale)))
        ack()

    @app.view(View.PUBLISH)
    def publish_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        at = forms._value(values, Block.PUB_TIME)
        svc.publish(
            **services, user_id=body["user"]["id"],
            draft_id=_int(forms._value(values, Block.PUB_DRAFT)),
            platform=forms._value(values, Block.PUB_PLATFORM),
            url=forms._value(values, Block.PUB_URL),
            published_at=datetime.fromtimestamp(int(at), UTC) if isinstance(at, int | float) else None,
        )
        ack()

    @app.action(Action.UPDATE_METRICS)
    def update_metrics_clicked(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        publication_id = forms.int_value(body)
        if publication_id is None:
            raise NotFound()
        open_metrics(client, body["trigger_id"], body["user"]["id"], publication_id)

    @app.view(View.METRICS)
    def metrics_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        user = body["user"]["id"]
        publication_id = int(forms.metadata(view).get("publication_id", 0))
        saved = svc.update_metrics(
            **services, user_id=user, publication_id=publication_id, view_id=view.get("id") or "",
            raw={m: forms._value(values, render_content.METRIC_BLOCKS[m]) for m in METRICS},
        )
        ack(response_action="update", view=render_content.metrics_saved(
            publication_id=publication_id, figures=saved, _=gettext_for(locale_of(user))))
