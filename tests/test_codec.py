import pickle
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from qstash_protocol import (
    Callback,
    Finding,
    FlowControl,
    Headers,
    InvalidHeaders,
    MessageOptions,
    ProtocolError,
    decode_headers,
    encode_headers,
    first_delivery_time,
    parse_retry_delay,
)

TYPICAL = {
    "Authorization": "Bearer TOKEN",
    "Content-Type": "application/json",
    "Upstash-Method": "POST",
    "Upstash-Forward-X-Api-Key": "k",
    "Upstash-Forward-Authorization": "Bearer t",
    "Upstash-Retries": "3",
    "Upstash-Retry-Delay": "pow(2, retried) * 1000",
    "Upstash-Callback": "https://cb.example.com/hook",
    "Upstash-Failure-Callback": "https://fcb.example.com/hook",
    "Upstash-Delay": "10s",
    "Upstash-Deduplication-Id": "order-1234",
    "Upstash-Timeout": "30s",
    "Upstash-Flow-Control-Key": "tenant-1",
    "Upstash-Flow-Control-Value": "parallelism=5, rate=10, period=1m",
}


def test_decode_a_typical_request() -> None:
    options = decode_headers(TYPICAL)
    assert options.content_type == "application/json"
    assert options.method == "POST"
    assert options.retries == 3
    assert options.retry_delay == parse_retry_delay("pow(2, retried) * 1000")
    assert options.delay == timedelta(seconds=10)
    assert options.timeout == timedelta(seconds=30)
    assert options.deduplication_id == "order-1234"
    assert options.flow_control is not None
    assert options.flow_control.key == "tenant-1"
    assert options.flow_control.value.parallelism == 5
    assert options.flow_control.value.rate == 10
    assert options.flow_control.value.period == timedelta(minutes=1)
    assert options.forward.to_dict() == {"X-Api-Key": "k", "Authorization": "Bearer t"}
    assert options.callback == Callback(url="https://cb.example.com/hook")
    assert options.failure_callback == Callback(url="https://fcb.example.com/hook")
    assert options.extra == {}


def test_encode_a_typical_request_canonically() -> None:
    assert encode_headers(decode_headers(TYPICAL)) == {
        "Content-Type": "application/json",
        "Upstash-Method": "POST",
        "Upstash-Timeout": "30s",
        "Upstash-Retries": "3",
        "Upstash-Retry-Delay": "pow(2, retried) * 1000",
        "Upstash-Delay": "10s",
        "Upstash-Flow-Control-Key": "tenant-1",
        "Upstash-Flow-Control-Value": "parallelism=5, rate=10, period=1m",
        "Upstash-Deduplication-Id": "order-1234",
        "Upstash-Forward-X-Api-Key": "k",
        "Upstash-Forward-Authorization": "Bearer t",
        "Upstash-Callback": "https://cb.example.com/hook",
        "Upstash-Failure-Callback": "https://fcb.example.com/hook",
    }


def test_names_are_case_insensitive_and_values_trimmed() -> None:
    lower = {name.lower(): f"  {value}\t" for name, value in TYPICAL.items()}
    assert decode_headers(lower) == decode_headers(TYPICAL)


def test_pairs_with_repeated_forwarded_names_are_combined() -> None:
    options = decode_headers(
        [
            ("Upstash-Forward-X-Dup", "1"),
            ("upstash-forward-x-dup", "2"),
            ("Upstash-Forward-Cookie", "a=1"),
            ("Upstash-Forward-cookie", "b=2"),
        ]
    )
    assert options.forward.to_dict() == {"X-Dup": "1, 2", "Cookie": "a=1; b=2"}


def test_other_headers_are_left_out() -> None:
    options = decode_headers({"Host": "qstash.upstash.io", "Authorization": "Bearer t"})
    assert options == MessageOptions()


_PROBLEMS = [
    ("Upstash-Delay", "30"),
    ("Upstash-Retries", "many"),
    ("Upstash-Method", "FETCH"),
    ("Upstash-Retries", "3"),
    ("Upstash-Forward-X", "a\r\nInjected: 1"),
    ("Upstash Bad", "x"),
    ("Upstash-Flow-Control-Key", "k"),
    ("Upstash-Callback-Retries", "2"),
]


def test_every_problem_is_reported_in_header_order() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(_PROBLEMS)
    found = [(error.header, error.code) for error in info.value.errors]
    # The warnings (a setting twice, callback settings without the URL) are not errors.
    assert found == [
        ("Upstash-Delay", "duration.missing_unit"),
        ("Upstash-Retries", "retries.not_an_integer"),
        ("Upstash-Method", "method.unsupported"),
        ("Upstash-Forward-X", "header.forbidden_character"),
        ("Upstash Bad", "header.invalid_name"),
        ("Upstash-Flow-Control-Key", "header.flow_control_incomplete"),
    ]
    text = str(info.value)
    assert text.startswith("6 problems in the request headers:\n- Upstash-Delay: missing unit")
    assert "\n    30\n    ^^\n" in text


