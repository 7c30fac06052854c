"""Findings: the two verdicts, lint_headers / lint_request, strict mode, orphan scopes kept."""

import difflib
import pickle
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qstash_protocol import (
    Finding,
    InvalidDuration,
    InvalidHeaders,
    MessageOptions,
    OrphanScope,
    decode_headers,
    decode_request,
    encode_headers,
    lint_headers,
    lint_request,
)
from qstash_protocol.publish import findings
from qstash_protocol.strategies import message_options

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def test_not_before_in_the_past_needs_now() -> None:
    headers = {"Upstash-Not-Before": str(int((NOW - timedelta(hours=1)).timestamp()))}
    assert lint_headers(headers) == []
    [finding] = lint_headers(headers, now=NOW)
    assert (finding.code, finding.severity, finding.header) == (
        "not_before.in_past",
        "warning",
        "Upstash-Not-Before",
    )
    assert "1:00:00 in the past" in finding.message
    future = {"Upstash-Not-Before": str(int((NOW + timedelta(hours=1)).timestamp()))}
    assert lint_headers(future, now=NOW) == []
    [finding] = lint_request("/v2/publish/g", headers, now=NOW)
    assert finding.code == "not_before.in_past"
    with pytest.raises(TypeError, match="aware"):
        lint_headers(headers, now=datetime(2026, 1, 1))


def test_errors_and_warnings_come_together_in_header_order() -> None:
    found = lint_request(
        "/v2/enqueue/q/https://example.com",
        [
            ("Upstash-Labels", "a"),
            ("Upstash-Delay", "10s"),
            ("Upstash-Flow-Control-Key", "k"),
            ("Upstash-Flow-Control-Value", "rate=1"),
            ("Upstash-Retries", "x"),
        ],
    )
    assert [(f.severity, f.code) for f in found] == [
        ("warning", "header.misspelled"),
        ("error", "request.not_on_enqueue"),
        ("warning", "request.flow_control_on_enqueue"),
        ("error", "retries.not_an_integer"),
    ]


def test_decode_raises_exactly_the_lint_errors_and_strict_the_warnings_too() -> None:
    headers = [("Upstash-Retries", "1"), ("upstash-retries", "2"), ("Upstash-Delay", "5")]
    found = lint_headers(headers)
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(headers)
    assert [e.code for e in info.value.errors] == [f.code for f in found if f.severity == "error"]
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(headers, strict=True)
    assert [e.code for e in info.value.errors] == [f.code for f in found]
    with pytest.raises(InvalidHeaders) as info:
        decode_request("/v2/publish/https://example.com", [headers[0], headers[1]], strict=True)
    assert [e.code for e in info.value.errors] == ["header.duplicate"]


def test_a_finding_renders_pickles_and_compares_like_an_error() -> None:
    [finding] = lint_headers({"Upstash-Delay": "10s", "Upstash-Not-Before": "1893456000"})
    assert str(finding) == (
        "Upstash-Delay: the delay is ignored: Upstash-Not-Before is given too, and it wins\n"
        "  10s\n  ^^^"
    )
    clone = pickle.loads(pickle.dumps(finding))
    assert clone == finding
    assert clone.severity == "warning"
    assert hash(clone) == hash(finding)
    error = InvalidDuration("m", code="duration.empty", value="", span=(0, 0), header="X")
    as_finding = Finding.from_error(error)
    assert (as_finding.severity, as_finding.code, as_finding.header) == (
        "error",
        "duration.empty",
        "X",
    )
    assert pickle.loads(pickle.dumps(as_finding)) == as_finding
    assert as_finding != Finding("m", code="header.duplicate")
    assert Finding.from_error(as_finding) is as_finding
    with pytest.raises(AssertionError):
        Finding("m", code="duration.empty")  # an error code is not a warning code


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Upstash-Retry", "Upstash-Retries"),
        ("Upstash-Labels", "Upstash-Label"),
        ("upstash-dealy", "upstash-Delay"),
        ("Upstash-Callback-Timout", "Upstash-Callback-Timeout"),
        ("Upstash-Flow-Control", "Upstash-Flow-Control-Key"),
    ],
)
def test_misspelled_headers_suggest_the_known_one(name: str, suggestion: str) -> None:
    headers = {name: "1"}
    if name.startswith("Upstash-Callback-"):
        headers["Upstash-Callback"] = "https://cb.example"
    [finding] = lint_headers(headers)
    assert finding.code == "header.misspelled"
    assert finding.message.endswith(f"did you mean {suggestion}?")


