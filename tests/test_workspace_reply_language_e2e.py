"""Issue 19, end to end on both backends: in OAuth mode every command, button and refusal answers a
person in the language of their team in the workspace it came from, not of their first team anywhere.
Mia (one Enterprise Grid user id) is in a Growth of each of two workspaces: Acme's works in Chinese,
Other Co's in English; her own Slack language is one opsbot does not ship, so her team's decides."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from bot.devtools.rig import Rig
from storage.activities import Activity
from storage.db import transaction
from storage.leave import Leave
from storage.topics import Topic
from tests.conftest import NO_TEAMS_FILE, SHANGHAI, make_rig
from tests.helpers import all_text
from tests.test_oauth_install_e2e import install

ACME, OTHER = "T0ACME", "T0OTHER"
BOSS_A, LEAD_A, CHANNEL_A = "U0ABOSS", "U0ALEAD", "C0AGROWTH"
BOSS_B, LEAD_B, CHANNEL_B = "U0BBOSS", "U0BLEAD", "C0BGROWTH"
MIA = "W0GRIDMIA"  # Grid's org-level user ids start with W: the same id in both workspaces
PEOPLE = {u: {"name": u.lower(), "real_name": f"Person {u[3:].title()}", "tz": "Asia/Shanghai", "locale": "en-US"}
          for u in (BOSS_A, LEAD_A, BOSS_B, LEAD_B)}
PEOPLE[MIA] = {"name": "mia", "real_name": "Mia", "tz": "Asia/Shanghai", "locale": "ja-JP"}

# What each language says, for the texts the two commands answer with.
NO_TOPIC = {"en": "You have no approved topic waiting for a draft.", "zh": "你没有待写稿的已通过选题。"}
NO_DRAFT = {"en": "You have no approved draft waiting to be published.", "zh": "你没有待发布的已通过稿件。"}
DRAFT_HELP = {"en": "*/draft* — submit a draft for one of your approved topics.",
              "zh": "*/draft* — 为你已通过的选题提交稿件。"}
PUBLISH_HELP = {"en": "*/publish* — record where and when an approved draft went out, and its figures.",
                "zh": "*/publish* — 登记已通过稿件的发布平台、时间及数据。"}
DRAFT_LINK = {"en": "Link to the draft", "zh": "稿件链接"}
TOPIC_HELP = {"en": "*/topic* — propose content topics and follow your weekly quota.",
              "zh": "*/topic* — 提交内容选题，跟进你的每周选题配额。"}
LEAVE_HELP = {"en": "*/leave* — request leave and see your requests.", "zh": "*/leave* — 申请请假并查看你的申请。"}
KUDOS_HELP = {"en": "*/kudos* — recognise a colleague of your team.", "zh": "*/kudos* — 表扬本团队的一位同事。"}
ACTIVITY_HELP = {"en": "*/activity* — propose an activity for your supervisor's review.",
                 "zh": "*/activity* — 提交活动方案，由主管审核。"}
OPSBOT_HELP = {"en": "`/topic [title]` — propose a topic (the form without a title); `/topic help` for more.",
               "zh": "`/topic [title]` — 提交选题（不带标题则打开表单）；详见 `/topic help`。"}
UNKNOWN = {"en": "I don't know `frobnicate` yet.", "zh": "暂不支持 `frobnicate`。"}
CANCELLED = {"en": "is cancelled.", "zh": "已取消。"}
NOT_FOUND = {"en": "I could not find that item.", "zh": "没有找到该条目。"}
REJECT_TOPIC = {"en": "Reject topic", "zh": "驳回选题"}
REJECT_LEAVE = {"en": "Reject leave", "zh": "驳回请假"}
REJECT_ACTIVITY = {"en": "Reject activity", "zh": "驳回活动"}


@pytest.fixture
def two(database_url: str) -> Iterator[Rig]:
    """Acme's Growth works in Chinese, Other Co's in English; Mia is a member of both."""
    rig = make_rig(database_url, oauth=True, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    rig.slack.add_workspace(ACME, "Acme")
    rig.slack.add_workspace(OTHER, "Other Co")
    try:
        set_up_growth(rig, ACME, BOSS_A, LEAD_A, CHANNEL_A, "zh-CN")
        set_up_growth(rig, OTHER, BOSS_B, LEAD_B, CHANNEL_B, "en")
        rig.deliver()
        yield rig
    finally:
        rig.stop()


@pytest.fixture
def led(database_url: str) -> Iterator[Rig]:
    """As ``two``, but Mia leads both Growths and each workspace's lead is a member of its own."""
    rig = make_rig(database_url, oauth=True, teams=NO_TEAMS_FILE, users=PEOPLE).start()
    rig.slack.add_workspace(ACME, "Acme")
    rig.slack.add_workspace(OTHER, "Other Co")
    try:
        set_up_growth(rig, ACME, BOSS_A, MIA, CHANNEL_A, "zh-CN", members=[LEAD_A])
        set_up_growth(rig, OTHER, BOSS_B, MIA, CHANNEL_B, "en", members=[LEAD_B])
        rig.deliver()
        yield rig
    finally:
        rig.stop()