def test_strict_mode_reports_warnings_in_header_order_too() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(_PROBLEMS, strict=True)
    found = [(error.header, error.code) for error in info.value.errors]
    assert found == [
        ("Upstash-Delay", "duration.missing_unit"),
        ("Upstash-Retries", "retries.not_an_integer"),
        ("Upstash-Method", "method.unsupported"),
        ("Upstash-Retries", "header.duplicate"),
        ("Upstash-Forward-X", "header.forbidden_character"),
        ("Upstash Bad", "header.invalid_name"),
        ("Upstash-Flow-Control-Key", "header.flow_control_incomplete"),
        ("Upstash-Callback-Retries", "header.callback_without_url"),
    ]


def test_invalid_headers_pickles_and_serialises() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers({"Upstash-Delay": "5w", "Upstash-Retries": "-1"})
    clone = pickle.loads(pickle.dumps(info.value))
    assert clone == info.value
    assert str(clone) == str(info.value)
    data = info.value.to_dict()
    assert data["code"] == "headers.invalid"
    assert [e["header"] for e in data["errors"]] == ["Upstash-Delay", "Upstash-Retries"]
    assert data["errors"][0]["span"] == [1, 2]


def test_flow_control_value_without_key() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers({"upstash-flow-control-value": "rate=1"})
    (error,) = info.value.errors
    assert error.code == "header.flow_control_incomplete"
    assert "upstash-flow-control-Key" in error.message


def test_nested_callbacks() -> None:
    options = decode_headers(
        {
            "Upstash-Callback": "https://cb.example",
            "Upstash-Callback-Method": "PUT",
            "Upstash-Callback-Forward-X-Token": "t",
            "Upstash-Callback-Failure-Callback": "https://cb-failed.example",
            "Upstash-Callback-Failure-Callback-Retries": "0",
            "Upstash-Callback-Failure-Callback-Forward-Upstash-Workflow-Is-Failure": "true",
            "Upstash-Callback-Workflow-CallType": "fromCallback",
        }
    )
    assert options.callback is not None
    assert options.callback.method == "PUT"
    assert options.callback.forward == {"X-Token": "t"}
    assert options.callback.extra == {"Upstash-Workflow-Calltype": "fromCallback"}
    nested = options.callback.failure_callback
    assert nested == Callback(
        url="https://cb-failed.example",
        retries=0,
        forward={"Upstash-Workflow-Is-Failure": "true"},
    )
    encoded = encode_headers(options)
    assert encoded["Upstash-Callback-Failure-Callback-Retries"] == "0"
    assert encoded["Upstash-Callback-Workflow-Calltype"] == "fromCallback"
    assert decode_headers(encoded) == options


def test_unknown_headers_kept_or_refused() -> None:
    headers = {"Upstash-Workflow-RunId": "wfr_1", "Upstash-Feature-Set": "LazyFetch"}
    options = decode_headers(headers)
    assert options.extra.to_dict() == {
        "Upstash-Workflow-Runid": "wfr_1",
        "Upstash-Feature-Set": "LazyFetch",
    }
    assert encode_headers(options) == {
        "Upstash-Workflow-Runid": "wfr_1",
        "Upstash-Feature-Set": "LazyFetch",
    }
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(headers, unknown="error")
    assert [e.code for e in info.value.errors] == ["header.unknown", "header.unknown"]


def test_timeout_takes_bare_seconds_delay_does_not() -> None:
    assert decode_headers({"Upstash-Timeout": "30"}).timeout == timedelta(seconds=30)
    assert decode_headers(
        {"Upstash-Callback": "https://c.example", "Upstash-Callback-Timeout": "30"}
    ).callback.timeout == timedelta(seconds=30)  # type: ignore[union-attr]
    with pytest.raises(InvalidHeaders) as info:
        decode_headers({"Upstash-Delay": "30"})
    assert info.value.errors[0].code == "duration.missing_unit"


def test_content_based_deduplication_spellings() -> None:
    for text, value in [("True", True), ("false", False), ("TRUE", True)]:
        options = decode_headers({"Upstash-Content-Based-Deduplication": text})
        assert options.content_based_deduplication is value
        assert encode_headers(options) == {
            "Upstash-Content-Based-Deduplication": "true" if value else "false"
        }


def test_duplicate_content_type_and_urls() -> None:
    headers = [
        ("Content-Type", "text/plain"),
        ("content-type", "application/json"),
        ("Upstash-Callback", "https://a.example"),
        ("upstash-callback", "https://b.example"),
    ]
    # The first value applies (Go's Header.Get); the repeat is a warning.
    options = decode_headers(headers)
    assert options.content_type == "text/plain"
    assert options.callback is not None
    assert options.callback.url == "https://a.example"
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(headers, strict=True)
    assert [e.code for e in info.value.errors] == ["header.duplicate", "header.duplicate"]
    assert all(isinstance(e, Finding) and e.severity == "warning" for e in info.value.errors)


