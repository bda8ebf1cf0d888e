"""The Slack stand-in answers the real slack_sdk WebClient like Slack does."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from bot.devtools.slack_standin import Call, SlackStandIn

BLOCKS = [{"type": "section", "block_id": "b1", "text": {"type": "mrkdwn", "text": "*hi*"}}]
VIEW = {
    "type": "modal",
    "callback_id": "topic_propose",
    "title": {"type": "plain_text", "text": "Propose"},
    "blocks": BLOCKS,
}


@pytest.fixture
def slack():
    with SlackStandIn(
        users={
            "U1": {"name": "ana", "real_name": "Ana Ruiz", "tz": "Asia/Shanghai", "locale": "zh-CN"},
            "U2": {"name": "bo"},
        }
    ) as s:
        yield s


@pytest.fixture
def client(slack):
    return WebClient(token="xoxb-test", base_url=slack.api_url)


@pytest.fixture
def bare_client(slack):
    """No retry handlers: faults surface on the first try."""
    return WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])


def test_urls_and_ports_are_not_fixed():
    with SlackStandIn() as a, SlackStandIn() as b:
        assert a.port != b.port
        assert a.api_url == f"http://127.0.0.1:{a.port}/api/"
        assert a.base_url == f"http://127.0.0.1:{a.port}"
    a.stop()  # idempotent


def test_auth_test(slack, client):
    r = client.auth_test()
    assert (r["team_id"], r["user_id"], r["bot_id"]) == ("T0TEAM", "U0BOT", "B0BOT")
    (call,) = slack.calls("auth.test")
    assert call.token == "xoxb-test"
    assert call.status == 200 and call.ok


def test_post_message_to_channel_and_user_records_decoded_blocks(slack, client):
    r1 = client.chat_postMessage(channel="C1", text="hello", blocks=BLOCKS)
    r2 = client.chat_postMessage(channel="U1", text="dm", blocks=json.dumps(BLOCKS))
    assert r1["ok"] and r1["channel"] == "C1"
    assert r1["message"]["text"] == "hello" and r1["message"]["blocks"] == BLOCKS
    assert r2["channel"] == "D1"
    assert r1["ts"] < r2["ts"]
    assert r1["ts"].startswith("1700000000.") and len(r1["ts"].split(".")[1]) == 6

    (to_channel,) = slack.messages_to("C1")
    assert isinstance(to_channel, Call)
    assert to_channel.params["blocks"] == BLOCKS  # decoded, not a JSON string
    assert to_channel.token == "xoxb-test"
    # a DM is findable by user id and by DM channel id
    assert slack.messages_to("U1") == slack.messages_to("D1")
    assert slack.messages_to("U1")[0].params["blocks"] == BLOCKS
    assert slack.message("C1", r1["ts"])["text"] == "hello"


def test_form_encoded_blocks_are_decoded(slack):
    # slack_sdk sends some methods as form fields with JSON strings inside
    data = urllib.parse.urlencode(
        {"token": "xoxb-form", "channel": "C9", "text": "t", "blocks": json.dumps(BLOCKS)}
    ).encode()
    with urllib.request.urlopen(f"{slack.api_url}chat.postMessage", data=data) as resp:
        body = json.loads(resp.read())
    assert body["ok"]
    (call,) = slack.messages_to("C9")
    assert call.params["blocks"] == BLOCKS
    assert call.token == "xoxb-form" and "token" not in call.params


def test_query_string_params(slack):
    with urllib.request.urlopen(f"{slack.api_url}users.info?user=U2") as resp:
        body = json.loads(resp.read())
    assert body["user"]["name"] == "bo"


def test_chat_update(slack, client):
    posted = client.chat_postMessage(channel="C1", text="v1")
    r = client.chat_update(channel="C1", ts=posted["ts"], text="v2", blocks=BLOCKS)
    assert r["ok"] and r["ts"] == posted["ts"]
    assert slack.message("C1", posted["ts"])["text"] == "v2"
    assert slack.message("C1", posted["ts"])["blocks"] == BLOCKS

    with pytest.raises(SlackApiError) as e:
        client.chat_update(channel="C1", ts="1700000099.000001", text="nope")
    assert e.value.response["error"] == "message_not_found"
    (failed,) = [c for c in slack.calls("chat.update", ok_only=False) if not c.ok]
    assert failed.status == 200 and failed.response["error"] == "message_not_found"


def test_post_message_requires_channel_and_content(slack, client):
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="", text="x")
    assert e.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as e:
        client.api_call("chat.postMessage", json={"channel": "C1"})
    assert e.value.response["error"] == "no_text"
    assert slack.calls("chat.postMessage") == []
    assert len(slack.calls("chat.postMessage", ok_only=False)) == 2


def test_not_in_channel(slack, client):
    slack.not_in_channel.add("C404")
    with pytest.raises(SlackApiError) as e:
        client.chat_postMessage(channel="C404", text="hi")
    assert e.value.response.status_code == 200
    assert e.value.response["error"] == "not_in_channel"
    assert slack.messages_to("C404") == []
    (call,) = slack.calls(ok_only=False)
    assert not call.ok and call.status == 200


def test_server_error_surfaces_and_changes_nothing(slack, bare_client):
    slack.fail_next(1)
    with pytest.raises(SlackApiError) as e:
        bare_client.chat_postMessage(channel="C1", text="hi")
    assert e.value.response.status_code == 500
    assert e.value.response["error"] == "fatal_error"
    (call,) = slack.calls(ok_only=False)
    assert (call.method, call.status, call.ok) == ("chat.postMessage", 500, False)
    assert slack.messages_to("C1") == []
    # only one failure was asked for
    r = bare_client.chat_postMessage(channel="C1", text="hi")
    assert r["ok"] and len(slack.messages_to("C1")) == 1
    assert r["ts"] == "1700000000.000100"  # the failed call did not consume a ts


def test_fail_next_custom_status_skips_auth_test(slack, bare_client):
    slack.fail_next(1, status=503)
    assert bare_client.auth_test()["ok"]
    with pytest.raises(SlackApiError) as e:
        bare_client.users_info(user="U1")
    assert e.value.response.status_code == 503


def test_rate_limit_surfaces_with_retry_after(slack, bare_client):
    slack.rate_limit_next(1, retry_after=7)
    with pytest.raises(SlackApiError) as e:
        bare_client.chat_postMessage(channel="C1", text="hi")
    assert e.value.response.status_code == 429
    assert e.value.response.headers["Retry-After"] == "7"
    assert e.value.response["error"] == "ratelimited"
    (call,) = slack.calls(ok_only=False)
    assert (call.status, call.ok) == (429, False)
    assert slack.messages_to("C1") == []


def test_outage_until_cleared(slack, bare_client):
    slack.set_outage(502)
    for _ in range(3):
        with pytest.raises(SlackApiError) as e:
            bare_client.chat_postMessage(channel="C1", text="hi")
        assert e.value.response.status_code == 502
    slack.set_outage(None)
    assert bare_client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [c.status for c in slack.calls(ok_only=False)] == [502, 502, 502, 200]


def test_dropped_connection_is_a_network_error(slack, bare_client):
    slack.drop_connections_next(1)
    with pytest.raises(OSError):
        bare_client.chat_postMessage(channel="C1", text="hi")
    (call,) = slack.calls(ok_only=False)
    assert not call.ok and call.status == 0
    assert slack.messages_to("C1") == []


def test_default_style_client_retries_a_dropped_connection(slack):
    handler = ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0.01))
    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[handler])
    slack.drop_connections_next(1)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert [c.ok for c in slack.calls("chat.postMessage", ok_only=False)] == [False, True]
    assert len(slack.messages_to("C1")) == 1


def test_users_info_tz_and_locale(slack, client):
    user = client.users_info(user="U1", include_locale=True)["user"]
    assert user["id"] == "U1" and user["name"] == "ana" and user["real_name"] == "Ana Ruiz"
    assert user["tz"] == "Asia/Shanghai" and user["tz_offset"] == 8 * 3600
    assert user["locale"] == "zh-CN"
    assert user["deleted"] is False and user["is_bot"] is False
    assert user["profile"]["real_name"] == "Ana Ruiz" and user["profile"]["display_name"] == "ana"

    plain = client.users_info(user="U2")["user"]
    assert "locale" not in plain
    assert plain["tz"] == "UTC" and plain["tz_offset"] == 0
    assert client.users_info(user="U2", include_locale=True)["user"]["locale"] == "en-US"

    slack.set_user("U3", name="cy", tz="America/New_York", tz_offset=-18000, deleted=True)
    u3 = client.users_info(user="U3")["user"]
    assert u3["deleted"] is True and u3["tz_offset"] == -18000

    with pytest.raises(SlackApiError) as e:
        client.users_info(user="U404")
    assert e.value.response["error"] == "user_not_found"


def test_views_open_update_publish(slack, client):
    opened = client.views_open(trigger_id="123.456", view=VIEW)["view"]
    assert opened["id"].startswith("V") and opened["hash"].startswith("h")
    assert opened["callback_id"] == "topic_propose" and opened["blocks"] == BLOCKS
    assert slack.calls("views.open")[0].params["view"] == VIEW

    updated = client.views_update(view_id=opened["id"], view={**VIEW, "callback_id": "x"})["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert updated["callback_id"] == "x"

    with pytest.raises(SlackApiError) as e:
        client.views_update(view_id="VNOPE", view=VIEW)
    assert e.value.response["error"] == "not_found"

    ext = client.views_open(trigger_id="1.2", view={**VIEW, "external_id": "ext-1"})["view"]
    by_ext = client.views_update(external_id="ext-1", view={**VIEW, "external_id": "ext-1"})["view"]
    assert by_ext["id"] == ext["id"]

    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": BLOCKS})["view"]
    assert home["type"] == "home" and home["id"].startswith("V")

    with pytest.raises(SlackApiError) as e:
        client.api_call("views.open", json={"view": VIEW})
    assert e.value.response["error"] == "invalid_arguments"


def test_post_ephemeral_and_conversations_open(slack, client):
    r = client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert r["ok"] and r["message_ts"]
    assert client.conversations_open(users="U1")["channel"]["id"] == "D1"
    assert client.conversations_open(users=["U1", "U2"])["channel"]["id"].startswith("G")


def test_unknown_method_is_recorded(slack, client):
    with pytest.raises(SlackApiError) as e:
        client.api_call("pins.add", json={"channel": "C1"})
    assert e.value.response.status_code == 200
    assert e.value.response["error"] == "unknown_method"
    (call,) = slack.calls("pins.add", ok_only=False)
    assert call.params == {"channel": "C1"} and not call.ok


def test_custom_method_handler(slack, client):
    slack.on("team.info", lambda params: {"team": {"id": "T0TEAM", "name": "Ops"}})
    assert client.team_info()["team"]["name"] == "Ops"


def test_response_url_posts_are_recorded(slack):
    url = slack.new_response_url()
    other = slack.new_response_url()
    assert url.startswith(f"{slack.base_url}/response/") and url != other
    r = WebhookClient(url).send(text="done", replace_original=True, blocks=BLOCKS)
    assert r.status_code == 200
    (call,) = slack.responses()
    assert call.method == "response_url"
    assert call.params["text"] == "done" and call.params["replace_original"] is True
    assert call.params["blocks"] == BLOCKS
    assert call.params["_url"] == url.removeprefix(slack.base_url)
    assert slack.responses(url) == [call] and slack.responses(other) == []


def test_wait_for_and_clear(slack, client):
    t = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C7", text="later"))
    t.start()
    calls = slack.wait_for(lambda cs: any(c.method == "chat.postMessage" for c in cs), timeout=2)
    t.join()
    assert calls[-1].params["channel"] == "C7"

    slack.clear()
    assert slack.calls(ok_only=False) == []
    with pytest.raises(AssertionError, match="timed out"):
        slack.wait_for(lambda cs: len(cs) > 0, timeout=0.05)


def test_wait_for_dump_mentions_calls(slack, client):
    client.auth_test()
    with pytest.raises(AssertionError) as e:
        slack.wait_for(lambda cs: False, timeout=0.05)
    assert "auth.test" in str(e.value)


def test_token_bucket_rate_limits(slack, bare_client):
    slack.rate_limits = {"chat.postMessage": (0.5, 2)}
    assert bare_client.chat_postMessage(channel="C1", text="1")["ok"]
    assert bare_client.chat_postMessage(channel="C1", text="2")["ok"]
    with pytest.raises(SlackApiError) as e:
        bare_client.chat_postMessage(channel="C1", text="3")
    assert e.value.response.status_code == 429
    assert int(e.value.response.headers["Retry-After"]) == 2
    # buckets are per channel
    assert bare_client.chat_postMessage(channel="C2", text="1")["ok"]
    assert len(slack.messages_to("C1")) == 2
