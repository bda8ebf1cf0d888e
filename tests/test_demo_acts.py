"""``opsbot demo --act NAME``: each act of the story plays alone, on a fresh
database, sets up in one line what it needs from the acts before it, and
shows its key moment; ``--act all`` (the default) is the whole story."""

from __future__ import annotations

import ast
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from bot.devtools.demo import ACTS, STORY, Demo, run_demo

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bot" / "devtools" / "demo"
SUMMARY = re.compile(r"^Done: \d+ Slack API calls recorded, \d+ notices delivered, 0 duplicates, "
                     r"0 waiting in the outbox\.$")

# What a viewer should see when the act plays alone.
KEY_MOMENTS = {
    "setup": ["Set-up: none; the workspace starts empty.", "Lena types in #growth:  /opsbot setup",
              "modal “Set up a team” opens for Lena", "[ Cancel ] [ Create team ]",
              "│ opsbot is set up for Growth.", "DM → Alice\n  │ You are now in Growth (#growth) as a member.",
              "王芳 types in #brand:  /opsbot setup", "#brand (C0BRAND)", "DM → 李梅"],
    "topics": ["Set-up: none", "│ Topic #1 · Growth", "[ Approve ] [ Reject ]",
               "Approved by Lena", "Rejected by Lena", "[ 通过 ] [ 驳回 ]"],
    "development": ["Set-up, by signed requests (not shown): Lena set up Growth and 王芳 set up 品牌组",
                    "modal “入职培训” opens for 王芳", "│ 品牌组 的入职清单现在有 3 项。",
                    "DM → 李梅\n  │ 入职培训第 0 天：阅读团队手册和品牌指南\n  │ [ 完成 ]", "│ 已完成：阅读团队手册和品牌指南",
                    "on 王芳's Home:\n  │ • @李梅 — 已完成 1 / 3 项入职事项",
                    "Announced by @Lena · ✅ 1 joining · ❌ 1 can't make it",
                    "DM → Alice\n  │ 📚 Today: training session Writing headlines that earn the click",
                    "📋 Attendance recorded: 1 attended", "modal “Career goals” opens for Alice",
                    "│ Saved: 3 goal(s) for the year."],
    "plan": ["Set-up: none", "modal “Plan 2026-12” opens for Lena",
             "│ @Lena proposes your performance plan for 2026-12 (Growth), round 1.", "[ Agree ] [ Comment ]",
             "modal “Comment on the plan” opens for Alice", "[ Revise plan ]", "round 2.",
             "│ Thank you: the plan is agreed.", "│ @Alice agreed to their plan for 2026-12 (round 2).",
             "The scheduler fires plan-progress for Growth: sent to Alice.",
             "│ Mid-month: how your plan for 2026-12 stands so far (Growth)."],
    "reviews": ["Set-up, by signed requests (not shown): Alice proposed three topics",
                "• Topics proposed 3 · Topics approved 1", "[ Evaluate ] [ Ask colleagues ]",
                "Total 80.80 · Grade A", "the result was revised", "Total 84.40 · Grade A"],
    "talk": ["Set-up, by signed requests (not shown): Alice wrote November's self-review",
             "Lena types in #growth:  /opsbot talk @Alice", "modal “Feedback talk” opens for Lena",
             "王芳 types in #brand:  /opsbot talk @李梅", "only visible to you (王芳)\n  │ @李梅 还没有已评价的考核可供面谈。",
             "DM → Alice\n  │ Your feedback talk for 2026-11 with @Lena is on Tuesday, December 8, 2026 15:00",
             "Local time: 2026-12-08 15:00 (Asia/Shanghai) · Place: Room 3",
             "The scheduler fires talk-reminder for Growth: sent to Alice, Lena.",
             "│ Reminder: your feedback talk for 2026-11 with @Alice", "[ Record notes ]",
             "modal “Talk notes” opens for Lena",
             "• Send Lena an outline before drafting each piece — owner @Alice, due 2026-12-14",
             "[ Acknowledge ] [ Object ]", "│ Thank you: the notes and the plan are acknowledged.",
             "│ @Alice acknowledged the notes and improvement plan",
             "│ Improvement item due 2026-12-14: Send Lena an outline before drafting each piece. Is it done?",
             "[ Done ] [ Not yet ]", "modal “Not done yet” opens for Alice",
             "│ Improvement item due 2026-12-18: Send Lena an outline", "│ Done: the item is closed."],
    "recognition": ["Set-up: none", "Alice types in #growth:  /kudos @Bob found the client's quote",
                    "#growth (C0GROWTH)\n  │ 👏 @Alice recognises @Bob:", "DM → Bob\n  │ 👏 @Alice recognised you in #growth:",
                    "│ 🏅 Honour of the month 2026-11 in Growth: @Alice, named by @Lena.",
                    "#brand (C0BRAND)\n  │ 👏 @王芳 表扬了 @李梅：", "DM → 李梅\n  │ 👏 @王芳 在 #brand 表扬了你：",
                    "DM → Alice\n  │ 👏 @Bob recognised you in #growth:",
                    "Kudos received this year: 1; honour of the month: 2026-11. (Context only",
                    "│ Bonus coefficient: 1.20"],
    "content": ["Set-up: none; the first scene proposes and approves the topic", "│ Draft #1 · Growth",
                "Round 1: changes requested by Lena", "this is round 2", "after 2 round(s)",
                "📣 Published on WeChat", "Reads 4,210 · Likes 86 · Comments 37 · Shares 12"],
    "activities": ["Set-up: none", "[ Approve ] [ Request changes ] [ Reject ]",
                   "⏳ Waiting for a supervisor's decision · round 2", "[ Write retrospective ] [ Remind me later ]",
                   "│ Retrospective · activity #1 · Growth", "• Participants: 342 (target 300)"],
    "leave": ["Set-up: none", "│ Leave request #1 · Growth", "│ Bob asks for leave: 2026-12-10",
              "Approved by Lena", "Bob waits (on leave", "Friday 10:00 in New York: Bob is back",
              "DM → Bob\n  │ You have proposed 0 of 3 topics this week for Growth."],
}

