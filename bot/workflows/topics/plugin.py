"""What the topics workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.topics import jobs, notices

WORKFLOW = Workflow(
    name="topics",
    jobs=jobs.JOBS,
    snoozable=jobs.SNOOZABLE,
    resenders=jobs.RESENDERS,
    loaders=notices.LOADERS,
)
