"""What the recognition workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.kudos import notices

WORKFLOW = Workflow(name="kudos", loaders=notices.LOADERS)
