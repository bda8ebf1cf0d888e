"""Dependencies point one way: handlers → bot → storage (docs/STYLE.md), the
kernel imports no workflow, and no module imports itself round a circle.

Every import in every module under bot/, handlers/ and storage/ is read with
``ast`` (imports inside functions and ``TYPE_CHECKING`` blocks included), and
each rule names the file and the import that breaks it.
"""

from __future__ import annotations

import ast
import re
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


def _is_rules(rel: str) -> bool:
    parts = rel.split("/")
    return _under(rel, "bot/domain/") or (rel.startswith("bot/workflows/") and parts[-1] == "rules.py")


def domain_is_pure(imp: Import) -> str | None:
    """Domain rules (``bot/domain/`` and each workflow's ``rules.py``) import
    nothing of ours but other rules and the domain errors, and nothing that
    does I/O with Slack or a database."""
    if not _is_rules(imp.file):
        return None
    if _is(imp.module, "bot.domain", "bot.kernel.errors") or re.match(r"bot\.workflows\.\w+\.rules(\.|$)", imp.module):
        return None
    if _is(imp.module, "bot", "handlers", "storage"):
        return "domain rules may import only bot.domain.*, other workflows' rules and bot.kernel.errors"
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


# The kernels: the core's (runtime, notices, jobs, pure calendar rules) and the
# adapter's (Block Kit kit, ids, dispatch). Workflows plug into them through the
# tables bot/app.py hands in; they never import a workflow.
CORE_KERNEL = ("bot/kernel/", "bot/domain/")
ADAPTER_KERNEL = ("handlers/kit/", "handlers/__init__.py", "handlers/auth.py", "handlers/deps.py",
                  "handlers/errors.py", "handlers/gateway.py", "handlers/ids.py", "handlers/keepalive.py",
                  "handlers/middleware.py",
                  "handlers/plugin.py", "handlers/render.py", "handlers/snooze.py")
WORKFLOW_PACKAGES = ("bot.workflows",)
ADAPTER_KERNEL_MODULES = ("handlers.kit", "handlers.auth", "handlers.deps", "handlers.errors", "handlers.gateway",
                          "handlers.ids", "handlers.keepalive", "handlers.middleware", "handlers.plugin", "handlers.render",
                          "handlers.snooze")


def kernel_imports_no_workflow(imp: Import) -> str | None:
    if _under(imp.file, *CORE_KERNEL) and _is(imp.module, *WORKFLOW_PACKAGES):
        return "the kernel imports no workflow: take what you need from a table create_app hands in"
    if (_under(imp.file, *ADAPTER_KERNEL) and _is(imp.module, "handlers") and imp.module != "handlers"
            and not _is(imp.module, *ADAPTER_KERNEL_MODULES)):
        return "the adapter's kit imports no workflow's handlers"
    if _under(imp.file, *ADAPTER_KERNEL) and _is(imp.module, *WORKFLOW_PACKAGES):
        return "the adapter's kit imports no workflow"
    return None


