"""What the reports workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.reports import notices

WORKFLOW = Workflow(
    name="reports",
    loaders=notices.LOADERS,
)
