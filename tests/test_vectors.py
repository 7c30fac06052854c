"""Run the language-neutral conformance vectors in tests/vectors/ (format: its README)."""

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

import qstash_protocol
from qstash_protocol import ProtocolError

VECTORS = Path(__file__).parent / "vectors"


def _files() -> list[Path]:
    return sorted(VECTORS.glob("*.json"))


def _cases() -> list[Any]:
    params = []
    for path in _files():
        document = json.loads(path.read_text(encoding="utf-8"))
        for index, case in enumerate(document["cases"]):
            label = case.get("description") or repr(case["input"])[:40]
            params.append(
                pytest.param(document["parser"], case, id=f"{path.stem}[{index}]:{label}")
            )
    return params


def _all_error_classes() -> list[type[ProtocolError]]:
    return [
        obj
        for obj in vars(qstash_protocol).values()
        if isinstance(obj, type) and issubclass(obj, ProtocolError) and obj is not ProtocolError
    ]


def test_every_file_is_well_formed() -> None:
    assert _files(), "no vector files found"
    for path in _files():
        document = json.loads(path.read_text(encoding="utf-8"))
        assert set(document) <= {"description", "parser", "cases"}, path
        assert document["parser"] == path.stem, path
        assert document["description"], path
        assert document["cases"], path
        for case in document["cases"]:
            allowed = {"description", "input", "options", "output", "error", "peers", "runs"}
            assert set(case) <= allowed | {"findings"}, case
            assert ("output" in case) != ("error" in case), case
            assert "runs" not in case or "output" in case, case
            if "error" in case:
                assert set(case["error"]) <= {"code", "span", "header", "pointer"}, case
            for finding in case.get("findings", []):
                assert set(finding) <= {"code", "severity", "span", "header"}, case
                assert finding["severity"] == "warning", case


@pytest.mark.parametrize(("parser", "case"), _cases())
def test_vector(parser: str, case: dict[str, Any]) -> None:
    adapter = importlib.import_module(f"tests.adapters.{parser}")
    options = case.get("options", {})
    if "output" in case:
        assert adapter.run(case["input"], options) == case["output"]
        for runs in case.get("runs", []):
            found = adapter.next_runs(case["input"], options, runs["after"], runs["count"])
            assert found == runs["next"], runs["after"]
        if hasattr(adapter, "lint"):
            _check_findings(adapter, case, options)
        return
    expected = case["error"]
    with pytest.raises(ProtocolError) as info:
        adapter.run(case["input"], options)
    errors = getattr(info.value, "errors", None) or [info.value]
    pointers = getattr(info.value, "pointers", None) or [None] * len(errors)
    found = [
        (e.code, list(e.span) if e.span else None, e.header, pointer)
        for e, pointer in zip(errors, pointers, strict=True)
    ]
    assert any(
        code == expected["code"]
        and ("span" not in expected or span == expected["span"])
        and ("header" not in expected or header == expected["header"])
        and ("pointer" not in expected or pointer == expected["pointer"])
        for code, span, header, pointer in found
    ), found


def _matches(found: list[ProtocolError], expected: list[dict[str, Any]]) -> bool:
    return len(found) == len(expected) and all(
        f.code == e["code"]
        and ("span" not in e or list(f.span or ()) == e["span"])
        and ("header" not in e or f.header == e["header"])
        for f, e in zip(found, expected, strict=True)
    )


def _check_findings(adapter: Any, case: dict[str, Any], options: dict[str, Any]) -> None:
    """The linter reports exactly the case's findings, and strict mode raises exactly them."""
    expected = case.get("findings", [])
    found = adapter.lint(case["input"], options)
    assert all(f.severity == "warning" for f in found), found
    assert _matches(found, expected), (found, expected)
    if not expected:
        adapter.run(case["input"], {**options, "strict": True})
        return
    with pytest.raises(ProtocolError) as info:
        adapter.run(case["input"], {**options, "strict": True})
    assert _matches(list(getattr(info.value, "errors", [info.value])), expected)


def test_every_warning_code_is_produced_by_some_vector() -> None:
    produced = {
        finding["code"]
        for path in _files()
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]
        for finding in case.get("findings", [])
    }
    exempt = {"not_before.in_past": "needs a clock (lint's now=); tested in tests/test_findings.py"}
    missing = sorted(set(qstash_protocol.Finding.CODES) - produced - set(exempt))
    assert not missing, f"warning codes no vector produces: {missing}"


def test_every_error_code_is_produced_by_some_vector() -> None:
    produced = set()
    for path in _files():
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if "error" in case:
                produced.add(case["error"]["code"])
    # Finding.CODES are warnings: test_every_warning_code_is_produced_by_some_vector.
    defined = {
        code
        for cls in _all_error_classes()
        if cls is not qstash_protocol.Finding
        for code in cls.CODES
    }
    # Codes that can only come from a typed call (not from text) are exempt; each says why.
    exempt = {
        "duration.negative": "format_duration of a negative timedelta: no text produces it",
        "retry_delay.schedule_too_long": "RetryDelay.schedule(n) of a large n (test_bounds.py)",
        "header.not_in_scope": "MessageOptions(extra=...) naming a header the library models",
        "callback.invalid": "the aggregate error itself; vectors name the codes inside it",
        "header.invalid_content_type": (
            "raised by validate_content_type; decoding reports it as a warning (a finding)"
        ),
        "headers.invalid": "the aggregate error itself; vectors name the codes inside it",
        "batch.invalid": "the aggregate error itself; vectors name the codes inside it",
        "batch.too_large": "a body over 100 MiB does not belong in a vector file (test_batch.py)",
        "batch.too_many_items": "10,001 items do not belong in a vector file (test_batch.py)",
        "batch.too_deep": "where a JSON parser gives up is its own business (test_batch.py)",
        "not_before.naive_datetime": "format_not_before of a naive datetime: no text produces it",
        "retry_delay.retried_out_of_range": "RetryDelay.evaluate or default_backoff given an int "
        "retried out of range: an argument, not header text",
        "retry_delay.negative_retries": "RetryDelay.schedule(-1): an argument, not header text",
        "retry_delay.invalid_backoff_factor": "default_backoff(k=...) not positive and finite",
        "retry_after.above_limit": "never raised: next_attempt lists it in Attempt.ignored "
        "(next_attempt.json shows it)",
        # The library's own bounds: a vector would hold 1001 headers or a 1 MiB value; tested
        # in tests/test_public_errors.py.
        "header.too_many": "more than MAX_HEADERS headers: tested in test_public_errors.py",
        "header.too_long": "a name or value beyond the bounds: tested in test_public_errors.py",
        # Models built in Python (no header text produces them).
        "header.not_upstash": "encode_headers of a model_construct'ed extra name",
        "header.unencodable": "encode_headers of a model_construct'ed value of the wrong type",
        "options.conflict": "MessageOptions(callback=..., orphan_callback=...)",
        "options.invalid": "a model given several invalid values: the aggregate error itself",
        "request.queue_mismatch": "PublishRequest(kind='publish', queue=...)",
        "limits.invalid_value": "Limits(max_retries=-1): a Python argument, no header text",
    }
    missing = sorted(defined - produced - set(exempt))
    assert not missing, f"error codes no vector produces: {missing}"
