"""Every table of the product: the metadata the migrations are checked against.

The kernel's tables live in ``storage/models.py``; each workflow's beside its
queries (``storage/<workflow>.py``). A declarative model joins ``Base.metadata``
when its module is imported, so this module imports them all.
"""

from __future__ import annotations

from storage import activities, content, feedback, kudos, leave, onboarding, reviews, topics, training
from storage.models import Base

WORKFLOW_TABLES = (activities, content, feedback, kudos, leave, onboarding, reviews, topics, training)
metadata = Base.metadata
