"""opsbot's Slack client keeps its connection alive between calls (handlers/keepalive.py), and
behaves like slack_sdk's own client otherwise: Slack's errors, 429s with Retry-After, a connection
Slack closed, and Slack gone are all seen by the outbox as before."""

from __future__ import annotations

import logging
import threading

import pytest
from slack_sdk.errors import SlackApiError

from bot.app import renderer
from bot.devtools.slack_standin import SlackStandIn
from bot.kernel.notices import Loaded
from bot.kernel.outbox import RetryLater
from bot.kernel.views import Answer
from handlers.gateway import SlackGateway, make_client
from handlers.keepalive import HOSTS_KEPT


@pytest.fixture
def slack():
    s = SlackStandIn(users={"U1": {"name": "amy"}}).start()
    try:
        yield s
    finally:
        s.stop()


def test_twenty_posts_from_one_thread_go_over_one_connection(slack):
    client = make_client("xoxb-test", slack.api_url)
    for n in range(20):
        assert client.chat_postMessage(channel="C1", text=f"post {n}")["ok"]
    assert len(slack.calls("chat.postMessage")) == 20
    assert slack.connections_opened == 1


def test_each_thread_has_its_own_connection_and_every_post_arrives(slack):
    client = make_client("xoxb-test", slack.api_url)
    sent: list[bool] = []

    def post(k: int) -> None:
        for n in range(5):
            sent.append(client.chat_postMessage(channel=f"C{k}", text=f"{k}-{n}")["ok"])

    threads = [threading.Thread(target=post, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sent == [True] * 20
    texts = sorted(c.params["text"] for c in slack.calls("chat.postMessage"))
    assert texts == sorted(f"{k}-{n}" for k in range(4) for n in range(5)), "each post once, none mixed up"
    assert slack.connections_opened == 4


def test_a_connection_slack_closed_is_replaced_and_the_post_goes_out_once(slack):
    client = make_client("xoxb-test", slack.api_url)
    assert client.chat_postMessage(channel="C1", text="first")["ok"]
    slack.drop_connections_next(1)  # Slack closes the kept connection with no answer
    assert client.chat_postMessage(channel="C1", text="second")["ok"], "sent again on a new connection"
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["first", "second"]
    assert slack.connections_opened == 2


def test_slacks_errors_and_429s_reach_the_caller_as_with_slack_sdk(slack):
    client = make_client("xoxb-test", slack.api_url)
    slack.rate_limit_next(1, retry_after=7)
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C1", text="limited")
    assert e.value.response.status_code == 429 and e.value.response.headers["Retry-After"] == "7"
    slack.revoke_token("xoxb-test")
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C1", text="revoked")
    assert e.value.response["error"] == "invalid_auth"
    assert slack.connections_opened == 1, "an error answer leaves the connection usable"


def test_a_stopped_slack_is_a_network_error_the_outbox_retries_later(slack):
    gateway = SlackGateway(make_client("xoxb-test", slack.api_url), renderer())
    client = gateway.client
    assert client.chat_postMessage(channel="C1", text="before")["ok"]
    slack.stop()  # the kept connection is closed too: nothing answers on it
    with pytest.raises(RetryLater) as e:
        gateway.fetch_profile("U1")
    assert e.value.error.startswith("network:")
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["before"]


def test_a_rendered_notice_goes_out_over_the_kept_connection(slack):
    gateway = SlackGateway(make_client("xoxb-test", slack.api_url), renderer())
    for n in range(3):
        assert gateway.deliver("dm", Loaded(Answer("en", f"hello {n}"), channel="U1"))["channel"]
    assert [c.params["text"] for c in slack.calls("chat.postMessage")] == ["hello 0", "hello 1", "hello 2"]
    assert slack.connections_opened == 1


def test_a_thread_keeps_connections_to_a_few_hosts_only(slack):
    others = [SlackStandIn().start() for _ in range(HOSTS_KEPT)]
    try:
        for s in [slack, *others]:
            assert make_client("xoxb-test", s.api_url).chat_postMessage(channel="C1", text="hi")["ok"]
        assert slack.connections_opened == 1
        assert make_client("xoxb-test", slack.api_url).chat_postMessage(channel="C1", text="again")["ok"]
        assert slack.connections_opened == 2, "the first host's connection had been closed to keep the rest"
    finally:
        for s in others:
            s.stop()


@pytest.mark.parametrize("value", [
    "application/json; charset=utf-8", "application/json;charset=UTF-8", 'text/html; charset="gb2312"',
    "application/gzip", "APPLICATION/JSON", "text/plain; format=flowed; charset=latin-1", "nonsense", "",
    "application/json; charset=", "text/plain; CHARSET = big5", "text/plain; charset=big5; charset=utf-8",
])
def test_the_content_type_is_read_as_email_message_reads_it(value):
    from email.message import Message

    from handlers.keepalive import _content_type

    m = Message()
    if value:
        m["Content-Type"] = value
    assert _content_type(value) == (m.get_content_type(), m.get_content_charset())


class _Counted(dict):
    """A block that counts how often it is written out as text (what a debug line does)."""

    written = 0

    def __repr__(self) -> str:
        type(self).written += 1
        return super().__repr__()


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO])
def test_a_call_is_written_into_the_log_only_when_debug_is_on_and_never_with_its_token(slack, caplog, level):
    """slack_sdk formats a debug line of every call's body when its logger's own level is NOTSET;
    opsbot's clients format it only when DEBUG is in effect, and the token is never in it."""
    caplog.set_level(level, logger="slack_sdk")
    _Counted.written = 0
    block = _Counted(type="section", text={"type": "mrkdwn", "text": "You have 1 of 3 topics"})
    assert make_client("xoxb-secret-token", slack.api_url).chat_postMessage(channel="C1", text="hi", blocks=[block])["ok"]
    debug = [r.getMessage() for r in caplog.records if r.name.startswith("slack_sdk") and r.levelno == logging.DEBUG]
    if level == logging.DEBUG:
        assert _Counted.written >= 1 and any("You have 1 of 3 topics" in m for m in debug)
        assert any("(redacted)" in m for m in debug)
    else:
        assert _Counted.written == 0 and debug == []
    assert all("xoxb-secret-token" not in r.getMessage() for r in caplog.records)
    assert slack.calls("chat.postMessage")[-1].params["blocks"][0]["text"]["text"] == "You have 1 of 3 topics"
