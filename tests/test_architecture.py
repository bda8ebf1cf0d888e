"""Dependencies point one way: handlers → bot → storage (docs/STYLE.md).

Every import in every module under bot/, handlers/ and storage/ is read with
``ast`` (imports inside functions and ``TYPE_CHECKING`` blocks included), and
each rule names the file and the import that breaks it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")
SLACK = ("slack_bolt", "slack_sdk")


@dataclass(frozen=True)
class Import:
    file: str  # relative to the project root, with forward slashes
    module: str  # absolute dotted name imported
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.module}"


def _module_name(rel: str) -> str:
    parts = rel.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(rel: str, source: str) -> list[Import]:
    """Every module ``rel`` imports, as absolute dotted names. ``from x import y``
    yields ``x.y`` as well as ``x``, so ``from storage import queries`` counts as
    importing ``storage.queries``."""
    tree = ast.parse(source, filename=rel)
    package = _module_name(rel)
    if not rel.endswith("__init__.py"):
        package = package.rpartition(".")[0]
    out: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [Import(rel, a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "__future__":
                continue
            out.append(Import(rel, mod, node.lineno))
            out += [Import(rel, f"{mod}.{a.name}", node.lineno) for a in node.names if a.name != "*"]
    return out


def _sources() -> dict[str, str]:
    files = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in files}


SOURCES = _sources()
IMPORTS = [imp for rel, src in SOURCES.items() for imp in imports_in(rel, src)]


def _is(module: str, *roots: str) -> bool:
    return any(module == r or module.startswith(r + ".") for r in roots)


def _under(rel: str, *prefixes: str) -> bool:
    return any(rel == p or rel.startswith(p) for p in prefixes)


# -- the rules ------------------------------------------------------------------
# Each takes one import and says why it is not allowed, or None.


def domain_is_pure(imp: Import) -> str | None:
    """Domain rules import nothing of ours but other domain rules and the
    domain errors, and nothing that does I/O with Slack or a database."""
    if not _under(imp.file, "bot/domain/"):
        return None
    if _is(imp.module, "bot.domain", "bot.errors"):
        return None
    if _is(imp.module, "bot", "handlers", "storage"):
        return "domain rules may import only bot.domain.* and bot.errors"
    if _is(imp.module, *SLACK, "sqlalchemy", "alembic", "psycopg"):
        return "domain rules do no I/O: no Slack, no database"
    return None


def storage_knows_nothing_above_it(imp: Import) -> str | None:
    if _under(imp.file, "storage/") and _is(imp.module, "bot", "handlers"):
        return "storage is the bottom layer: it imports neither bot nor handlers"
    return None


# The wiring module puts everything together; the dev tools (the rig, the
# Slack stand-in) are built on the whole app, like a test is.
WIRING = ("bot/app.py", "bot/devtools/")
# Serving is Bolt's business: the entry points that serve the app (HTTP in
# bot/web.py, Socket Mode in `opsbot serve`) may use Bolt's adapters, nothing else.
SERVING = ("bot/web.py", "bot/cli.py")


def only_the_wiring_module_imports_handlers(imp: Import) -> str | None:
    if _under(imp.file, "bot/") and not _under(imp.file, *WIRING) and _is(imp.module, "handlers"):
        return "only bot/app.py (the composition root) may import handlers"
    return None


def slack_stays_behind_the_port(imp: Import) -> str | None:
    if not _under(imp.file, "bot/") or _under(imp.file, *WIRING) or not _is(imp.module, *SLACK):
        return None
    if _under(imp.file, *SERVING) and _is(imp.module, "slack_bolt.adapter"):
        return None
    return "the core reaches Slack through the outbound port (SlackPort), not slack_sdk/slack_bolt"


def handlers_go_through_services(imp: Import) -> str | None:
    if _under(imp.file, "handlers/") and _is(imp.module, "storage"):
        return "handlers call bot services; they never touch storage"
    return None


RULES = [
    domain_is_pure,
    storage_knows_nothing_above_it,
    only_the_wiring_module_imports_handlers,
    slack_stays_behind_the_port,
    handlers_go_through_services,
]


def violations(rule, imports: list[Import]) -> list[str]:
    return [f"{imp}: {why}" for imp in imports if (why := rule(imp))]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_dependencies_point_one_way(rule):
    found = violations(rule, IMPORTS)
    assert not found, "\n" + "\n".join(found)


def test_the_scan_sees_the_whole_code_base():
    assert {"bot/app.py", "bot/domain/calendar.py", "handlers/gateway.py", "storage/queries.py",
            "storage/migrations/env.py"} <= set(SOURCES)
    # The wiring module is where the layers meet: the scan must see it do so.
    wiring = {imp.module for imp in IMPORTS if imp.file == "bot/app.py"}
    assert "handlers" in wiring and "storage.migrate" in wiring and "slack_bolt" in wiring


@pytest.mark.parametrize(
    ("rel", "source", "rule"),
    [
        ("bot/domain/quota.py", "from storage.models import Topic\n", domain_is_pure),
        ("bot/domain/quota.py", "from bot import notices\n", domain_is_pure),
        ("bot/domain/quota.py", "from .. import jobs\n", domain_is_pure),
        ("bot/domain/quota.py", "def f():\n    import sqlalchemy.orm\n", domain_is_pure),
        ("bot/domain/quota.py", "from slack_sdk import WebClient\n", domain_is_pure),
        ("storage/queries.py", "from bot.clock import Clock\n", storage_knows_nothing_above_it),
        ("storage/migrations/env.py", "import handlers.ids\n", storage_knows_nothing_above_it),
        ("bot/jobs.py", "from handlers import render\n", only_the_wiring_module_imports_handlers),
        ("bot/outbox.py", "from slack_sdk.errors import SlackApiError\n", slack_stays_behind_the_port),
        ("bot/cli.py", "from slack_sdk import WebClient\n", slack_stays_behind_the_port),
        ("handlers/topics.py", "from storage import queries\n", handlers_go_through_services),
        ("handlers/topics.py", "from storage.db import transaction\n", handlers_go_through_services),
    ],
)
def test_each_rule_catches_a_violation_and_names_it(rel, source, rule):
    [found, *_] = violations(rule, imports_in(rel, source))
    assert found.startswith(f"{rel}:")


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("bot/domain/quota.py", "from bot.domain.calendar import WorkingCalendar\nfrom bot.errors import N_\n"),
        ("bot/domain/quota.py", "from .periods import week_dates\nimport holidays\n"),
        ("bot/app.py", "import handlers\nfrom slack_bolt import App\nfrom storage import migrate\n"),
        ("bot/devtools/rig.py", "from slack_sdk.signature import SignatureVerifier\n"),
        ("bot/web.py", "from slack_bolt.adapter.starlette.handler import to_bolt_request\n"),
        ("bot/cli.py", "def serve():\n    from slack_bolt.adapter.socket_mode import SocketModeHandler\n"),
        ("handlers/topics.py", "from bot.services import topics as svc\nfrom slack_bolt import App\n"),
        ("storage/queries.py", "from storage.models import Topic\n"),
    ],
)
def test_the_rules_allow_what_the_style_allows(rel, source):
    imports = imports_in(rel, source)
    assert [v for rule in RULES for v in violations(rule, imports)] == []


# -- time comes from the clock --------------------------------------------------------

CLOCK_READERS = {
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "datetime.date.today",
}
# The clock itself, and the Slack stand-in's tz_offset (which, like Slack's,
# is the zone's offset today).
MAY_READ_THE_CLOCK = ("bot/clock.py", "bot/devtools/slack_standin.py")


def clock_reads_in(rel: str, source: str) -> list[str]:
    """Calls that read the wall clock (``datetime.now()``, ``date.today()``,
    ``utcnow()``), however ``datetime`` was imported or renamed."""
    tree = ast.parse(source, filename=rel)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                names[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"

    def dotted(expr: ast.expr) -> str | None:
        if isinstance(expr, ast.Name):
            return names.get(expr.id, expr.id)
        if isinstance(expr, ast.Attribute):
            base = dotted(expr.value)
            return f"{base}.{expr.attr}" if base else None
        return None

    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = dotted(node.func)
            if name in CLOCK_READERS or node.func.attr == "utcnow":
                out.append(f"{rel}:{node.lineno} calls {ast.unparse(node.func)}()")
    return out


def test_time_comes_from_the_injected_clock():
    found = [hit for rel, src in SOURCES.items() if not _under(rel, *MAY_READ_THE_CLOCK)
             for hit in clock_reads_in(rel, src)]
    assert not found, "read the time from the injected Clock instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nx = datetime.now()\n",
        "from datetime import UTC, datetime\nx = datetime.now(UTC)\n",
        "import datetime\nx = datetime.datetime.now()\n",
        "import datetime as dt\nx = dt.date.today()\n",
        "from datetime import date as D\nx = D.today()\n",
        "from datetime import datetime\ndef f():\n    return datetime.utcnow()\n",
    ],
)
def test_the_clock_check_catches_every_spelling(source):
    assert clock_reads_in("bot/jobs.py", source)


def test_the_clock_check_lets_the_injected_clock_through():
    source = "def run(clock, now=None):\n    now = now or clock.now()\n    return self.clock.now().date()\n"
    assert clock_reads_in("bot/jobs.py", source) == []
