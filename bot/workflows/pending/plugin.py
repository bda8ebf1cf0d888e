"""What the pending workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.pending import jobs, notices

WORKFLOW = Workflow(
    name="pending",
    jobs=jobs.JOBS,
    snoozable=jobs.SNOOZABLE,
    resenders=jobs.RESENDERS,
    loaders=notices.LOADERS,
)
