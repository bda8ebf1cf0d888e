"""What the feedback talk plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.feedback import jobs, notices

WORKFLOW = Workflow(
    name="feedback",
    jobs=jobs.JOBS,
    loaders=notices.LOADERS,
)
