"""Properties of the header codec, over generated options and header maps."""

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qstash.message import prepare_headers

from qstash_protocol import (
    InvalidHeaders,
    MessageOptions,
    decode_headers,
    encode_headers,
    parse_duration,
    parse_retry_delay,
)
from qstash_protocol.testing.strategies import message_options, publish_headers


@given(message_options(schedule=True))
def test_decode_of_encode_is_identity(options: MessageOptions) -> None:
    """decode_headers(encode_headers(o)) == o for every o."""
    assert decode_headers(encode_headers(options)) == options


@given(message_options())
def test_encoding_is_a_fixed_point(options: MessageOptions) -> None:
    """Encoding what was decoded from canonical headers gives the same headers, in order."""
    headers = encode_headers(options)
    again = encode_headers(decode_headers(headers))
    assert list(again.items()) == list(headers.items())


@given(publish_headers())
def test_sdk_style_headers_decode_to_the_canonical_meaning(headers: dict[str, str]) -> None:
    """Any name casing and any accepted spelling decodes to the same options."""
    options = decode_headers(headers)
    assert decode_headers(encode_headers(options)) == options


_NAMES = st.one_of(
    st.sampled_from(
        [
            "Upstash-Delay",
            "upstash-retries",
            "Upstash-Callback",
            "Upstash-Callback-Retries",
            "Upstash-Forward-X",
            "Upstash-Flow-Control-Key",
            "Upstash-Flow-Control-Value",
            "Content-Type",
            "Upstash-Failure-Callback-Forward-Y",
            "Upstash-Redact-Fields",
            "Upstash-Label",
            "Upstash-",
            "Upstash-Forward-",
        ]
    ),
    st.text(max_size=30),
    st.text(max_size=20).map(lambda s: "Upstash-" + s),
)
_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["1", "30s", "https://example.com", "rate=1", "body", "a,b", "-1", " "]),
)


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=8))
def test_any_header_list_gives_options_or_invalid_headers(pairs: list[tuple[str, str]]) -> None:
    try:
        options = decode_headers(pairs)
    except InvalidHeaders as err:
        assert err.errors
        for error in err.errors:
            assert error.header is not None
            str(error)
        str(err)
    else:
        assert decode_headers(encode_headers(options)) == options


# The official Python SDK's prepare_headers, fed Hypothesis-generated arguments: what it emits
# must decode, and decode to the values it was given.
_durations = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(["10s", "1m", "2h", "1d", "1h30m", "1d10h30m"]),
)
_flow = st.fixed_dictionaries(
    {"key": st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)},
    optional={
        "parallelism": st.integers(min_value=1, max_value=1000),
        "rate": st.integers(min_value=1, max_value=1000),
        "period": st.one_of(
            st.integers(min_value=1, max_value=604800), st.sampled_from(["1m", "1h", "7d"])
        ),
    },
).filter(lambda f: "parallelism" in f or "rate" in f)
_token = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,10}", fullmatch=True)
_value = st.from_regex(r"[ -~]{0,12}", fullmatch=True).map(lambda v: v.strip())
SDK_ARGUMENTS = st.fixed_dictionaries(
    {
        "content_type": st.none() | st.sampled_from(["application/json", "text/plain"]),
        "method": st.none() | st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
        "headers": st.none()
        | st.dictionaries(_token.filter(lambda t: not t.lower().startswith("upstash")), _value),
        "callback_headers": st.none(),
        "failure_callback_headers": st.none(),
        "retries": st.none() | st.integers(min_value=0, max_value=20),
        "retry_delay": st.none()
        | st.sampled_from(["1000", "pow(2, retried) * 1000", "max(1000, retried * 500)"]),
        "callback": st.none() | st.sampled_from(["https://cb.example.com/x", "http://localhost/a"]),
        "failure_callback": st.none() | st.just("https://fcb.example.com"),
        "delay": st.none() | _durations,
        "not_before": st.none() | st.integers(min_value=0, max_value=4_102_444_800),
        "deduplication_id": st.none() | st.from_regex(r"[A-Za-z0-9_.-]{1,20}", fullmatch=True),
        "content_based_deduplication": st.none() | st.booleans(),
        "timeout": st.none() | _durations,
        "flow_control": st.none() | _flow,
        "label": st.none() | st.from_regex(r"[a-z0-9_-]{1,10}", fullmatch=True),
        "redact": st.none()
        | st.fixed_dictionaries(
            {
                "body": st.booleans(),
                "header": st.one_of(st.just(True), st.lists(_token, max_size=3)),
            }
        ).filter(lambda r: r["body"] or r["header"]),
    }
)


def _seconds(value: int | str) -> str:
    return f"{value}s" if isinstance(value, int) else value


@settings(max_examples=200)
@given(SDK_ARGUMENTS)
def test_official_python_sdk_headers_decode_to_what_was_asked(arguments: dict[str, Any]) -> None:
    options = decode_headers(prepare_headers(**arguments))
    a = arguments
    assert options.content_type == a["content_type"]
    assert options.method == a["method"]
    assert options.forward == (a["headers"] or {})
    assert options.retries == a["retries"]
    expected_delay = None if a["retry_delay"] is None else parse_retry_delay(a["retry_delay"])
    assert options.retry_delay == expected_delay
    assert (options.callback.url if options.callback else None) == a["callback"]
    failure = options.failure_callback
    assert (failure.url if failure else None) == a["failure_callback"]
    for field in ("delay", "timeout"):
        given_value = a[field]
        expected = None if given_value is None else parse_duration(_seconds(given_value))
        assert getattr(options, field) == expected
    not_before = options.not_before
    assert (None if not_before is None else int(not_before.timestamp())) == a["not_before"]
    assert options.deduplication_id == a["deduplication_id"]
    assert options.content_based_deduplication == a["content_based_deduplication"]
    flow = a["flow_control"]
    if flow is None:
        assert options.flow_control is None
    else:
        assert options.flow_control is not None
        assert options.flow_control.key == flow["key"]
        assert options.flow_control.value.parallelism == flow.get("parallelism")
        assert options.flow_control.value.rate == flow.get("rate")
        if "period" in flow:
            period = parse_duration(_seconds(flow["period"]))
            assert options.flow_control.value.period == period
    assert options.labels == (() if a["label"] is None else (a["label"],))
    redact = a["redact"]
    if redact is None or not (redact["body"] or redact["header"]):
        assert options.redact is None
    else:
        assert options.redact is not None
        assert options.redact.body == redact["body"]
        assert options.redact.all_headers == (redact["header"] is True)
        if redact["header"] is not True:
            assert {h.lower() for h in options.redact.headers} == {
                h.lower() for h in redact["header"]
            }


@pytest.mark.parametrize("unknown", ["keep", "error"])
def test_unknown_keyword_is_checked(unknown: str) -> None:
    decode_headers({}, unknown=unknown)  # type: ignore[arg-type]
