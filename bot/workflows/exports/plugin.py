"""What the exports workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.exports import notices

WORKFLOW = Workflow(
    name="exports",
    loaders=notices.LOADERS,
)
