"""Every Slack id the app uses: commands, actions, views, blocks.

Kept in step with ``app.yaml`` by ``tests/test_manifest.py``.
"""

import re
from enum import StrEnum


class Command(StrEnum):
    TOPIC = "/topic"
    OPSBOT = "/opsbot"
    DRAFT = "/draft"
    PUBLISH = "/publish"
    SELFREVIEW = "/selfreview"
    ACTIVITY = "/activity"
    LEAVE = "/leave"
    KUDOS = "/kudos"


class Action(StrEnum):
    TOPIC_APPROVE = "topic_approve"
    TOPIC_REJECT = "topic_reject"
    REMIND_LATER = "remind_later"
    PROPOSE_TOPIC = "propose_topic"
    DRAFT_APPROVE = "draft_approve"
    DRAFT_REQUEST_CHANGES = "draft_request_changes"
    DRAFT_RESUBMIT = "draft_resubmit"
    UPDATE_METRICS = "update_metrics"
    REVIEW_WRITE = "review_write"
    REVIEW_EVALUATE = "review_evaluate"
    REVIEW_ACKNOWLEDGE = "review_acknowledge"
    REVIEW_OBJECT = "review_object"
    REVIEW_CONFIRM = "review_confirm"
    REVIEW_REVISE = "review_revise"
    REVIEW_ASK_PEERS = "review_ask_peers"
    PEER_RATE = "peer_rate"
    ACTIVITY_APPROVE = "activity_approve"
    ACTIVITY_CHANGES = "activity_changes"
    ACTIVITY_REJECT = "activity_reject"
    ACTIVITY_RESUBMIT = "activity_resubmit"
    WRITE_RETRO = "write_retro"
    LEAVE_APPROVE = "leave_approve"
    LEAVE_REJECT = "leave_reject"
    LEAVE_DETAILS = "leave_details"
    SUBMIT_DRAFT = "home_submit_draft"
    REQUEST_LEAVE = "home_request_leave"
    # Teams set up in Slack: Home's New team and each team's Edit, the edit modal's Archive.
    TEAM_NEW = "team_new"
    TEAM_EDIT = "team_edit"
    TEAM_ARCHIVE = "team_archive"
    # Onboarding: Done on an item, in its DM and on the member's Home.
    ONBOARDING_DONE = "onboarding_done"
    # Training: a session card's answers and its attendance.
    TRAINING_JOIN = "training_join"
    TRAINING_DECLINE = "training_decline"
    TRAINING_ATTENDANCE = "training_attendance"
    # The performance plan: the member's Agree / Comment, the supervisor's Revise.
    PLAN_AGREE = "plan_agree"
    PLAN_COMMENT = "plan_comment"
    PLAN_REVISE = "plan_revise"
    # The feedback talk: schedule and record (the supervisor's; per item on Home), the member's
    # Acknowledge / Object, and an improvement item owner's Done / Not yet.
    TALK_SCHEDULE = "talk_schedule"
    TALK_RECORD = "talk_record"
    TALK_ACKNOWLEDGE = "talk_acknowledge"
    TALK_OBJECT = "talk_object"
    ITEM_DONE = "improvement_done"
    ITEM_NOT_YET = "improvement_not_yet"


# The decision buttons a channel card and App Home share. A card carries the
# plain id; on Home every waiting item carries its own buttons, so there the id
# is ``<action>:<item id>`` (Slack wants action ids unique within a view). Their
# listeners match both spellings with ``item_pattern``; the item itself is
# always read from the button's value and checked against the store.
ITEM_ACTIONS: frozenset[Action] = frozenset({
    Action.TOPIC_APPROVE, Action.TOPIC_REJECT,
    Action.DRAFT_APPROVE, Action.DRAFT_REQUEST_CHANGES,
    Action.ACTIVITY_APPROVE, Action.ACTIVITY_CHANGES, Action.ACTIVITY_REJECT,
    Action.LEAVE_APPROVE, Action.LEAVE_REJECT,
    Action.TEAM_EDIT,  # Home lists every team an admin runs, each with its Edit
    Action.ONBOARDING_DONE,  # Home lists a new member's open onboarding items, each with Done
    Action.TALK_SCHEDULE, Action.TALK_RECORD,  # Home lists the talks to schedule and to record
    Action.PLAN_AGREE, Action.PLAN_COMMENT,  # Home shows a member's proposed plan with Agree / Comment
    Action.TRAINING_JOIN, Action.TRAINING_DECLINE,  # Home lists the sessions a member has not answered
})
ITEM_SEPARATOR = ":"


def item_action_id(action: Action, item_id: int) -> str:
    """``action``'s id on one item's button on Home: unique within the view."""
    return f"{action.value}{ITEM_SEPARATOR}{item_id}"


def item_pattern(action: Action) -> re.Pattern[str]:
    """What ``action``'s listener answers: the card's plain id and every
    per-item id. Whatever follows the separator is checked by the listener
    (``handlers.kit.forms``), so a forged one is refused there with a reason."""
    assert action in ITEM_ACTIONS, f"{action} is not a per-item action"
    return re.compile(rf"^{re.escape(action.value)}(?:{ITEM_SEPARATOR}.*)?\Z")


