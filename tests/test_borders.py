"""The borders of DESIGN.md, checked on every module's imports.

- ``core`` imports no domain app; ``reporting`` imports none either.
- Domain apps import ``core`` and, downward only: cases → offers → network;
  schooling, pools, events, planning, funding → network.
"""

from __future__ import annotations

import ast
from pathlib import Path

import teilhabe

PACKAGE = Path(teilhabe.__file__).parent
DOMAIN_APPS = {
    "network",
    "offers",
    "cases",
    "schooling",
    "pools",
    "events",
    "planning",
    "reporting",
    "funding",
    "api",
}
#: Which teilhabe apps each app may import besides core (reporting may be imported by all).
ALLOWED = {
    "core": set(),
    "reporting": set(),
    "network": {"reporting"},
    "offers": {"network", "reporting"},
    "cases": {"offers", "network", "reporting"},
    "schooling": {"network", "reporting"},
    "pools": {"network", "reporting"},
    "events": {"network", "reporting"},
    "planning": {"network", "reporting"},
    "funding": {"network", "reporting"},
    "api": DOMAIN_APPS - {"api"},
}


def imported_apps(path: Path, package: Path = PACKAGE) -> set[str]:
    """Return the teilhabe apps a module imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_parts = path.relative_to(package.parent).with_suffix("").parts
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level]
                names = [".".join([*base, node.module] if node.module else base)]
            elif node.module:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "teilhabe" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_apps_import_only_downward():
    violations = []
    for path in PACKAGE.rglob("*.py"):
        app = path.relative_to(PACKAGE).parts[0]
        if app not in ALLOWED:
            continue
        for other in imported_apps(path) - {app, "core"}:
            if other in DOMAIN_APPS and other not in ALLOWED[app]:
                violations.append(f"{path.relative_to(PACKAGE)} imports teilhabe.{other}")
    assert not violations, "\n".join(sorted(violations))


def test_the_border_check_sees_relative_and_absolute_imports(tmp_path):
    assert "core" in imported_apps(PACKAGE / "core" / "services.py")
    leak = tmp_path / "teilhabe" / "core" / "leak.py"
    leak.parent.mkdir(parents=True)
    leak.write_text("from ..cases import models\nimport teilhabe.offers.services\n")
    assert imported_apps(leak, tmp_path / "teilhabe") == {"cases", "offers"}
