"""The generated documentation stays in step with the code.

``docs/protocol/codes.md`` is rendered from the ``CODES`` declarations by ``tools/gen_codes.py``;
a stale table fails here with the one command that updates it.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

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
    errors, findings = _generator().collect()
    listed = {(code, cls) for code, cls, _ in errors + findings}
    for name in qstash_protocol.__all__:
        obj = getattr(qstash_protocol, name)
        if isinstance(obj, type) and issubclass(obj, ProtocolError) and obj is not ProtocolError:
            for code in obj.CODES:
                owner = next(c.__name__ for c in obj.__mro__ if code in vars(c).get("CODES", {}))
                assert (code, owner) in listed, (name, code)


def test_every_code_is_listed_once_per_table() -> None:
    for rows in _generator().collect():
        codes = [code for code, _, _ in rows]
        assert len(codes) == len(set(codes))


# The specification's "Refusals and their evidence" tables: each example refused with its code.
SPEC_PARSERS = {
    "durations.md": qstash_protocol.parse_duration,
    "flow-control.md": qstash_protocol.parse_flow_control_value,
    "redact.md": qstash_protocol.parse_redact_fields,
    "names.md": qstash_protocol.validate_queue_name,
}
_CELL_CODE = re.compile(r"`([a-z_]+\.[a-z_]+)`")
_CELL_EXAMPLE = re.compile(r"`([^`]*)`")
_HEADER_FORM = re.compile(r"(Upstash-[A-Za-z-]+): ?(.*)")
#: Flow-control codes about the key, whose examples are keys, not values.
_KEY_CODES = {
    "flow_control.empty_key",
    "flow_control.invalid_key_character",
    "flow_control.key_too_long",
}


def _refusal_rows(page: str) -> list[tuple[list[str], list[str]]]:
    rows = []
    for line in (ROOT / "docs" / "protocol" / page).read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not _CELL_CODE.match(cells[0]):
            continue
        codes = _CELL_CODE.findall(cells[0])
        examples = _CELL_EXAMPLE.findall(cells[1])
        if not examples and cells[1] == "(empty)":
            examples = [""]
        rows.append((codes, examples))
    return rows


def _codes_for(parse: Callable[[str], object], example: str) -> list[str]:
    header = _HEADER_FORM.fullmatch(example)
    try:
        if header:
            qstash_protocol.decode_headers({header.group(1): header.group(2)})
        else:
            parse(example)
    except qstash_protocol.InvalidHeaders as err:
        return [error.code for error in err.errors]
    except ProtocolError as err:
        return [err.code]
    return []


@pytest.mark.parametrize("page", sorted(SPEC_PARSERS))
def test_spec_refusal_examples_are_refused_with_their_code(page: str) -> None:
    rows = _refusal_rows(page)
    assert rows, f"no refusal table found in docs/protocol/{page}"
    parse = SPEC_PARSERS[page]
    checked = 0
    for codes, examples in rows:
        for index, example in enumerate(examples):
            wanted = [codes[index]] if len(codes) == len(examples) > 1 else codes
            if set(wanted) <= _KEY_CODES and not _HEADER_FORM.fullmatch(example):
                got = _codes_for(qstash_protocol.validate_flow_control_key, example)
            else:
                got = _codes_for(parse, example)
            assert set(wanted) & set(got), (page, example, wanted, got)
            checked += 1
    assert checked >= len(rows) // 2
