"""The areas' import layers (pyproject's [tool.importlinter] contract): kept now, and broken by a new cycle."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=120)


def test_the_import_layers_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_an_area_importing_one_above_it_breaks_the_contract(tmp_path):
    # a copy of the package in which the clients area imports the reports area, which imports clients
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "iom", tmp_path / "iom", ignore=shutil.ignore_patterns("__pycache__", "static"))
    queries = tmp_path / "iom" / "clients" / "queries.py"
    queries.write_text(queries.read_text() + "\nfrom iom.reports import pack  # noqa: E402,F401\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "iom.clients.queries -> iom.reports.pack" in result.stdout


def test_no_test_module_imports_another():
    # Shared helpers live in tests/builders.py and tests/pages.py; a test module imported by another runs
    # its tests twice over and ties the two together.
    importing = re.compile(r"^\s*(?:from|import)\s+tests\.(?:[\w.]*\.)?test_\w+", re.MULTILINE)
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
                 if importing.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