# The title of each act's first scene.
FIRST_SCENE = {
    "setup": "Lena, a workspace admin, sets up Growth in #growth",
    "topics": "Alice proposes a topic",
    "development": "王芳 gives 品牌组 an onboarding checklist",
    "plan": "Before the month ends, Lena proposes Alice's plan for December",
    "reviews": "Month-end day: the self-review prompt",
    "talk": "Lena schedules Alice's feedback talk on November's review",
    "recognition": "Alice thanks Bob in #growth with /kudos",
    "content": "Content: Alice proposes a year-end piece",
    "activities": "Alice proposes an activity with /activity",
    "leave": "Bob asks for Thursday off with /leave",
}


@pytest.mark.parametrize("act", list(ACTS))
def test_each_act_plays_alone_and_shows_its_key_moment(act):
    out = io.StringIO()
    code = run_demo(out=out, act=act)
    text = out.getvalue()
    assert code == 0, text
    assert "✗" not in text, "every check of the act's scenes passed"
    assert text.startswith(f"opsbot demo --act {act} — ")
    assert SUMMARY.match(text.rstrip("\n").splitlines()[-1]), text[-500:]
    flat = " ".join(text.split())
    for moment in KEY_MOMENTS[act]:
        assert moment in text or " ".join(moment.split()) in flat, moment
    # Its own scenes, and none of the others'.
    for other, heading in FIRST_SCENE.items():
        assert (f" ── {heading}" in text) == (other == act), heading
    assert len([line for line in text.splitlines() if line.startswith("── ")]) >= len(ACTS[act].SCENES)


def test_an_act_that_goes_wrong_exits_non_zero(tmp_path):
    class Broken(ACTS["leave"]):
        def bob_reminded_when_back(self) -> None:
            self.check(False, "a scene's own check")

    out = io.StringIO()
    assert Broken(database_url=f"sqlite:///{tmp_path}/demo.sqlite3", out=out).run() == 1
    assert "✗ unexpected: a scene's own check" in out.getvalue()
    assert "1 thing(s) did not go as scripted" in out.getvalue()


def test_the_whole_story_is_every_act_each_in_its_own_order():
    everything = [name for cls in ACTS.values() for name in cls.SCENES]
    assert sorted(STORY) == sorted(everything) and len(set(STORY)) == len(STORY)
    for cls in ACTS.values():
        assert [name for name in STORY if name in cls.SCENES] == list(cls.SCENES)
    assert list(ACTS) == ["setup", "topics", "development", "plan", "reviews", "talk",
                          "recognition", "content", "activities", "leave"], "the story's order"
    assert Demo.SCENES == STORY and all(issubclass(Demo, cls) for cls in ACTS.values())
    assert STORY[0] == ACTS["setup"].SCENES[0], "the story begins with the setup"


def test_the_cli_offers_every_act_and_refuses_an_unknown_one(capsys):
    parser = build_parser()
    assert parser.parse_args(["demo"]).act == "all"
    for act in [*ACTS, "all"]:
        assert parser.parse_args(["demo", "--act", act]).act == act
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--act", "lunch"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "argument --act: invalid choice: 'lunch'" in err
    for act in [*ACTS, "all"]:
        assert f"'{act}'" in err, "the message lists the acts to choose from"
    with pytest.raises(ValueError, match="unknown act 'lunch'"):
        run_demo(act="lunch")


def test_the_console_command_plays_one_act():
    r = subprocess.run([sys.executable, "-m", "bot.cli", "demo", "--act", "leave"], cwd=ROOT,
                       capture_output=True, timeout=120)
    out = r.stdout.decode("utf-8", errors="replace")
    assert r.returncode == 0, out + r.stderr.decode("utf-8", errors="replace")
    assert out.startswith("opsbot demo --act leave — ")
    assert SUMMARY.match(out.rstrip("\n").splitlines()[-1]), out[-500:]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    names += [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
    return names


def test_scene_modules_build_on_the_stage_alone():
    acts = [p for p in sorted(PACKAGE.glob("*.py")) if p.name not in ("__init__.py", "stage.py")]
    assert {p.stem for p in acts} == set(ACTS)
    for p in acts:
        ours = [m for m in _imports(p) if m == "bot.devtools.demo" or m.startswith("bot.devtools.demo.")]
        assert ours == ["bot.devtools.demo.stage"], f"{p.name} imports {ours}"
    stage = [m for m in _imports(PACKAGE / "stage.py") if m.startswith("bot.devtools.demo")]
    assert stage == [], "the stage knows no act"


def test_the_demo_modules_stay_small():
    for p in sorted(PACKAGE.glob("*.py")):
        source = p.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 400, p.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno - node.lineno + 1 <= 60, f"{p.name}: {node.name}"
