"""Listeners for /draft, /publish, the review card's buttons, Resubmit,
Update metrics and their modals (docs/PRODUCT.md §2.2).

Each listener: parse the payload, make one service call, render the answer.
Domain errors are rendered by ``handlers/errors.py``.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.kernel import people
from bot.kernel.errors import NotFound
from bot.kernel.i18n import gettext_for
from bot.workflows.content import publishing
from bot.workflows.content import service as svc
from bot.workflows.content.rules import METRICS, PublishCommandKind, parse_publish_command
from handlers.content import blocks as render_content
from handlers.deps import Deps
from handlers.ids import Action, Block, Command, View, item_pattern
from handlers.kit import blocks, forms


def _round_value(body: dict[str, Any]) -> tuple[int, int]:
    """A review button's value: ``<draft id>:<round>`` (on Home its action id
    names the same draft)."""
    draft, _sep, number = forms.action_value(body).partition(":")
    ids = forms.id_of(draft), forms.id_of(number)
    if not all(ids) or forms.names_another_item(body, ids[0]):
        raise NotFound()
    return ids


def _int(value: Any) -> int | None:
    """A select's value as a row id: None when nothing is picked, 0 when forged."""
    return forms.id_of(value) if value is not None else None


def open_draft_modal(deps: Deps, client: WebClient, trigger_id: str, user: str,
                     workspace: str | None = None) -> None:
    """The draft form: from /draft and from Home's Submit a draft (topics of ``workspace``, when given)."""
    form = svc.draft_form(db=deps.db, user_id=user, workspace=workspace)
    client.views_open(trigger_id=trigger_id, view=render_content.draft_modal(form, gettext_for(form.locale)))


def _services(deps: Deps) -> dict[str, Any]:
    """The keyword arguments every service call takes."""
    return {"db": deps.db, "clock": deps.clock}


def _locale_of(deps: Deps, user: str, context: dict[str, Any]) -> str:
    """The person's language in the request's workspace (their team there's, in OAuth mode)."""
    return people.user_locale(db=deps.db, user_id=user, workspace=deps.scope(context))


def _open_metrics(deps: Deps, client: WebClient, trigger_id: str, user: str, publication_id: int,
                  workspace: str | None) -> None:
    form = publishing.metrics_form(**_services(deps), user_id=user, publication_id=publication_id,
                                   workspace=workspace)
    client.views_open(trigger_id=trigger_id, view=render_content.metrics_modal(form, gettext_for(form.locale)))


def register(app: App, deps: Deps) -> None:
    """Plugs /draft, /publish and their cards' listeners into ``app``, in this order (see the helpers below)."""
    _register_drafts(app, deps)
    _register_draft_reviews(app, deps)
    _register_publications(app, deps)
    _register_metrics(app, deps)


# -- drafts ------------------------------------------------------------------