def set_up_growth(rig: Rig, workspace: str, boss: str, lead: str, channel: str, locale: str,
                  members: list[str] | None = None) -> None:
    """Install in ``workspace``; the installer sets up a Growth there led by ``lead``, with Mia in it
    (or ``members``), in ``locale``."""
    install(rig, workspace, boss)
    assert rig.command(boss, "/opsbot", "setup", channel=channel, team=workspace).status == 200
    values = {"team_name": "Growth", "team_channel": channel, "team_supervisors": [lead],
              "team_members": members or [MIA],
              "timezone": "Asia/Shanghai", "country": "CN", "locale": locale, "weekly_topic_quota": "2",
              "platforms": "WeChat"}
    reply = rig.submit(boss, rig.last_view(), values, team=workspace)
    assert reply.json()["response_action"] == "update", reply.body


def typed(rig: Rig, command: str, text: str, workspace: str, user: str = MIA) -> str:
    """What Mia (or ``user``) reads back when she types ``command`` in ``workspace``'s Growth channel."""
    channel = CHANNEL_A if workspace == ACME else CHANNEL_B
    reply = rig.command(user, command, text, channel=channel, team=workspace)
    assert reply.status == 200
    answer = reply.json()
    return answer["text"] if answer else ""


def test_draft_and_publish_answer_in_the_language_of_the_team_in_the_workspace_typed_in(two):
    for workspace, lang in ((OTHER, "en"), (ACME, "zh")):
        assert DRAFT_HELP[lang] in typed(two, "/draft", "help", workspace)
        assert PUBLISH_HELP[lang] in typed(two, "/publish", "help", workspace)
        assert NO_TOPIC[lang] in typed(two, "/draft", "", workspace)  # a refusal, in the same language
        assert NO_DRAFT[lang] in typed(two, "/publish", "", workspace)

    # A topic approved in each Growth: /draft opens the form, in each workspace in its team's language.
    for workspace, lead, title in ((ACME, LEAD_A, "春季发布"), (OTHER, LEAD_B, "Spring launch")):
        typed(two, "/topic", title, workspace)
        two.deliver()
        with transaction(two.app.db) as s:
            topic = s.scalar(select(Topic).where(Topic.title == title))
        two.click(lead, "topic_approve", str(topic.id), team=workspace)
        two.deliver()
    for workspace, lang, other_lang, title in ((OTHER, "en", "zh", "Spring launch"), (ACME, "zh", "en", "春季发布")):
        before = len(two.slack.calls("views.open"))
        typed(two, "/draft", "", workspace)
        [opened] = two.slack.calls("views.open")[before:]
        text = all_text(opened.params["view"])
        assert DRAFT_LINK[lang] in text and DRAFT_LINK[other_lang] not in text
        assert title in text  # the topic of that workspace's team


def test_the_other_commands_answer_in_the_language_of_the_team_in_the_workspace_typed_in(two):
    for workspace, lang in ((OTHER, "en"), (ACME, "zh")):
        assert TOPIC_HELP[lang] in typed(two, "/topic", "help", workspace)
        assert LEAVE_HELP[lang] in typed(two, "/leave", "help", workspace)
        assert KUDOS_HELP[lang] in typed(two, "/kudos", "help", workspace)
        assert ACTIVITY_HELP[lang] in typed(two, "/activity", "help", workspace)
        assert OPSBOT_HELP[lang] in typed(two, "/opsbot", "help", workspace)
        unknown = typed(two, "/opsbot", "frobnicate", workspace)
        assert UNKNOWN[lang] in unknown and OPSBOT_HELP[lang] in unknown


