"""Every table of the product: the metadata the migrations are checked against.

The kernel's tables live in ``storage/models.py``; each workflow's beside its
queries (``storage/<workflow>.py``). A declarative model joins ``Base.metadata``
when its module is imported, so this module imports them all.
"""

from __future__ import annotations

from storage import (
    activities,
    content,
    feedback,
    installations,
    kudos,
    leave,
    onboarding,
    reviews,
    topics,
    training,
)
from storage.models import Base

WORKFLOW_TABLES = (activities, content, feedback, kudos, leave, onboarding, reviews, topics, training)
# slack_sdk's OAuth stores' tables (installed workspaces, OAuth states), built on this metadata.
SLACK_TABLES = (installations,)
metadata = Base.metadata
