"""Every Slack id the app uses: commands, actions, views, blocks.

Kept in step with ``app.yaml`` by ``tests/test_manifest.py``.
"""

from enum import StrEnum


class Command(StrEnum):
    TOPIC = "/topic"
    OPSBOT = "/opsbot"
    ACTIVITY = "/activity"
    LEAVE = "/leave"


class Action(StrEnum):
    TOPIC_APPROVE = "topic_approve"
    TOPIC_REJECT = "topic_reject"
    REMIND_LATER = "remind_later"
    PROPOSE_TOPIC = "propose_topic"
    ACTIVITY_APPROVE = "activity_approve"
    ACTIVITY_CHANGES = "activity_changes"
    ACTIVITY_REJECT = "activity_reject"
    ACTIVITY_RESUBMIT = "activity_resubmit"
    WRITE_RETRO = "write_retro"
    LEAVE_APPROVE = "leave_approve"
    LEAVE_REJECT = "leave_reject"


class View(StrEnum):
    TOPIC_PROPOSE = "topic_propose"
    TOPIC_REJECT = "topic_reject_reason"
    ACTIVITY_PROPOSE = "activity_propose"
    ACTIVITY_CHANGES = "activity_changes_comment"
    ACTIVITY_REJECT = "activity_reject_reason"
    ACTIVITY_RETRO = "activity_retro"
    LEAVE_REQUEST = "leave_request"
    LEAVE_REJECT = "leave_reject_reason"


class Block(StrEnum):
    TITLE = "title"
    ANGLE = "angle"
    PLATFORM = "platform"
    PUBLISH_DATE = "publish_date"
    TEAM = "team"
    REASON = "reason"
    DECISION_ACTIONS = "decision_actions"
    ACT_THEME = "activity_theme"
    ACT_FORMAT = "activity_format"
    ACT_START = "activity_start"
    ACT_END = "activity_end"
    ACT_PARTICIPANTS = "activity_participants"
    TARGET_PARTICIPANTS = "target_participants"
    TARGET_ENGAGEMENT = "target_engagement"
    TARGET_CONVERSION = "target_conversion"
    ACT_RESOURCES = "activity_resources"
    ACTUAL_PARTICIPANTS = "actual_participants"
    ACTUAL_ENGAGEMENT = "actual_engagement"
    ACTUAL_CONVERSION = "actual_conversion"
    RETRO_WORKED = "retro_worked"
    RETRO_DIDNT = "retro_didnt"
    RETRO_IMPROVE = "retro_improve"
    COMMENT = "comment"
    LEAVE_START = "leave_start"
    LEAVE_END = "leave_end"
    LEAVE_REASON = "leave_reason"


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
}
# Slash commands need the ``commands`` scope.
COMMAND_SCOPE = "commands"
