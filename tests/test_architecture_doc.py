"""docs/architecture.md's tree is the code's: every module and package has its line, and every
line names a module or package that exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"


def tree_paths(text: str) -> set[str]:
    """The paths the tree block names: indentation (two spaces a level) nests names in folders."""
    block = text.split("## The tree", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    stack: list[str] = []
    out: set[str] = set()
    for raw in block.splitlines():
        if not raw.strip():
            continue
        depth = (len(raw) - len(raw.lstrip(" "))) // 2
        name = raw.strip().split()[0]
        stack[depth:] = [name.rstrip("/")]
        out.add("/".join(stack) + ("/" if name.endswith("/") else ""))
    return out


def code_paths() -> set[str]:
    out: set[str] = set()
    for top in ("bot", "handlers", "storage"):
        for p in (ROOT / top).rglob("*.py"):
            rel = p.relative_to(ROOT)
            if "versions" in rel.parts or "__pycache__" in rel.parts:
                continue
            if p.name != "__init__.py":
                out.add(rel.as_posix())
            out |= {parent.as_posix() + "/" for parent in rel.parents if parent != Path(".")}
    return out


def test_the_tree_in_docs_names_every_module_and_nothing_else():
    documented = tree_paths(DOC.read_text(encoding="utf-8"))
    code = code_paths()
    assert not code - documented, f"modules missing from docs/architecture.md: {sorted(code - documented)}"
    assert not documented - code, f"docs/architecture.md names what does not exist: {sorted(documented - code)}"


def test_the_tree_reader_nests_by_indentation():
    text = "## The tree\n```text\nbot/   x\n  kernel/  y\n    jobs.py  z\n  app.py  w\nstorage/\n  db.py\n```\n"
    assert tree_paths(text) == {"bot/", "bot/kernel/", "bot/kernel/jobs.py", "bot/app.py", "storage/", "storage/db.py"}


def test_every_workflow_package_has_a_plugin_on_each_side_it_has():
    for side in ("bot/workflows", "handlers"):
        for pkg in (ROOT / side).iterdir():
            if not (pkg / "__init__.py").exists() or pkg.name == "kit":
                continue
            listed = {p.name for p in pkg.glob("*.py")}
            wired = re.search(rf"\b{pkg.name}\b", (ROOT / "bot" / "app.py").read_text(encoding="utf-8"))
            if "plugin.py" in listed:
                assert wired, f"{pkg.relative_to(ROOT)}/plugin.py is not wired in bot/app.py"
