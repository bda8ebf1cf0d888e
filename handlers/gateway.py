"""The outbound port to Slack: delivers outbox notices through the Web API
and sorts Slack's refusals into retry-later and give-up."""

from __future__ import annotations

import logging
import urllib.error
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.kernel import notices
from bot.kernel.outbox import NotInChannel, PermanentFailure, Profile, RetryLater
from handlers.render import Renderer

log = logging.getLogger(__name__)

NETWORK_ERRORS = (urllib.error.URLError, ConnectionError, TimeoutError, OSError, SlackRequestError)


def make_client(token: str | None, base_url: str) -> WebClient:
    # One quick in-process retry for a dropped connection; everything longer
    # (5xx, 429, outages) is retried durably by the outbox.
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=10,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def _classify(e: SlackApiError) -> Exception:
    status = getattr(e.response, "status_code", 200)
    error = (e.response.data or {}).get("error", "") if isinstance(e.response.data, dict) else ""
    if status == 429 or error == "ratelimited":
        retry_after = e.response.headers.get("Retry-After") or e.response.headers.get("retry-after")
        try:
            after = float(retry_after) if retry_after is not None else None
        except ValueError:
            after = None
        return RetryLater(f"429 {error}", after=after if after is not None else 1.0)
    if status >= 500 or error in ("fatal_error", "internal_error", "service_unavailable", "request_timeout"):
        return RetryLater(f"{status} {error}")
    if error == "not_in_channel":
        return NotInChannel(error)
    return PermanentFailure(f"{status} {error}")


class SlackGateway:
    def __init__(self, client: WebClient, render: Renderer) -> None:
        self.client, self.render = client, render

    def deliver(self, kind: str, loaded: notices.Loaded) -> dict[str, Any]:
        payload = self.render(loaded.view)
        try:
            if kind == notices.HOME:
                self.client.views_publish(user_id=loaded.channel, view=payload)
                return {}
            if kind == notices.RESPONSE:
                return self._respond(loaded.url or "", payload)
            if kind == notices.FILE:
                return self._share_file(loaded.channel or "", payload)
            if kind == notices.CARD and loaded.ts:
                r = self.client.chat_update(channel=loaded.channel, ts=loaded.ts, **payload)
            else:
                r = self.client.chat_postMessage(channel=loaded.channel, unfurl_links=False, unfurl_media=False,
                                                 **payload)
            return {"channel": r.get("channel"), "ts": r.get("ts")}
        except SlackApiError as e:
            raise _classify(e) from None
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None

    def _share_file(self, recipient: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Upload v2 (get an upload URL, send the bytes, complete): the file is
        shared only at the last step, so a retry after a failure cannot post it twice."""
        channel = recipient
        if recipient[:1] in ("U", "W"):
            channel = self.client.conversations_open(users=recipient)["channel"]["id"]
        r = self.client.files_upload_v2(channel=channel, **payload)
        return {"channel": channel, "file": (r.get("file") or {}).get("id")}

    def _respond(self, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            r = WebhookClient(url, timeout=10).send_dict(payload)
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None
        if r.status_code == 429 or r.status_code >= 500:
            raise RetryLater(f"response_url {r.status_code}")
        if r.status_code != 200:
            # An expired response_url (30 min) cannot be fixed by retrying.
            raise PermanentFailure(f"response_url {r.status_code} {r.body}")
        return {}

    def list_profiles(self) -> list[Profile]:
        """Every person in the workspace, a page of ``users.list`` at a time:
        one call per 200 people instead of one ``users.info`` per person."""
        out: list[Profile] = []
        cursor: str | None = None
        while True:
            try:
                r = self.client.users_list(limit=200, include_locale=True, cursor=cursor)
            except SlackApiError as e:
                raise _classify(e) from None
            except NETWORK_ERRORS as e:
                raise RetryLater(f"network: {type(e).__name__}") from None
            out.extend(profile_of(u) for u in r.get("members") or [])
            cursor = (r.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return out

    def fetch_profile(self, user_id: str) -> Profile | None:
        try:
            r = self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as e:
            if (e.response.data or {}).get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise _classify(e) from None
        except NETWORK_ERRORS as e:
            raise RetryLater(f"network: {type(e).__name__}") from None
        return profile_of(r["user"], user_id)


def profile_of(u: dict[str, Any], user_id: str | None = None) -> Profile:
    profile = u.get("profile") or {}
    return Profile(
        user_id=user_id or u["id"],
        name=profile.get("real_name") or u.get("real_name") or profile.get("display_name") or u.get("name"),
        tz=u.get("tz"),
        locale=u.get("locale"),
        deleted=bool(u.get("deleted")),
        workspace_admin=bool(u.get("is_owner") or u.get("is_admin")),
    )
