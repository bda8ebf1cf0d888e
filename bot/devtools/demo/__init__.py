"""``opsbot demo``: a scripted week in the terminal, with no Slack workspace.

The story is told in acts, each a module that builds on
:mod:`bot.devtools.demo.stage` (and on nothing else here): ``setup``,
``topics``, ``development``, ``plan``, ``reviews``, ``recognition``,
``talk``, ``content``, ``activities`` and ``leave``. This
package puts them together: :data:`ACTS` plays one alone (``opsbot demo --act
NAME``), :class:`Demo` plays the whole story (``--act all``, the default),
which starts from an empty workspace with the setup.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.devtools.demo.activities import ActivitiesAct
from bot.devtools.demo.content import ContentAct
from bot.devtools.demo.development import DevelopmentAct
from bot.devtools.demo.leave import LeaveAct
from bot.devtools.demo.plan import PlanAct
from bot.devtools.demo.recognition import RecognitionAct
from bot.devtools.demo.reviews import ReviewsAct
from bot.devtools.demo.setup import SetupAct
from bot.devtools.demo.stage import (
    ALICE,
    ALL,
    BOB,
    BRAND,
    BRAND_TEAM,
    CHANNEL_ZONES,
    CHANNELS,
    GROWTH,
    GROWTH_TEAM,
    LEAD,
    MEI,
    NEW_YORK,
    QUIET,
    REFUSAL,
    SHANGHAI,
    START,
    SUMMARY_PREFIX,
    TEAMS,
    USERS,
    WANG,
    Scene,
    Stage,
    stamp,
)
from bot.devtools.demo.talk import TalkAct
from bot.devtools.demo.topics import TopicsAct

# The acts, in the order the story tells them.
ACTS: dict[str, type[Stage]] = {
    "setup": SetupAct,
    "topics": TopicsAct,
    "development": DevelopmentAct,
    "plan": PlanAct,
    "reviews": ReviewsAct,
    "talk": TalkAct,
    "recognition": RecognitionAct,
    "content": ContentAct,
    "activities": ActivitiesAct,
    "leave": LeaveAct,
}

# The whole story, scene by scene: the admins set the teams up, then the week
# begins. 王芳 gives 品牌组 its onboarding checklist right after the setup; once
# the first topics are decided, 李梅 gets her first item and Lena announces a
# training session, held on the Wednesday. Lena and Alice agree Alice's
# December plan on the Friday, between the topics act's Thursday reminders and
# its Friday summary. Activities and leave share a week: Bob asks for his day
# off once the activity is approved, and the retrospective falls between his
# day off and his first day back. Lena schedules Alice's feedback talk right
# after the reviews (王芳 learns, in Chinese, that 李梅 has no evaluated review
# to talk about), for Tuesday 8 December, the free day after Bob's leave is
# approved; the improvement plan's follow-ups fall on Monday 14 December
# (before the plan's mid-month progress) and Friday 18 December. The annual
# review closes the story.
_DECIDED = TopicsAct.SCENES.index("thursday_reminder")
_TOPICS_WEEK = TopicsAct.SCENES.index("friday_summary")
STORY: tuple[str, ...] = (
    *SetupAct.SCENES,
    DevelopmentAct.SCENES[0],
    *TopicsAct.SCENES[:_DECIDED],
    *DevelopmentAct.SCENES[1:],
    *TopicsAct.SCENES[_DECIDED:_TOPICS_WEEK],
    *PlanAct.SCENES[:-1],
    *TopicsAct.SCENES[_TOPICS_WEEK:],
    *ReviewsAct.SCENES,
    "talk_scheduled", "wang_has_no_review_to_talk_about",
    *RecognitionAct.SCENES[:-1],
    *ContentAct.SCENES,
    "activity_proposed", "activity_changes_requested", "activity_resubmitted", "activity_approved",
    "bob_requests_leave",
    "talk_day_reminder", "talk_notes_recorded", "alice_acknowledges_the_plan",
    "thursday_reminder_with_bob_away",
    "retrospective_asked_and_written",
    "bob_reminded_when_back",
    "improvement_not_yet",
    "plan_progress_mid_month",
    "improvement_done",
    "year_end_review",
)


class Demo(SetupAct, TopicsAct, DevelopmentAct, PlanAct, ReviewsAct, TalkAct, RecognitionAct, ContentAct, ActivitiesAct,
           LeaveAct):
    """The scripted week, every act in turn. ``run()`` returns the exit code.
    It starts with no teams: the setup act makes them, as the others expect."""

    ACT = ALL
    BLURB = Stage.BLURB
    SCENES = STORY
    TEAMS_FILE = SetupAct.TEAMS_FILE
    CAST = SetupAct.CAST

    def story(self) -> list[Scene]:
        """Each act leaves behind what the next one needs: nothing to set up."""
        return [getattr(self, name) for name in self.SCENES]


def run_demo(database: str | None = None, slow: bool = False, out: TextIO | None = None, act: str = ALL) -> int:
    """Play the scripted week, or one act of it; 0 when everything went as scripted."""
    if act != ALL and act not in ACTS:
        raise ValueError(f"unknown act {act!r}: choose one of {', '.join([*ACTS, ALL])}")
    play = Demo if act == ALL else ACTS[act]
    out = out if out is not None else sys.stdout
    _utf8(out)
    try:
        with _database(database) as url:
            code = play(database_url=url, out=out, slow=slow, temporary=database is None).run()
    except FileExistsError as e:
        print(f"opsbot demo: {e}", file=sys.stderr)
        return 2
    if code == 0 and database is not None:
        shown = database if "://" in database else f"sqlite:///{Path(database).expanduser().resolve()}"
        out.write(f"The database is kept: DATABASE_URL={shown} uv run opsbot audit   (or: outbox)\n")
    return code


__all__ = [
    "ACTS", "ALICE", "ALL", "BOB", "BRAND", "BRAND_TEAM", "CHANNELS", "CHANNEL_ZONES", "GROWTH", "GROWTH_TEAM",
    "LEAD", "MEI", "NEW_YORK", "QUIET", "REFUSAL", "SHANGHAI", "START", "STORY", "SUMMARY_PREFIX", "TEAMS",
    "USERS", "WANG", "ActivitiesAct", "ContentAct", "Demo", "DevelopmentAct", "LeaveAct", "PlanAct", "RecognitionAct", "ReviewsAct", "SetupAct", "Stage",
    "TalkAct", "TopicsAct",
    "run_demo", "stamp",
]


@contextmanager
def _database(database: str | None) -> Iterator[str]:
    if database is None:
        with tempfile.TemporaryDirectory(prefix="opsbot-demo-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'opsbot-demo.sqlite3'}"
        return
    if "://" in database:
        yield database
        return
    path = Path(database).expanduser().resolve()
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{path} already exists; the demo plays its week on a new database (pick another file)")
    path.parent.mkdir(parents=True, exist_ok=True)
    yield f"sqlite:///{path}"


def _utf8(out: TextIO) -> None:
    """Chinese titles and emoji must not crash a terminal with a narrow encoding."""
    enc = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    reconfigure = getattr(out, "reconfigure", None)
    if enc != "utf8" and reconfigure is not None:
        reconfigure(errors="replace")