def test_first_delivery_time() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert first_delivery_time(MessageOptions(), now) == now
    assert first_delivery_time(MessageOptions(delay="90s"), now) == now + timedelta(seconds=90)
    later = now + timedelta(hours=2)
    both = MessageOptions(delay="1h", not_before=later)
    assert first_delivery_time(both, now) == later
    past = MessageOptions(delay="1h", not_before=now - timedelta(days=1))
    assert first_delivery_time(past, now) == now
    with pytest.raises(TypeError, match="aware"):
        first_delivery_time(MessageOptions(), datetime(2026, 1, 1))


def test_models_accept_header_text_and_typed_values() -> None:
    options = MessageOptions(
        method="patch",
        retries="4",
        timeout=timedelta(seconds=5),
        delay="1m",
        not_before=datetime(2030, 1, 1, 12, 0, 0, 999, tzinfo=UTC),
        labels=["a", "b"],
        flow_control={"key": "k", "value": "rate=1"},
        forward=[("x-a", "1")],
    )
    assert options.method == "PATCH"
    assert options.retries == 4
    assert options.not_before == datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert options.labels == ("a", "b")
    assert options.flow_control == FlowControl(key="k", value="rate=1")
    assert options.forward == Headers({"X-A": "1"})
    dumped = options.model_dump(mode="json")
    assert dumped["delay"] == "1m"
    assert dumped["timeout"] == "5s"
    assert dumped["flow_control"] == {"key": "k", "value": "rate=1"}
    assert dumped["forward"] == {"X-A": "1"}
    assert MessageOptions.model_validate(dumped) == options
    assert MessageOptions.model_validate_json(options.model_dump_json()) == options


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"retries": -1}, ProtocolError),
        ({"retries": True}, TypeError),
        ({"delay": "30"}, ProtocolError),
        ({"delay": timedelta(seconds=-1)}, ProtocolError),
        ({"not_before": datetime(2030, 1, 1)}, ProtocolError),
        ({"labels": ["a,b"]}, ProtocolError),
        ({"extra": {"Upstash-Retries": "3"}}, ProtocolError),
        ({"extra": {"X-Not-Upstash": "3"}}, ProtocolError),
        ({"forward": {"X": "a\nb"}}, ProtocolError),
        ({"method": 3}, TypeError),
        ({"content_type": "a\nb"}, ProtocolError),
        (
            {"orphan_callback": {"retries": 1}, "callback": {"url": "https://a.example"}},
            ProtocolError,
        ),
        (
            {"failure_callback": {"url": "https://a.example"}, "orphan_failure_callback": {}},
            ProtocolError,
        ),
        ({"unknown_field": 1}, TypeError),
    ],
)
def test_models_refuse_invalid_values(fields: dict[str, object], expected: type[Exception]) -> None:
    # The library's own errors, never pydantic's ValidationError.
    with pytest.raises(expected) as info:
        MessageOptions(**fields)  # type: ignore[arg-type]
    assert not isinstance(info.value, ValidationError)


def test_models_are_frozen_and_hashable_where_possible() -> None:
    options = MessageOptions(retries=1)
    with pytest.raises(ValidationError):
        options.retries = 2  # type: ignore[misc]


def test_encode_refuses_control_characters_even_without_validation() -> None:
    options = MessageOptions.model_construct(deduplication_id="a\r\nX: y")
    with pytest.raises(ProtocolError) as info:
        encode_headers(options)
    assert info.value.code == "header.forbidden_character"
    assert info.value.header == "Upstash-Deduplication-Id"


def test_non_str_headers_are_a_type_error() -> None:
    with pytest.raises(TypeError):
        decode_headers({"Upstash-Retries": 3})  # type: ignore[dict-item]


def test_asgi_style_bytes_headers() -> None:
    options = decode_headers(
        [
            (b"host", b"qstash.upstash.io"),
            (b"upstash-retries", b"3"),
            (b"upstash-forward-x-name", "Jürgen".encode()),
            (b"content-type", b"application/json"),
        ]
    )
    assert options.retries == 3
    assert options.content_type == "application/json"
    # ISO-8859-1 keeps every byte: encoding back gives the bytes that were sent.
    assert options.forward["X-Name"].encode("latin-1") == "Jürgen".encode()
    assert decode_headers([(bytearray(b"Upstash-Delay"), b"1m")]).delay == timedelta(minutes=1)
    with pytest.raises(TypeError, match="str or bytes"):
        decode_headers([(b"upstash-retries", 3)])  # type: ignore[list-item]


def test_missing_url_message_names_the_right_header() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers({"Upstash-Callback-Forward-X-Callback-Y": "1"}, strict=True)
    assert "no Upstash-Callback header" in info.value.errors[0].message
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(
            {
                "Upstash-Callback": "https://a.example",
                "Upstash-Callback-Failure-Callback-Retries": "1",
            },
            strict=True,
        )
    assert "no Upstash-Callback-Failure-Callback header" in info.value.errors[0].message
