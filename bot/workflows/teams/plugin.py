"""What the teams workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.teams import notices

WORKFLOW = Workflow(
    name="teams",
    loaders=notices.LOADERS,
)
