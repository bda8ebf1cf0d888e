"""What the status workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow

WORKFLOW = Workflow(
    name="status",
)
