"""The layer order of docs/ARCHITECTURE.md ("Each layer imports only the ones
above it"), proved by reading every module's imports — module-level and
deferred ones inside functions alike — and that only ``ui/`` imports Qt.

No module is imported: the scan reads the source with ``ast``, so it is quick
and cannot be fooled by import order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import trefas_app

PACKAGE = Path(trefas_app.__file__).parent

#: Layers from the bottom up, as docs/ARCHITECTURE.md lists them; a module may
#: import its own layer and those listed before it. Each entry is a package
#: (trailing dot), a module with any submodules, or "=name" for that name only.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("domain", ("trefas_app.domain.", "trefas_app.resources")),
    ("settings", ("trefas_app.settings", "trefas_app.paths", "trefas_app.input_files")),
    ("store", ("trefas_app.store.",)),
    ("security", ("trefas_app.security.",)),
    ("documents", ("trefas_app.documents.",)),
    ("services", ("trefas_app.services.",)),
    ("server", ("trefas_app.server.",)),
    ("demo", ("trefas_app.demo",)),
    # The self-test checks that Qt starts (ui/selftest_qt.py), and the window's
    # Hjälp → Självtest runs it: the two belong to one layer.
    ("ui", ("trefas_app.ui.", "trefas_app.selftest")),
    ("cli", ("trefas_app.cli", "trefas_app.cli_documents", "trefas_app.__main__",
             "=trefas_app")),
]

QT_PACKAGES = ("PySide6", "shiboken6")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    for index, (_name, members) in enumerate(LAYERS):
        for member in members:
            if member.startswith("="):
                if module == member[1:]:
                    return index
            elif member.endswith("."):
                if module.startswith(member) or module == member[:-1]:
                    return index
            elif module == member or module.startswith(member + "."):
                return index
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and to docs/ARCHITECTURE.md")


def _imports(path: Path, module: str):
    """(imported module, line) for every import in the file, relative ones
    resolved; ``from package import name`` counts as importing package.name
    when that is a module, else the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                as_path = PACKAGE.parent / Path(*candidate.split("."))
                if as_path.with_suffix(".py").exists() or (as_path / "__init__.py").exists():
                    yield candidate, node.lineno
                else:
                    yield target, node.lineno


def _all_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, _module_name(path)


def test_every_module_is_in_a_layer():
    for _path, module in _all_modules():
        _layer(module)


def test_each_layer_imports_only_the_layers_below_it():
    upward = []
    for path, module in _all_modules():
        own = _layer(module)
        for imported, line in _imports(path, module):
            if not imported.startswith("trefas_app"):
                continue
            if imported == "trefas_app":  # `from trefas_app import x` of a non-module name
                continue
            if _layer(imported) > own:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} "
                              f"({LAYERS[own][0]}) imports {imported} "
                              f"({LAYERS[_layer(imported)][0]})")
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_only_ui_imports_qt():
    outside = []
    for path, module in _all_modules():
        if module.startswith("trefas_app.ui."):
            continue
        for imported, line in _imports(path, module):
            if imported.split(".")[0] in QT_PACKAGES:
                outside.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {imported}")
    assert not outside, "Qt imported outside ui/:\n" + "\n".join(outside)


def test_the_scan_sees_deferred_and_relative_imports(tmp_path):
    """The scan itself: an import inside a function and a relative one count."""
    sample = PACKAGE / "store" / "store.py"
    found = {name for name, _ in _imports(sample, "trefas_app.store.store")}
    assert "trefas_app.store.rekey" in found  # imported inside _run_due_rekey
    assert _layer("trefas_app.store.rekey") < _layer("trefas_app.security.access")


def test_the_documented_order_matches():
    """docs/ARCHITECTURE.md's layer table lists the packages in this order."""
    text = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1].strip() for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| layer")]
    assert rows == [name for name, _ in LAYERS]
