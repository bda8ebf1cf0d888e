"""How a workflow plugs into the kernel: one record of the tables it fills.

Each ``bot/workflows/<name>/plugin.py`` exports ``WORKFLOW``; the composition
root (``bot/app.py``) merges them with :meth:`Registry.of` and hands the merged
tables to the job runner, the scheduler, the outbox worker and the snooze
button. The kernel never imports a workflow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.kernel import notices
from bot.kernel.jobs import AwayFn, JobDef, nobody_away
from bot.kernel.notices import NoticeLoaders
from bot.kernel.snooze import Resender, Roles


@dataclass(frozen=True)
class Workflow:
    name: str
    jobs: Mapping[str, JobDef] = field(default_factory=dict)
    # The reminders that carry "Remind me later", who receives each, and how each comes back.
    snoozable: Mapping[str, Roles] = field(default_factory=dict)
    resenders: Mapping[str, Resender] = field(default_factory=dict)
    loaders: NoticeLoaders = field(default_factory=NoticeLoaders)
    # Who is away when (the leave workflow); reminders skip them.
    away: AwayFn | None = None


@dataclass
class Registry:
    jobs: dict[str, JobDef] = field(default_factory=dict)
    snoozable: dict[str, Roles] = field(default_factory=dict)
    resenders: dict[str, Resender] = field(default_factory=dict)
    loaders: NoticeLoaders = field(default_factory=NoticeLoaders)
    away: AwayFn = nobody_away

    @classmethod
    def of(cls, workflows: Iterable[Workflow]) -> Registry:
        """Merge the workflows' tables (and the kernel's own notices), refusing
        a job, a snoozable reminder or a notice type that two workflows claim."""
        reg = cls()
        reg.loaders.add(notices.LOADERS)
        aways = []
        for w in workflows:
            for mine, theirs, what in ((reg.jobs, w.jobs, "job"), (reg.snoozable, w.snoozable, "snoozable job"),
                                       (reg.resenders, w.resenders, "resender")):
                twice = set(mine) & set(theirs)
                if twice:
                    raise ValueError(f"{w.name}: {what} {sorted(twice)} registered twice")
                mine.update(theirs)
            reg.loaders.add(w.loaders)
            if w.away is not None:
                aways.append(w.away)
        if len(aways) > 1:
            raise ValueError("two workflows say who is away")
        if aways:
            reg.away = aways[0]
        return reg