def _register_drafts(app: App, deps: Deps) -> None:
    """/draft and the draft form."""
    services = _services(deps)

    @app.command(Command.DRAFT)
    def draft_command(ack: Ack, command: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        user = command["user_id"]
        if (command.get("text") or "").strip() == "help":
            ack(blocks.ephemeral(render_content.draft_help(gettext_for(_locale_of(deps, user, context)))))
            return
        open_draft_modal(deps, client, command["trigger_id"], user, deps.scope(context))
        ack()

    @app.view(View.DRAFT_SUBMIT)
    def draft_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        values = forms.state_values(view)
        svc.submit_draft(
            **services, user_id=body["user"]["id"], view_id=forms.view_id(view),
            topic_id=_int(forms._value(values, Block.DRAFT_TOPIC)),
            draft_id=_int(forms.metadata(view).get("draft_id")),
            link=forms._value(values, Block.DRAFT_LINK),
            checklist=forms._value(values, Block.DRAFT_CHECKLIST), workspace=deps.scope(context),
        )
        ack()


def _register_draft_reviews(app: App, deps: Deps) -> None:
    """The review card's Approve / Request changes, its modal, and Resubmit."""
    services = _services(deps)

    @app.action(item_pattern(Action.DRAFT_APPROVE))
    def approve_clicked(ack: Ack, body: dict[str, Any], context: dict[str, Any]) -> None:
        ack()
        draft_id, number = _round_value(body)
        svc.decide_draft(**services, user_id=body["user"]["id"], draft_id=draft_id, number=number, approve=True,
                         workspace=deps.scope(context))

    @app.action(item_pattern(Action.DRAFT_REQUEST_CHANGES))
    def request_changes_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        draft_id, number = _round_value(body)
        user = body["user"]["id"]
        title = svc.check_can_review(**services, user_id=user, draft_id=draft_id, number=number,
                                     workspace=deps.scope(context))
        client.views_open(trigger_id=body["trigger_id"], view=render_content.request_changes_modal(
            draft_id=draft_id, round=number, title=title, _=gettext_for(_locale_of(deps, user, context))))

    @app.view(View.DRAFT_CHANGES)
    def changes_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        meta = forms.metadata(view)
        svc.decide_draft(**services, user_id=body["user"]["id"], draft_id=forms.id_of(meta.get("draft_id")),
                         number=forms.id_of(meta.get("round")), approve=False,
                         comment=forms.text(view, Block.REVIEW_COMMENT), workspace=deps.scope(context))
        ack()

    @app.action(Action.DRAFT_RESUBMIT)
    def resubmit_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        draft_id = forms.int_value(body)
        if draft_id is None:
            raise NotFound()
        form = svc.resubmit_form(db=deps.db, user_id=body["user"]["id"], draft_id=draft_id,
                                 workspace=deps.scope(context))
        client.views_open(trigger_id=body["trigger_id"], view=render_content.draft_modal(form, gettext_for(form.locale)))


# -- publications and metrics ------------------------------------------------------


def _register_publications(app: App, deps: Deps) -> None:
    """/publish (which also opens the metrics form) and the publish form."""
    services = _services(deps)

    @app.command(Command.PUBLISH)
    def publish_command(ack: Ack, command: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        user = command["user_id"]
        cmd = parse_publish_command(command.get("text") or "")
        if cmd.kind == PublishCommandKind.HELP:
            ack(blocks.ephemeral(render_content.publish_help(gettext_for(_locale_of(deps, user, context)))))
            return
        if cmd.kind == PublishCommandKind.METRICS and cmd.publication_id is not None:
            _open_metrics(deps, client, command["trigger_id"], user, cmd.publication_id, deps.scope(context))
        else:
            form = publishing.publish_form(db=deps.db, user_id=user, workspace=deps.scope(context))
            now = int(deps.clock.now().timestamp())
            client.views_open(trigger_id=command["trigger_id"],
                              view=render_content.publish_modal(form, now=now, _=gettext_for(form.locale)))
        ack()

    @app.view(View.PUBLISH)
    def publish_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        values = forms.state_values(view)
        at = forms._value(values, Block.PUB_TIME)
        publishing.publish(
            **services, user_id=body["user"]["id"],
            draft_id=_int(forms._value(values, Block.PUB_DRAFT)),
            platform=forms._value(values, Block.PUB_PLATFORM),
            url=forms._value(values, Block.PUB_URL),
            published_at=forms.parse_instant(at), workspace=deps.scope(context),
        )
        ack()


def _register_metrics(app: App, deps: Deps) -> None:
    """Update metrics on a publication and the metrics form."""
    services = _services(deps)

    @app.action(Action.UPDATE_METRICS)
    def update_metrics_clicked(ack: Ack, body: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        ack()
        publication_id = forms.int_value(body)
        if publication_id is None:
            raise NotFound()
        _open_metrics(deps, client, body["trigger_id"], body["user"]["id"], publication_id, deps.scope(context))

    @app.view(View.METRICS)
    def metrics_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]) -> None:
        values = forms.state_values(view)
        user = body["user"]["id"]
        publication_id = forms.meta_id(view, "publication_id")
        saved = publishing.update_metrics(
            **services, user_id=user, publication_id=publication_id, view_id=forms.view_id(view),
            raw={m: forms._value(values, render_content.METRIC_BLOCKS[m]) for m in METRICS},
            workspace=deps.scope(context),
        )
        ack(response_action="update", view=render_content.metrics_saved(
            publication_id=publication_id, figures=saved, _=gettext_for(_locale_of(deps, user, context))))
