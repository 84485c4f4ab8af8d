"""The house's layout: imports run one way (core <- sources <- quotes <- newer apps), and
config/ holds only the wiring (../shared/CONVENTIONS.md)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

# What each package may not import: the apps above it, the wiring and the benchmark.
FORBIDDEN = {
    "core": {"config", "sources", "quotes", "bench", "tests"},
    "sources": {"config", "quotes", "bench", "tests"},
    "quotes": {"config", "bench", "tests"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_run_one_way(package):
    offenders = {}
    for path in sorted((BASE_DIR / package).rglob("*.py")):
        wrong = imported_packages(path) & FORBIDDEN[package]
        if wrong:
            offenders[path.relative_to(BASE_DIR).as_posix()] = sorted(wrong)
    assert offenders == {}


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from quotes.models import Quote\n", encoding="utf-8")
    assert "quotes" in imported_packages(module)


def test_config_holds_only_the_wiring():
    modules = {path.name for path in (BASE_DIR / "config").glob("*.py")}
    assert modules == {"__init__.py", "settings.py", "urls.py", "api.py", "wsgi.py", "asgi.py"}
    assert not [
        path
        for path in (BASE_DIR / "config").iterdir()
        if path.is_dir() and path.name != "__pycache__"
    ]
