"""The repository stands on its own: a fresh clone with nothing beside it has everything its
code, tests and docs refer to. (``.ci/run`` also runs the whole suite in such a clone.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A path that climbs out of the repository: "../" followed by a name, as in a sibling checkout.
OUTSIDE = re.compile(r"(?<![\w.])\.\./(?=[\w.])")
# "docs/PRODUCT.md §2.5", "docs/RULES.md", "docs/performance.md" …
DOC_REF = re.compile(r"\bdocs/([\w.-]+\.md)(?:\s+§\s*(\d+(?:\.\d+)?))?")


def tracked_text_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    files = [ROOT / name for name in out.decode().split("\0") if name]
    texts = []
    for f in files:
        if f.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".sh", ".cfg", ".po", ".txt"} or f.name == "run":
            texts.append(f)
    return texts


def test_the_suite_sees_the_tracked_files():
    # Guards the scans below against passing on an empty list.
    names = {f.relative_to(ROOT).as_posix() for f in tracked_text_files()}
    assert {"README.md", "app.yaml", "pyproject.toml", "tests/test_manifest.py", "docs/PRODUCT.md"} <= names


def test_no_file_refers_to_a_path_outside_the_repository():
    offenders = []
    for f in tracked_text_files():
        if f == Path(__file__).resolve():
            continue
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:120]}")
    assert not offenders, "paths outside the repository (a fresh clone has nothing beside it):\n" + "\n".join(
        offenders
    )


def test_every_doc_and_section_the_code_cites_exists_in_docs():
    headings: dict[str, set[str]] = {}
    for doc in (ROOT / "docs").glob("*.md"):
        text = doc.read_text(encoding="utf-8")
        headings[doc.name] = set(re.findall(r"^#+\s+(\d+(?:\.\d+)?)[.\s]", text, flags=re.M))
    missing = []
    cited = 0
    for f in tracked_text_files():
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for m in DOC_REF.finditer(line):
                cited += 1
                name, section = m.group(1), m.group(2)
                where = f"{f.relative_to(ROOT)}:{n}"
                if name not in headings:
                    missing.append(f"{where}: docs/{name} does not exist")
                elif section and section not in headings[name]:
                    missing.append(f"{where}: docs/{name} has no section {section}")
    assert cited > 40, f"only {cited} citations of docs/ found; the scan is broken"
    assert not missing, "\n".join(missing)


def test_slacks_manifest_schema_ships_with_its_licence():
    slack = ROOT / "tests" / "data" / "slack"
    assert "MIT License" in (slack / "LICENSE-manifest-schema").read_text(encoding="utf-8")
    assert "slackapi/manifest-schema" in (slack / "README.md").read_text(encoding="utf-8")
    for name in ("manifest.schema.json", "schemas/manifest.schema.1.0.0.json", "schemas/manifest.schema.2.0.0.json"):
        assert (slack / name).is_file(), f"tests/data/slack/{name} is missing"
