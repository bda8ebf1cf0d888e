"""Every Slack id the app uses: commands, actions, views, blocks.

Kept in step with ``app.yaml`` by ``tests/test_manifest.py``.
"""

from enum import StrEnum


class Command(StrEnum):
    TOPIC = "/topic"
    OPSBOT = "/opsbot"
    DRAFT = "/draft"
    PUBLISH = "/publish"


class Action(StrEnum):
    TOPIC_APPROVE = "topic_approve"
    TOPIC_REJECT = "topic_reject"
    REMIND_LATER = "remind_later"
    PROPOSE_TOPIC = "propose_topic"
    DRAFT_APPROVE = "draft_approve"
    DRAFT_REQUEST_CHANGES = "draft_request_changes"
    DRAFT_RESUBMIT = "draft_resubmit"
    UPDATE_METRICS = "update_metrics"


class View(StrEnum):
    TOPIC_PROPOSE = "topic_propose"
    TOPIC_REJECT = "topic_reject_reason"
    DRAFT_SUBMIT = "draft_submit"
    DRAFT_CHANGES = "draft_changes"
    PUBLISH = "publish_record"
    METRICS = "metrics_update"


class Block(StrEnum):
    TITLE = "title"
    ANGLE = "angle"
    PLATFORM = "platform"
    PUBLISH_DATE = "publish_date"
    TEAM = "team"
    REASON = "reason"
    DECISION_ACTIONS = "decision_actions"
    DRAFT_TOPIC = "draft_topic"
    DRAFT_LINK = "draft_link"
    DRAFT_CHECKLIST = "draft_checklist"
    REVIEW_COMMENT = "review_comment"
    PUB_DRAFT = "pub_draft"
    PUB_PLATFORM = "pub_platform"
    PUB_URL = "pub_url"
    PUB_TIME = "pub_time"
    METRIC_READS = "metric_reads"
    METRIC_LIKES = "metric_likes"
    METRIC_COMMENTS = "metric_comments"
    METRIC_SHARES = "metric_shares"


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
