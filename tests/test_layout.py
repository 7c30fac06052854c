"""The package's layering: which sub-package may import which (see each sub-package's docstring).

``values/`` holds leaves (they import only the error model and private helpers); ``publish/`` (the
request side) never imports ``delivery/``; nothing but ``testing/`` (and the ``strategies`` alias)
imports ``testing/``. Checked on the source with :mod:`ast`, so an import inside a function
counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qstash_protocol"

#: For each sub-package, the first-party modules it may import (prefix match).
ALLOWED = {
    "values": ("qstash_protocol.errors", "qstash_protocol._", "qstash_protocol.values"),
    "publish": (
        "qstash_protocol.errors",
        "qstash_protocol._",
        "qstash_protocol.values",
        "qstash_protocol.publish",
    ),
    "delivery": (
        "qstash_protocol.errors",
        "qstash_protocol._",
        "qstash_protocol.values",
        "qstash_protocol.publish",
        "qstash_protocol.delivery",
    ),
}


def _first_party_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                pytest.fail(f"{path}: relative import at line {node.lineno}; use absolute imports")
            if node.module == "qstash_protocol":
                found.extend((node.lineno, f"qstash_protocol.{a.name}") for a in node.names)
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] == "qstash_protocol"]


def _modules(sub: str) -> list[Path]:
    return sorted((PACKAGE / sub).glob("*.py"))


@pytest.mark.parametrize("sub", sorted(ALLOWED))
def test_sub_package_imports_only_what_its_docstring_allows(sub: str) -> None:
    modules = _modules(sub)
    assert modules, f"qstash_protocol/{sub}/ has no modules"
    bad = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in modules
        for line, name in _first_party_imports(path)
        if not name.startswith(ALLOWED[sub])
    ]
    assert not bad, "\n".join(bad)


def test_private_helpers_import_only_the_error_model() -> None:
    helpers = [p for p in sorted(PACKAGE.glob("_*.py")) if not p.name.startswith("__")]
    bad = [
        f"{path.name}:{line} imports {name}"
        for path in helpers
        for line, name in _first_party_imports(path)
        if not name.startswith(("qstash_protocol.errors", "qstash_protocol._"))
    ]
    assert not bad, "\n".join(bad)


def test_only_testing_imports_testing() -> None:
    bad = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "testing" not in path.parts
        and path.name != "strategies.py"
        # The conformance command is the kit's runner; it imports it when it runs.
        and path.relative_to(PACKAGE).as_posix() != "_cli/conformance.py"
        for line, name in _first_party_imports(path)
        if name.startswith("qstash_protocol.testing")
    ]
    assert not bad, "\n".join(bad)


def test_the_detector_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from qstash_protocol.publish.codec import decode_headers\n")
    assert _first_party_imports(module) == [(2, "qstash_protocol.publish.codec")]
