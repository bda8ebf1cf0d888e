"""What the activities workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.activities import jobs, notices

WORKFLOW = Workflow(
    name="activities",
    jobs=jobs.JOBS,
    snoozable=jobs.SNOOZABLE,
    resenders=jobs.RESENDERS,
    loaders=notices.LOADERS,
)
