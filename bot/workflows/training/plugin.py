"""What the training workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.training import jobs, notices

WORKFLOW = Workflow(
    name="training",
    jobs=jobs.JOBS,
    loaders=notices.LOADERS,
)
