"""``opsbot demo``'s people scenes (issue 18) in the whole story: Alice's
December plan agreed before November's reviews, and its mid-month progress
counting what she did in the story's December."""

from __future__ import annotations

import io

import pytest

from bot.devtools.demo import Demo


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> str:
    out = io.StringIO()
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    code = Demo(database_url=f"sqlite:///{db}", out=out).run()
    text = out.getvalue()
    assert code == 0, text
    assert "✗" not in text
    return text


def test_the_plan_is_agreed_before_the_reviews_and_its_progress_counts_december(story):
    plan = story[story.index("Lena proposes Alice's plan for December"):story.index("Month-end day")]
    assert "│ @Lena proposes your performance plan for 2026-12 (Growth), round 1." in plan
    assert "│ • Total reads — (target 10,000) ⬜" in plan
    assert "│ • Newsletter: 4 issues — standard: sent by the 28th" in plan
    assert "> 10,000 reads is a lot with the holidays; 8,000 is within reach." in plan
    assert "round 2." in plan and "│ • Total reads — (target 8,000) ⬜" in plan
    assert "│ Thank you: the plan is agreed." in plan
    assert "│ @Alice agreed to their plan for 2026-12 (round 2)." in plan
    assert plan.index("Alice agrees to round 2") < plan.index("Friday: the week's quota summary")
    progress = story[story.index("Mid-December: where Alice stands against her plan"):]
    assert "DM → Alice\n  │ Mid-month: how your plan for 2026-12 stands so far (Growth)." in progress
    # The piece she published on 4 December and its 4,210 reads count towards the plan.
    assert "│ • Pieces published 1 · Total reads 4,210 (target 8,000) ⬜" in progress
    assert "DM → Bob" not in progress, "Bob has no plan"


def test_kudos_and_the_honour_follow_the_reviews_and_the_year_shows_them_as_context(story):
    kudos = story[story.index("Alice thanks Bob in #growth with /kudos"):story.index("Content: Alice proposes")]
    assert story.index("Lena revises the result; it is final") < story.index("Alice thanks Bob in #growth")
    assert "#growth (C0GROWTH)\n  │ 👏 @Alice recognises @Bob:\n  │ > found the client's quote" in kudos
    assert "DM → Bob\n  │ 👏 @Alice recognised you in #growth:" in kudos
    assert "#growth (C0GROWTH)\n  │ 👏 @Bob recognises @Alice:" in kudos
    assert "DM → Alice\n  │ 👏 @Bob recognised you in #growth:" in kudos
    assert "│ 🏅 Honour of the month 2026-11 in Growth: @Alice, named by @Lena." in kudos
    assert "DM → Alice\n  │ 🏅 You are the honour of the month 2026-11 in Growth" in kudos
    # 品牌组 in Chinese: the answer, the channel post and the DM.
    assert "│ 谢谢：你给 @李梅 的点赞已发到 品牌组 的频道" in kudos
    assert "#brand (C0BRAND)\n  │ 👏 @王芳 表扬了 @李梅：" in kudos
    assert "DM → 李梅\n  │ 👏 @王芳 在 #brand 表扬了你：" in kudos

    year = story[story.index("The last day of the year: the annual review"):]
    assert "The scheduler fires annual-review for Growth: sent to Lena.\n" in year, "Lena named once for two asks"
    assert "│ • 2026-11: 84.40 (A)" in year, "November's revised result"
    # Bob's kudos to Alice on 2 December is counted in her year; the one she gave him is not.
    assert "Kudos received this year: 1; honour of the month: 2026-11." in year
    assert "Bonus coefficient: follows the annual grade (S 1.50 · A 1.20" in year
    alice = year[year.index("DM → Alice"):]
    assert "│ Total 84.40 · Grade A" in alice and "│ Bonus coefficient: 1.20" in alice
    assert "promotion" not in alice.split("✓")[0].lower(), "no candidate mark for the member"


