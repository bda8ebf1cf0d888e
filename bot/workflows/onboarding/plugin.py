"""What the onboarding workflow plugs into the kernel (``bot.kernel.workflow``)."""

from __future__ import annotations

from bot.kernel.workflow import Workflow
from bot.workflows.onboarding import jobs, notices

WORKFLOW = Workflow(
    name="onboarding",
    jobs=jobs.JOBS,
    loaders=notices.LOADERS,
)
