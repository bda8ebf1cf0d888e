"""A person's Slack profile read during a request, when the store's will not do:
whether they are a workspace owner or admin (``/opsbot setup``), their zone
and language (``/kudos``'s daily cap). If Slack does not answer, the caller
goes on with what the store knows."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.kernel import people
from handlers.deps import Deps
from handlers.gateway import NETWORK_ERRORS, profile_of

log = logging.getLogger(__name__)


def refresh_profile(deps: Deps, client: WebClient, user_id: str, workspace: str = "") -> bool:
    """Ask Slack (``users.info``) and remember the answer; False when Slack did not answer.
    ``workspace``: OAuth mode's workspace whose token ``client`` carries, whose owner or admin
    the answer may make them."""
    try:
        found = client.users_info(user=user_id, include_locale=True)
    except (SlackApiError, *NETWORK_ERRORS) as e:
        log.warning("users.info failed (%s); going on with what the store knows", type(e).__name__)
        return False
    people.remember_profile(db=deps.db, clock=deps.clock, profile=profile_of(found["user"], user_id),
                            workspace=workspace)
    return True
