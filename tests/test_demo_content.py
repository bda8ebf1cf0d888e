"""``opsbot demo``'s content scenes: a draft goes two rounds, is approved,
published, asked about on the next working day, and its metrics updated."""

from __future__ import annotations

import io

from bot.devtools.demo import Demo
from tests.helpers import all_text


def test_the_demo_plays_a_draft_through_review_publication_and_metrics(tmp_path):
    out = io.StringIO()
    demo = Demo(database_url=f"sqlite:///{tmp_path}/demo.sqlite3", out=out)
    code = demo.run()
    text = out.getvalue()
    assert code == 0, text
    assert "✗" not in text
    content = text[text.index("Content: Alice proposes a year-end piece"):]
    assert "[ Approve ] [ Request changes ]" in content
    assert "Round 1: changes requested by Lena" in content and "(reply in the card's thread)" in content
    assert "[ Resubmit ]" in content and "this is round 2" in content
    assert "after 2 round(s)" in content
    assert "📣 Published on WeChat" in content and "[ Update metrics ]" in content
    assert "Monday 7 Dec, 10:00" in content and "[ Update metrics ] [ Remind me later ]" in content
    assert "metric_likes: Enter a whole number, 0 or more." in content
    assert "Reads 4,210 · Likes 86 · Comments 37 · Shares 12" in " ".join(content.split())
    # The card in #growth is one message, updated in place; its history is in the thread.
    calls = demo.rig.slack.all_calls()
    posted = [c for c in calls if c.method == "chat.postMessage" and "Draft #1 ·" in all_text(c.params)
              and not c.params.get("thread_ts")]
    assert len(posted) == 1
    replies = [c for c in calls if c.params.get("thread_ts") == posted[0].response["ts"]]
    assert len(replies) == 4  # round 1 submitted, changes requested, round 2 submitted, approved
