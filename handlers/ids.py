"""Every Slack id the app uses: commands, actions, views, blocks.

Kept in step with ``app.yaml`` by ``tests/test_manifest.py``.
"""

from enum import StrEnum


class Command(StrEnum):
    TOPIC = "/topic"
    OPSBOT = "/opsbot"


class Action(StrEnum):
    TOPIC_APPROVE = "topic_approve"
    TOPIC_REJECT = "topic_reject"
    REMIND_LATER = "remind_later"
    PROPOSE_TOPIC = "propose_topic"


class View(StrEnum):
    TOPIC_PROPOSE = "topic_propose"
    TOPIC_REJECT = "topic_reject_reason"


class Block(StrEnum):
    TITLE = "title"
    ANGLE = "angle"
    PLATFORM = "platform"
    PUBLISH_DATE = "publish_date"
    TEAM = "team"
    REASON = "reason"
    DECISION_ACTIONS = "decision_actions"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"


# Web API methods the app calls, with the bot scope each needs. The manifest's
# bot scopes must be exactly the union of these (tests/test_manifest.py).
METHOD_SCOPES: dict[str, str | None] = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "views.open": None,
    "views.update": None,
    "views.publish": None,
    "users.info": "users:read",
    "auth.test": None,
    "users.list": "users:read",
}
# Slash commands need the ``commands`` scope.
COMMAND_SCOPE = "commands"
