"""The **Remind me later** button on every reminder."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.kernel import snooze
from bot.kernel.errors import NotFound
from bot.kernel.i18n import gettext_for
from handlers.deps import Deps
from handlers.ids import Action
from handlers.kit import forms
from handlers.kit.mrkdwn import slack_date


def register(app: App, deps: Deps) -> None:
    @app.action(Action.REMIND_LATER)
    def remind_later(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        v = forms.json_value(body)
        if not {"job", "team", "period"} <= v.keys():
            raise NotFound()
        due, _zone, locale = snooze.snooze(db=deps.db, clock=deps.clock, snoozable=deps.snoozable, user_id=body["user"]["id"],
                                         team_id=forms.id_of(v["team"]), job=str(v["job"]), period=str(v["period"]))
        _ = gettext_for(locale)
        text = _("OK, I will remind you again {when}.").format(when=slack_date(int(due.timestamp())))
        respond(text=text, response_type="ephemeral", replace_original=False)
