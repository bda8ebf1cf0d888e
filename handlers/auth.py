"""Authorization for a single-workspace install that survives a Web API outage.

Bolt's default asks ``auth.test`` before the first request is handled; while
Slack's Web API is down that refuses every command and click, even though
opsbot only needs the token (its notices wait in the outbox). This asks once,
caches the answer, and falls back to the configured token when Slack cannot
be reached.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def cached_authorize(client: WebClient, token: str | None) -> Callable[..., AuthorizeResult]:
    cache: list[AuthorizeResult] = []
    lock = threading.Lock()

    # Bolt passes arguments by name, so this must be a plain function.
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        with lock:
            if cache:
                return cache[0]
        try:
            auth = client.auth_test(token=token)
        except (SlackApiError, OSError) as e:
            log.warning("auth.test failed (%s); serving with the configured token", type(e).__name__)
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)
        result = AuthorizeResult.from_auth_test_response(auth_test_response=auth, bot_token=token, user_token=None)
        with lock:
            cache[:] = [result]
        return result

    return authorize