class View(StrEnum):
    TOPIC_PROPOSE = "topic_propose"
    TOPIC_REJECT = "topic_reject_reason"
    DRAFT_SUBMIT = "draft_submit"
    DRAFT_CHANGES = "draft_changes"
    PUBLISH = "publish_record"
    METRICS = "metrics_update"
    SELF_REVIEW = "review_self"
    EVALUATION = "review_evaluation"
    OBJECTION = "review_objection"
    CONFIRM = "review_confirm_comment"
    PEERS = "review_peers"
    PEER_RATING = "review_peer_rating"
    TARGETS = "review_targets"
    ACTIVITY_PROPOSE = "activity_propose"
    ACTIVITY_CHANGES = "activity_changes_comment"
    ACTIVITY_REJECT = "activity_reject_reason"
    ACTIVITY_RETRO = "activity_retro"
    LEAVE_REQUEST = "leave_request"
    LEAVE_REJECT = "leave_reject_reason"
    TEAM_SETTINGS = "team_settings"
    TEAM_SETUP = "team_setup"
    ONBOARDING = "onboarding_checklist"
    TRAINING = "training_announce"
    TRAINING_ATTENDANCE = "training_attendance"
    GOALS = "career_goals"
    PLAN_COMMENT = "review_plan_comment"
    TALK_SCHEDULE = "feedback_talk_schedule"
    TALK_NOTES = "feedback_talk_notes"
    TALK_OBJECTION = "feedback_talk_objection"
    ITEM_NOT_YET = "improvement_not_yet"


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
    RV_ACHIEVEMENTS = "rv_achievements"
    RV_SHORTCOMINGS = "rv_shortcomings"
    RV_PLAN = "rv_plan"
    RV_SCORE_PERFORMANCE = "rv_score_performance"
    RV_SCORE_ABILITY = "rv_score_ability"
    RV_SCORE_ATTITUDE = "rv_score_attitude"
    RV_COMMENT = "rv_comment"
    RV_REASON = "rv_reason"
    RV_RESOLUTION = "rv_resolution"
    RV_GRADE = "rv_grade"
    RV_PEERS = "rv_peers"
    RV_PEER_SCORE = "rv_peer_score"
    RV_TARGET_TOPICS = "rv_target_topics_approved"
    RV_TARGET_PUBLICATIONS = "rv_target_publications"
    RV_TARGET_READS = "rv_target_reads"
    RV_TARGET_ACTIVITIES = "rv_target_activities"
    RV_PLAN_INDICATORS = "rv_plan_indicators"
    RV_PLAN_COMMENT = "rv_plan_comment"
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
    # team settings (the block ids are the setting names)
    QUOTA = "weekly_topic_quota"
    WEEKLY_PLAN = "weekly_plan"
    QUOTA_REMINDER = "quota_reminder"
    QUOTA_SUMMARY = "quota_summary"
    DAILY = "daily"
    TIMEZONE = "timezone"
    COUNTRY = "country"
    LOCALE = "locale"
    MENTIONS = "mention_in_summaries"
    PLATFORMS = "platforms"
    RECOGNITION_CAP = "recognition_daily_cap"
    RECOGNITION_LEADERBOARD = "recognition_leaderboard"
    # a team set up in Slack (with the settings' timezone, country, locale, quota, platforms)
    TEAM_NAME = "team_name"
    TEAM_CHANNEL = "team_channel"
    TEAM_SUPERVISORS = "team_supervisors"
    TEAM_MEMBERS = "team_members"
    ONBOARDING_ITEMS = "onboarding_items"
    TRAINING_TOPIC = "training_topic"
    TRAINING_START = "training_start"
    TRAINING_PLACE = "training_place"
    TRAINING_DESCRIPTION = "training_description"
    TRAINING_ATTENDEES = "training_attendees"
    GOALS_TEXT = "career_goals"
    # The feedback talk's modals (bot/workflows/feedback/rules.py names them too).
    FB_TALK_AT = "fb_talk_at"
    FB_TALK_PLACE = "fb_talk_place"
    FB_NOTES = "fb_notes"
    FB_OBJECTION = "fb_objection"
    FB_FOLLOWUP_COMMENT = "fb_followup_comment"
    FB_FOLLOWUP_DUE = "fb_followup_due"
    FB_ITEM_1_TEXT = "fb_item_1_text"
    FB_ITEM_1_OWNER = "fb_item_1_owner"
    FB_ITEM_1_DUE = "fb_item_1_due"
    FB_ITEM_2_TEXT = "fb_item_2_text"
    FB_ITEM_2_OWNER = "fb_item_2_owner"
    FB_ITEM_2_DUE = "fb_item_2_due"
    FB_ITEM_3_TEXT = "fb_item_3_text"
    FB_ITEM_3_OWNER = "fb_item_3_owner"
    FB_ITEM_3_DUE = "fb_item_3_due"
    FB_ITEM_4_TEXT = "fb_item_4_text"
    FB_ITEM_4_OWNER = "fb_item_4_owner"
    FB_ITEM_4_DUE = "fb_item_4_due"
    FB_ITEM_5_TEXT = "fb_item_5_text"
    FB_ITEM_5_OWNER = "fb_item_5_owner"
    FB_ITEM_5_DUE = "fb_item_5_due"


class Event(StrEnum):
    APP_HOME_OPENED = "app_home_opened"
    # The workspace uninstalled opsbot, or revoked its tokens (handlers/oauth.py).
    APP_UNINSTALLED = "app_uninstalled"
    TOKENS_REVOKED = "tokens_revoked"


# Web API methods the app calls, with the bot scope each needs. The manifest's
# bot scopes must be exactly the union of these (tests/test_manifest.py).
METHOD_SCOPES: dict[str, str | tuple[str, ...] | None] = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",
    "views.open": None,
    "views.update": None,
    "views.publish": None,
    "users.info": "users:read",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "auth.test": None,
    "users.list": "users:read",
    # /opsbot setup: is the bot in the chosen channel (public: channels:read,
    # private: groups:read)? If not, it joins a public one itself.
    "conversations.info": ("channels:read", "groups:read"),
    "conversations.join": "channels:join",
}
# Slash commands need the ``commands`` scope.
COMMAND_SCOPE = "commands"