@pytest.mark.parametrize(
    "name",
    [
        "Upstash-Workflow-RunId",
        "Upstash-Workflow-Url",
        "Upstash-Workflow-Init",
        "Upstash-Workflow-CallType",
        "Upstash-Feature-Set",
        "Upstash-Telemetry-Sdk",
        "Upstash-Telemetry-Runtime",
        "Upstash-Telemetry-Framework",
        "Upstash-Workflow-Sdk-Version",
        "Upstash-Workflow-Invoke",
    ],
)
def test_the_sdks_own_headers_are_not_misspellings(name: str) -> None:
    assert lint_headers({name: "x"}) == []


def test_orphan_scopes_are_kept_and_given_back() -> None:
    headers = {
        "Upstash-Callback": "https://cb.example",
        "Upstash-Callback-Failure-Callback-Retries": "3",
        "Upstash-Failure-Callback-Forward-X": "1",
        "Upstash-Failure-Callback-Workflow-Runid": "wfr_1",
    }
    options = decode_headers(headers)
    assert options.callback is not None
    assert options.callback.orphan_failure_callback == OrphanScope(retries=3)
    assert options.orphan_failure_callback == OrphanScope(
        forward={"X": "1"}, extra={"Upstash-Workflow-Runid": "wfr_1"}
    )
    assert options.failure_callback is None
    assert encode_headers(options) == headers
    assert [f.header for f in lint_headers(headers)] == [
        "Upstash-Callback-Failure-Callback-Retries",
        "Upstash-Failure-Callback-Forward-X",
    ]


@given(message_options())
def test_the_strategies_orphans_round_trip_and_are_the_only_warnings(
    options: MessageOptions,
) -> None:
    headers = encode_headers(options)
    assert decode_headers(headers) == options
    codes = {f.code for f in lint_headers(headers)}
    allowed = {
        "header.callback_without_url",
        "delay.overridden_by_not_before",
        "deduplication.id_and_content_based",
    }
    assert codes <= allowed, codes
    has_orphan = options.orphan_callback is not None or options.orphan_failure_callback is not None
    if has_orphan:
        assert "header.callback_without_url" in codes


_NAMES = st.sampled_from(
    [
        "Upstash-Retries",
        "upstash-retry",
        "Upstash-Delay",
        "Upstash-Not-Before",
        "Upstash-Callback",
        "Upstash-Callback-Retries",
        "Upstash-Failure-Callback-Forward-X",
        "Upstash-Deduplication-Id",
        "Upstash-Content-Based-Deduplication",
        "Content-Type",
        "Upstash-Cron",
        "Upstash-Flow-Control-Key",
        "Upstash-Flow-Control-Value",
    ]
)
_VALUES = st.sampled_from(
    ["1", "-1", "10s", "x", "true", "https://a.example", "rate=1", "1893456000", "a:b", "json"]
)


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=6), st.booleans())
def test_decoding_agrees_with_the_linter(headers: list[tuple[str, str]], enqueue: bool) -> None:
    path = "/v2/enqueue/q/https://example.com" if enqueue else "/v2/publish/https://example.com"
    found = lint_request(path, headers)
    errors = [f for f in found if f.severity == "error"]
    try:
        decode_request(path, headers)
    except InvalidHeaders as invalid:
        assert [e.code for e in invalid.errors] == [f.code for f in errors]
    else:
        assert not errors
    try:
        decode_request(path, headers, strict=True)
    except InvalidHeaders as invalid:
        assert [e.code for e in invalid.errors] == [f.code for f in found]
    else:
        assert not found


def _closest_the_plain_way(directive: str) -> str | None:
    """difflib over every known stem (the comparison before the length filter)."""
    close = difflib.get_close_matches(findings._stem(directive), findings._STEMS, n=1, cutoff=0.8)
    return findings._STEMS[close[0]] if close else None


@given(
    st.sampled_from(sorted(findings._KNOWN)).flatmap(
        lambda known: st.builds(
            lambda cut, extra: known[:cut] + extra,
            st.integers(0, len(known)),
            st.text(st.sampled_from("aeisy-rtx"), max_size=8),
        )
    )
    | st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz-"), max_size=40)
)
@example("methodxyz")  # 2 * 6 / 15: exactly the cutoff
@example("labelxy")
@example("timeoutabc")
def test_the_closest_directive_is_difflibs_over_every_known_one(directive: str) -> None:
    assert findings._closest.__wrapped__(directive) == _closest_the_plain_way(directive)
