"""What waits on a team's supervisors, across workflows, and the daily nudge about it."""
