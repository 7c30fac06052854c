"""The generated documentation stays in step with the code.

``docs/protocol/codes.md`` is rendered from the ``CODES`` declarations by ``tools/gen_codes.py``;
a stale table fails here with the one command that updates it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import qstash_protocol
from qstash_protocol import ProtocolError

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_codes", ROOT / "tools" / "gen_codes.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_codes_table_is_up_to_date() -> None:
    gen = _generator()
    committed = gen.TARGET.read_text(encoding="utf-8") if gen.TARGET.exists() else ""
    assert committed == gen.render(), (
        f"docs/protocol/codes.md is stale; update it with: {gen.COMMAND}"
    )


def test_codes_table_lists_every_public_error_code() -> None:
    errors, _ = _generator().collect()
    listed = {(code, cls) for code, cls, _ in errors}
    for name in qstash_protocol.__all__:
        obj = getattr(qstash_protocol, name)
        if isinstance(obj, type) and issubclass(obj, ProtocolError) and obj is not ProtocolError:
            for code in obj.CODES:
                owner = next(c.__name__ for c in obj.__mro__ if code in vars(c).get("CODES", {}))
                assert (code, owner) in listed, (name, code)


def test_every_code_is_listed_once() -> None:
    errors, findings = _generator().collect()
    codes = [code for code, _, _ in errors + findings]
    assert len(codes) == len(set(codes))
