"""The import rule that import-linter's contracts cannot say: the gateway reaches scoring through its
ingest entry point and nothing else of it. The other rules of the design notes are contracts in
pyproject.toml, checked by `lint-imports` in `make test`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GATEWAY_MAY_IMPORT_OF_SCORING = {"scoring.ingest"}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, spelled out (`from scoring import x` counts as scoring.x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "scoring")
    return found


def test_the_gateway_imports_nothing_of_scoring_but_its_ingest_entry_point() -> None:
    reached = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "gateway").rglob("*.py"))
        for module in _imports(path)
        if (module == "scoring" or module.startswith("scoring.")) and module not in GATEWAY_MAY_IMPORT_OF_SCORING
    }
    assert reached == set()


def test_the_check_reads_from_imports_and_plain_imports_alike(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import scoring.errors\nfrom scoring import periods\nfrom scoring.ingest import X\n",
                      encoding="utf-8")
    assert _imports(sample) == {"scoring.errors", "scoring", "scoring.periods", "scoring.ingest"}
