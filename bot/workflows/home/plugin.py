"""What the home workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.home import notices

WORKFLOW = Workflow(
    name="home",
    loaders=notices.LOADERS,
)
