"""What the leave workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.leave import notices
from bot.workflows.leave.away import days_away

WORKFLOW = Workflow(
    name="leave",
    loaders=notices.LOADERS,
    away=days_away,
)
