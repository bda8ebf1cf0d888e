"""What the team settings workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow

WORKFLOW = Workflow(
    name="team_settings",
)
