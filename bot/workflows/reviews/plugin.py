"""What the reviews workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.notices import NoticeLoaders
from bot.kernel.workflow import Workflow
from bot.workflows.reviews import jobs, notices, plan

WORKFLOW = Workflow(
    name="reviews",
    jobs=jobs.JOBS,
    snoozable=jobs.SNOOZABLE,
    resenders=jobs.RESENDERS,
    loaders=NoticeLoaders().add(notices.LOADERS).add(plan.LOADERS),
)
