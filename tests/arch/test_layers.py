"""Layer rules import-linter cannot express: packet may draw text with QtGui but never imports QtWidgets."""

from __future__ import annotations

import ast
from pathlib import Path

import ecfmg_desk

PACKAGE = Path(ecfmg_desk.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_packet_never_imports_qtwidgets() -> None:
    files = sorted((PACKAGE / "packet").glob("*.py"))
    assert files
    for path in files:
        assert not any(name.startswith("PySide6.QtWidgets") for name in _imports(path)), path.name


def test_core_imports_only_the_standard_library_and_core() -> None:
    allowed_prefixes = ("ecfmg_desk.core", "ecfmg_desk.errors", "__future__")
    for path in sorted((PACKAGE / "core").glob("*.py")):
        for name in _imports(path):
            if name.startswith("ecfmg_desk"):
                assert name.startswith(allowed_prefixes), (path.name, name)
            else:
                assert name.split(".")[0] not in {"PySide6", "PIL", "pypdf", "sqlite3", "keyring", "cryptography"}
