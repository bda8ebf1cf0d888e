"""What the reviews workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.reviews import jobs, notices

WORKFLOW = Workflow(
    name="reviews",
    jobs=jobs.JOBS,
    snoozable=jobs.SNOOZABLE,
    resenders=jobs.RESENDERS,
    loaders=notices.LOADERS,
)
