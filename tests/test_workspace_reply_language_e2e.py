"""Issue 19, end to end on both backends: in OAuth mode /draft and /publish answer a person in the
language of their team in the workspace the command was typed in, not of their first team anywhere.
Mia (one Enterprise Grid user id) is in a Growth of each of two workspaces: Acme's works in Chinese,
Other Co's in English; her own Slack language is one opsbot does not ship, so her team's decides."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.devtools.rig import Rig
from storage.db import transaction
from storage.topics import Topic
from tests.conftest import NO_TEAMS_FILE, make_rig
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


def set_up_growth(rig: Rig, workspace: str, boss: str, lead: str, channel: str, locale: str) -> None:
    """Install in ``workspace``; the installer sets up a Growth there with Mia in it, in ``locale``."""
    install(rig, workspace, boss)
    assert rig.command(boss, "/opsbot", "setup", channel=channel, team=workspace).status == 200
    values = {"team_name": "Growth", "team_channel": channel, "team_supervisors": [lead], "team_members": [MIA],
              "timezone": "Asia/Shanghai", "country": "CN", "locale": locale, "weekly_topic_quota": "2",
              "platforms": "WeChat"}
    reply = rig.submit(boss, rig.last_view(), values, team=workspace)
    assert reply.json()["response_action"] == "update", reply.body


def typed(rig: Rig, command: str, text: str, workspace: str) -> str:
    """What Mia reads back when she types ``command`` in ``workspace``'s Growth channel."""
    channel = CHANNEL_A if workspace == ACME else CHANNEL_B
    reply = rig.command(MIA, command, text, channel=channel, team=workspace)
    assert reply.status == 200
    return reply.json()["text"] if reply.body else ""


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