def test_a_cancelled_leave_is_confirmed_in_the_language_of_the_workspace_it_is_cancelled_in(two):
    for workspace, lang, other_lang, day in ((OTHER, "en", "zh", "2026-12-01"), (ACME, "zh", "en", "2026-12-02")):
        typed(two, "/leave", "", workspace)
        reply = two.submit(MIA, two.last_view(), {"leave_start": day, "leave_end": day, "leave_reason": "Family"},
                           team=workspace)
        assert reply.status == 200 and not reply.body, reply.body
        two.deliver()
        with transaction(two.app.db) as s:
            leave = s.scalar(select(Leave).where(Leave.user_id == MIA, Leave.status == "pending"))
        said = typed(two, "/leave", f"cancel {leave.id}", workspace)
        assert CANCELLED[lang] in said and CANCELLED[other_lang] not in said
        with transaction(two.app.db) as s:
            assert s.get_one(Leave, leave.id).status == "cancelled"


def test_a_refusal_decided_after_the_ack_comes_in_the_language_of_the_workspace_clicked_in(two):
    """Approve is decided after its ack (bot/kernel/inbox.py): the refusal that comes back through
    the response_url is in the language of the team of the workspace the click came from."""
    for workspace, lang, channel in ((OTHER, "en", CHANNEL_B), (ACME, "zh", CHANNEL_A)):
        reply = two.click(MIA, "topic_approve", "999999", channel=channel, team=workspace)
        assert reply.status == 200
        assert NOT_FOUND[lang] in reply.json()["text"]
    with transaction(two.app.db) as s:
        assert s.scalars(select(Topic)).all() == []  # nothing changed


def test_the_reject_buttons_open_their_form_in_the_language_of_the_workspace_clicked_in(led):
    """Mia leads a Growth in each workspace: a member's topic, leave and activity there are rejected
    in a form in that team's language."""
    for workspace, member, lang, other_lang, title, day in (
            (OTHER, LEAD_B, "en", "zh", "Spring launch", "2026-12-01"),
            (ACME, LEAD_A, "zh", "en", "春季发布", "2026-12-02")):
        channel = CHANNEL_A if workspace == ACME else CHANNEL_B
        typed(led, "/topic", title, workspace, user=member)
        typed(led, "/leave", "", workspace, user=member)
        led.submit(member, led.last_view(), {"leave_start": day, "leave_end": day, "leave_reason": "Family"},
                   team=workspace)
        propose_activity(led, member, workspace, title)
        led.deliver()
        with transaction(led.app.db) as s:
            topic = s.scalar(select(Topic).where(Topic.title == title))
            leave = s.scalar(select(Leave).where(Leave.user_id == member))
            activity = s.scalar(select(Activity).where(Activity.theme == title))
        for action, item, words in (("topic_reject", topic.id, REJECT_TOPIC), ("leave_reject", leave.id, REJECT_LEAVE),
                                    ("activity_reject", activity.id, REJECT_ACTIVITY)):
            before = len(led.slack.calls("views.open"))
            led.click(MIA, action, str(item), channel=channel, team=workspace)
            [opened] = led.slack.calls("views.open")[before:]
            text = all_text(opened.params["view"])
            assert words[lang] in text and words[other_lang] not in text


def propose_activity(rig: Rig, member: str, workspace: str, theme: str) -> None:
    typed(rig, "/activity", "", workspace, user=member)
    reply = rig.submit(member, rig.last_view(), {
        "activity_theme": theme, "activity_format": "Offline", "activity_participants": [],
        "activity_start": datetime(2026, 12, 8, 14, 0, tzinfo=SHANGHAI),
        "activity_end": datetime(2026, 12, 8, 18, 0, tzinfo=SHANGHAI),
        "target_participants": 50, "target_engagement": 10, "target_conversion": 5}, team=workspace)
    assert reply.status == 200 and not reply.body, reply.body