RULES = [
    domain_is_pure,
    kernel_imports_no_workflow,
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
    assert {"bot/app.py", "bot/domain/calendar.py", "bot/kernel/outbox.py", "bot/workflows/topics/rules.py",
            "handlers/gateway.py", "handlers/topics/listeners.py", "storage/queries.py",
            "storage/migrations/env.py"} <= set(SOURCES)
    # The wiring module is where the layers meet: the scan must see it do so.
    wiring = {imp.module for imp in IMPORTS if imp.file == "bot/app.py"}
    assert "handlers" in wiring and "storage.migrate" in wiring and "slack_bolt" in wiring


@pytest.mark.parametrize(
    ("rel", "source", "rule"),
    [
        ("bot/domain/periods.py", "from storage.topics import Topic\n", domain_is_pure),
        ("bot/workflows/topics/rules.py", "from bot.kernel import notices\n", domain_is_pure),
        ("bot/workflows/topics/rules.py", "from bot.workflows.topics.service import propose_topic\n", domain_is_pure),
        ("bot/kernel/jobs.py", "from bot.workflows.leave.away import days_away\n", kernel_imports_no_workflow),
        ("bot/kernel/outbox.py", "def f():\n    from bot.workflows import topics\n", kernel_imports_no_workflow),
        ("handlers/kit/blocks.py", "from handlers.topics.blocks import topic_card\n", kernel_imports_no_workflow),
        ("handlers/render.py", "from bot.workflows.topics import views\n", kernel_imports_no_workflow),
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
        ("bot/domain/periods.py", "from bot.domain.calendar import WorkingCalendar\nfrom bot.kernel.errors import N_\n"),
        ("bot/workflows/reports/rules.py", "from bot.workflows.topics.rules import weekly_quota\n"),
        ("bot/kernel/jobs.py", "from bot.kernel.snooze import Resender\nfrom storage import queries\n"),
        ("handlers/render.py", "from handlers.kit.blocks import section\nfrom bot.kernel.i18n import gettext_for\n"),
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


# -- no circles ----------------------------------------------------------------------


def module_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Which product modules each product module imports (any import, anywhere in the file).
    ``from a.b import c`` is an edge to ``a.b.c`` where that is a module, else to ``a.b``."""
    modules = {_module_name(rel) for rel in sources}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for rel, src in sources.items():
        me = _module_name(rel)
        for imp in imports_in(rel, src):
            if imp.module in modules and imp.module != me:
                graph[me].add(imp.module)
    # "from a.b import c" also yields "a.b": keep it only where nothing more precise was imported from a.b.
    for rel, src in sources.items():
        me = _module_name(rel)
        precise = {m.rpartition(".")[0] for m in graph[me] if m.rpartition(".")[0] in graph[me]}
        for pkg in precise:
            if (ROOT / pkg.replace(".", "/") / "__init__.py").exists() and not _imports_names_of(src, pkg, modules):
                graph[me].discard(pkg)
    return graph


def _imports_names_of(source: str, package: str, modules: set[str]) -> bool:
    """Does the source import from ``package`` a name that is not one of its modules?"""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            if any(f"{package}.{a.name}" not in modules for a in node.names):
                return True
        if isinstance(node, ast.Import) and any(a.name == package for a in node.names):
            return True
    return False


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_module_imports_itself_round_a_circle():
    found = circles(module_graph(SOURCES))
    assert not found, "import circles:\n" + "\n".join(" → ".join(c) for c in found)


def test_the_circle_check_finds_a_circle_of_three():
    sources = {
        "bot/kernel/a.py": "from bot.kernel import b\n",
        "bot/kernel/b.py": "def f():\n    from bot.kernel.c import x\n",
        "bot/kernel/c.py": "import bot.kernel.a\n",
        "bot/kernel/d.py": "from bot.kernel import a\n",
    }
    assert circles(module_graph(sources)) == [["bot.kernel.a", "bot.kernel.b", "bot.kernel.c"]]


# -- time comes from the clock --------------------------------------------------------

CLOCK_READERS = {
    "datetime.datetime.now",
    "datetime.datetime.today",
    "datetime.datetime.utcnow",
    "datetime.date.today",
}
# The clock itself, and the Slack stand-in's tz_offset (which, like Slack's,
# is the zone's offset today).
MAY_READ_THE_CLOCK = ("bot/kernel/clock.py", "bot/devtools/slack_standin.py")


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


# -- size -----------------------------------------------------------------------------

MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400


def oversized(sources: dict[str, str]) -> list[str]:
    """Functions over 60 lines (``def`` to the body's last line) and modules over 400 lines,
    outside the migrations (generated in shape, never edited)."""
    out = []
    for rel, src in sources.items():
        if _under(rel, "storage/migrations/"):
            continue
        lines = len(src.splitlines())
        if lines > MAX_MODULE_LINES:
            out.append(f"{rel}: {lines} lines")
        for node in ast.walk(ast.parse(src, filename=rel)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out.append(f"{rel}:{node.lineno} {node.name}() is {length} lines")
    return out


def test_no_function_over_60_lines_and_no_module_over_400():
    found = oversized(SOURCES)
    assert not found, "split these along a seam:\n" + "\n".join(found)


def test_the_size_check_counts_functions_and_modules():
    long_function = "def f():\n" + "    x = 1\n" * 60
    assert oversized({"bot/kernel/x.py": long_function}) == ["bot/kernel/x.py:1 f() is 61 lines"]
    assert oversized({"bot/kernel/y.py": "x = 1\n" * 401}) == ["bot/kernel/y.py: 401 lines"]
    assert oversized({"storage/migrations/versions/0001.py": long_function}) == []
