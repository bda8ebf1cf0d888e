"""``opsbot demo``'s activity and leave scenes: the loop through a request
for changes to the retrospective, and leave that silences a reminder."""

from __future__ import annotations

import io

from bot.devtools.demo import Demo


def test_the_demo_shows_an_activity_to_its_retrospective_and_a_member_on_leave_left_alone(tmp_path):
    out = io.StringIO()
    demo = Demo(database_url=f"sqlite:///{tmp_path}/demo.sqlite3", out=out)
    assert demo.run() == 0, out.getvalue()
    text = out.getvalue()
    assert "✗" not in text
    assert "[ Approve ] [ Request changes ] [ Reject ]" in text
    assert "modal “Resubmit activity” opens for Alice" in text
    assert "filled in: Double 12 livestream" in text
    assert "⏳ Waiting for a supervisor's decision · round 2" in text
    assert "[ Write retrospective ] [ Remind me later ]" in text
    assert "Actual participants (target 300)" in text
    assert "• Participants: 342 (target 300)" in text
    assert "Bob waits (on leave" in text
    assert "Friday 10:00 in New York: Bob is back" in text
    calls = demo.rig.slack.all_calls()
    assert all(c.ok for c in calls)
