"""Secrets stay secret: tokens and the signing secret never reach the logs."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.cli import _logging
from bot.kernel.settings import Settings
from tests.conftest import ALICE, CHANNEL, LEAD, make_rig


def test_a_whole_flow_at_debug_logs_no_token_or_signing_secret(caplog, sqlite_url):
    _logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    rig = make_rig(sqlite_url).start()
    try:
        rig.slack.fail_next(1)  # a retry path logs too
        rig.command(ALICE, "/topic", "Logged idea", channel=CHANNEL)
        rig.click(LEAD, "topic_approve", "1")
        for _ in range(3):
            rig.clock.advance(timedelta(seconds=6))
            rig.deliver()
        assert [c for c in rig.slack.calls("chat.postMessage") if c.params["channel"] == CHANNEL], "the flow ran"
        assert "xoxb-rig-token" not in caplog.text
        assert rig.secret not in caplog.text
    finally:
        rig.stop()


def test_settings_never_print_secrets():
    s = Settings(slack_bot_token="xoxb-very-secret-token", slack_signing_secret="sign-me", slack_app_token="xapp-1")
    shown = repr(s) + str(s.model_dump())
    assert "xoxb-very-secret-token" not in shown and "sign-me" not in shown and "xapp-1" not in shown