def test_onboarding_in_chinese_and_a_training_session_in_the_first_week(story):
    week = story[story.index("王芳 gives 品牌组 an onboarding checklist"):story.index("The Thursday quota reminder")]
    assert story.index("sets up 品牌组 in #brand") < story.index("王芳 gives 品牌组 an onboarding checklist")
    assert "modal “入职培训” opens for 王芳" in week and "│ 品牌组 的入职清单现在有 3 项。" in week
    assert "DM → 李梅\n  │ 入职培训第 0 天：阅读团队手册和品牌指南\n  │ [ 完成 ]" in week
    assert "only visible to you (李梅)\n  │ 已完成：阅读团队手册和品牌指南" in week
    assert "on 王芳's Home:\n  │ • @李梅 — 已完成 1 / 3 项入职事项" in week
    # Training: the card, the answers, the reminder to the one who joined, the attendance.
    assert "[ Join ] [ Can't make it ] [ Record attendance ]" in week
    assert "Announced by @Lena · ✅ 1 joining · ❌ 1 can't make it" in week
    assert "The scheduler fires training-reminder for Growth: sent to Alice." in week
    assert "DM → Bob" not in week[week.index("Wednesday 10:00: the reminder"):]
    assert "📋 Attendance recorded: 1 attended" in week
    assert "│ Saved: 3 goal(s) for the year." in week

    # The session is ability evidence in Alice's November self-review; her goals are in the annual review.
    review = story[story.index("Alice writes her self-review"):story.index("Lena evaluates")]
    assert ("│ Training attended this month (ability evidence)\n"
            "  │ • Writing headlines that earn the click · Wed 25 Nov (Shanghai time)") in review
    year = story[story.index("The last day of the year: the annual review"):]
    assert "│ Career development goals\n  │ 1. Lead a campaign from brief to retrospective" in year


def test_the_feedback_talk_follows_the_reviews_and_its_plan_is_followed_up_in_december(story):
    order = ["Lena revises the result; it is final", "Lena schedules Alice's feedback talk on November's review",
             "Alice thanks Bob in #growth with /kudos", "Bob asks for Thursday off with /leave",
             "Tuesday, the talk's day: the reminder", "After the talk, Lena records the notes",
             "Alice acknowledges the notes and the plan", "Thursday: the quota reminder reaches Alice",
             "Monday, Alice's item is due", "Mid-December: where Alice stands against her plan",
             "Friday: both items are due", "The last day of the year: the annual review"]
    assert [story.index(heading) for heading in order] == sorted(story.index(heading) for heading in order)
    talk = story[story.index("Lena schedules Alice's feedback talk"):story.index("Alice thanks Bob in #growth")]
    assert "Lena types in #growth:  /opsbot talk @Alice" in talk
    for who, other in (("Alice", "Lena"), ("Lena", "Alice")):
        assert (f"DM → {who}\n  │ Your feedback talk for 2026-11 with @{other} is on Tuesday, December 8, 2026 15:00"
                in talk)
    assert talk.count("Local time: 2026-12-08 15:00 (Asia/Shanghai)") == 2
    assert "only visible to you (王芳)\n  │ @李梅 还没有已评价的考核可供面谈。" in talk, "品牌组 reads Chinese"
    day = story[story.index("Tuesday, the talk's day"):story.index("Thursday: the quota reminder reaches Alice")]
    assert "The scheduler fires talk-reminder for Growth: sent to Alice, Lena." in day
    assert day.count("│ Reminder: your feedback talk for 2026-11") == 2 and "[ Record notes ]" in day
    notes = day[day.index("DM → Alice\n  │ @Lena recorded the notes"):]
    assert "│ • Send Lena an outline before drafting each piece — owner @Alice, due 2026-12-14" in notes
    assert "│ • Book Alice a headline workshop with 品牌组 — owner @Lena, due 2026-12-18" in notes
    assert "│ [ Acknowledge ] [ Object ]" in notes
    assert "│ Thank you: the notes and the plan are acknowledged." in notes
    assert "DM → Lena\n  │ @Alice acknowledged the notes and improvement plan" in notes
    assert "#growth (C0GROWTH)" not in day and "DM → Bob" not in day, "the talk is private"

    first = story[story.index("Monday, Alice's item is due"):story.index("Mid-December: where Alice stands")]
    assert "sent to Alice; Lena waits (not the item's due working day" in " ".join(first.split())
    assert "│ Improvement item due 2026-12-14: Send Lena an outline before drafting each piece. Is it done?" in first
    assert "[ Done ] [ Not yet ]" in first and "modal “Not done yet” opens for Alice" in first
    assert "picks 2026-12-18 and presses [ Save ]" in " ".join(first.split())
    last = story[story.index("Friday: both items are due"):story.index("The last day of the year")]
    assert "The scheduler fires improvement-followup for Growth: sent to Alice, Lena." in last
    assert "│ Improvement item due 2026-12-18: Send Lena an outline" in last, "asked again on the new date"
    assert last.count("│ Done: the item is closed.") == 2
