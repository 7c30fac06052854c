"""Every public function of publish/ answers bad input with a ProtocolError or a TypeError.

The rule (README, "Errors"): invalid protocol input raises a ``ProtocolError``; a value of the
wrong Python type raises ``TypeError``. Nothing else: no ``AttributeError``, no "too many values
to unpack", no pydantic ``ValidationError``, no ``OverflowError``.
"""

import contextlib
import http.client
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import qstash_protocol.publish.codec
import qstash_protocol.publish.findings
import qstash_protocol.publish.headers
import qstash_protocol.publish.options
import qstash_protocol.publish.request
from qstash_protocol import (
    MAX_ERRORS,
    MAX_HEADERS,
    Callback,
    FlowControl,
    Headers,
    InvalidHeaders,
    MessageOptions,
    OrphanScope,
    ProtocolError,
    PublishRequest,
    decode_headers,
    encode_headers,
)

HOSTILE: list[Any] = [
    None,
    3,
    -1,
    1.5,
    float("nan"),
    True,
    "",
    "Upstash-Retries: 3",
    "x" * 5000,
    b"\xff\x00",
    [("a",)],
    [("a", "b", "c")],
    [(1, 2)],
    [("Upstash-Retries", None)],
    {"Upstash-Retries": 3},
    {"Upstash-Retries": "x"},
    {3: "a"},
    object(),
    datetime(2030, 1, 1),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
    timedelta(days=-1),
    MessageOptions.model_construct(retries=-1),
    MessageOptions.model_construct(forward={"a b": "c"}),
]

_PUBLISH_MODULES = [
    qstash_protocol.publish.codec,
    qstash_protocol.publish.findings,
    qstash_protocol.publish.headers,
    qstash_protocol.publish.options,
    qstash_protocol.publish.request,
]


def _public_callables() -> list[tuple[str, Callable[..., Any]]]:
    found: dict[str, Callable[..., Any]] = {}
    for module in _PUBLISH_MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if name in {"trusted_model", "decode_fields", "misspelled", "HttpMethod"}:
                continue  # internal helpers (trusted input only) and a type alias
            if isinstance(obj, type) and issubclass(obj, (ProtocolError, tuple, dict)):
                continue  # errors, NamedTuples and TypedDicts are not input handlers
            if callable(obj):
                found[f"{module.__name__}.{name}"] = obj
    return sorted(found.items())


PUBLIC = _public_callables()


def test_the_list_covers_the_functions_and_models() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in PUBLIC}
    assert {"decode_headers", "encode_headers", "decode_request", "lint_headers"} <= names
    assert {"MessageOptions", "Callback", "FlowControl", "PublishRequest", "Headers"} <= names


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        function(*args, **kwargs)
    except (ProtocolError, TypeError) as error:
        assert not isinstance(error, ValidationError)


@pytest.mark.parametrize(("name", "function"), PUBLIC)
@pytest.mark.parametrize("value", HOSTILE, ids=lambda value: type(value).__name__)
def test_bad_input_gives_a_protocol_error_or_type_error(
    name: str, function: Callable[..., Any], value: Any
) -> None:
    if isinstance(function, type):  # a model: every field, one at a time
        fields = getattr(function, "model_fields", {})
        for field in fields or ["key"]:
            _call(function, **{field: value})
        _call(function.model_validate, value) if fields else None
        return
    _call(function, value)
    _call(function, value, value)
    _call(function, "/v2/publish/https://a.example", value)


def test_models_name_the_header_of_an_invalid_value() -> None:
    with pytest.raises(ProtocolError) as info:
        MessageOptions(failure_callback={"url": "https://a.example", "delay": "5"})
    assert info.value.header == "Upstash-Failure-Callback-Delay"
    assert info.value.code == "duration.missing_unit"
    with pytest.raises(ProtocolError) as info:
        MessageOptions.model_validate_json('{"flow_control": {"key": "k", "value": "x=1"}}')
    assert info.value.header == "Upstash-Flow-Control-Value"
    with pytest.raises(TypeError, match="Extra inputs"):
        Callback(url="https://a.example", nope=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        FlowControl(key="k")  # type: ignore[call-arg]
    with pytest.raises(ProtocolError):
        OrphanScope(retries="x")
    with pytest.raises(ProtocolError):
        PublishRequest(kind="publish", destination="g", queue="q")


def test_not_before_far_from_utc_at_the_edge_of_datetime() -> None:
    with pytest.raises(ProtocolError) as info:
        MessageOptions(not_before=datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))))
    assert info.value.code == "not_before.negative"
    with pytest.raises(ProtocolError):
        MessageOptions(not_before=datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=5))))
    assert MessageOptions(not_before=datetime(2030, 1, 1, 5, tzinfo=timezone(timedelta(hours=5))))


def test_decode_headers_reads_an_http_message_and_refuses_a_str() -> None:
    message = http.client.parse_headers(
        io.BytesIO(b"Upstash-Retries: 3\r\nUpstash-Forward-A: 1\r\nUpstash-Forward-A: 2\r\n\r\n")
    )
    options = decode_headers(message)
    assert options.retries == 3
    assert options.forward["A"] == "1, 2"
    with pytest.raises(TypeError, match="split a header block"):
        decode_headers("Upstash-Retries: 3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pair"):
        decode_headers([("Upstash-Retries",)])  # type: ignore[list-item]


def test_too_many_headers_are_refused_before_reading_them() -> None:
    for headers in ([("X-A", "1")] * 200_000, iter([("X-A", "1")] * 200_000)):
        with pytest.raises(InvalidHeaders) as info:
            decode_headers(headers)
        assert [error.code for error in info.value.errors] == ["header.too_many"]
    decode_headers([("X-A", "1")] * MAX_HEADERS)  # the bound itself is fine


def test_long_names_and_values_are_refused_before_parsing() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_headers({"Upstash-Forward-" + "a" * 2000: "1", "Upstash-Delay": "1" * (2 << 20)})
    assert [error.code for error in info.value.errors] == ["header.too_long", "header.too_long"]
    assert len(str(info.value)) < 2000


def test_the_error_list_is_capped_and_says_how_many_more() -> None:
    headers = [(f"Upstash-Forward-X{i}", "a\x00") for i in range(MAX_HEADERS)]
    with pytest.raises(InvalidHeaders) as info:
        decode_headers(headers)
    error = info.value
    assert len(error.errors) == MAX_ERRORS
    assert error.errors_omitted == MAX_HEADERS - MAX_ERRORS
    assert str(error).endswith(f"- ... and {MAX_HEADERS - MAX_ERRORS} more (not listed)")
    assert error.message.startswith(f"{MAX_HEADERS} problems")
    assert len(str(error)) < 20_000
    assert error.to_dict()["errors_omitted"] == MAX_HEADERS - MAX_ERRORS


def _nested(depth: int) -> dict[str, Any]:
    callback: dict[str, Any] = {"url": "https://a.example/0"}
    for level in range(1, depth):
        callback = {"url": f"https://a.example/{level}", "failure_callback": callback}
    return callback


def test_models_nest_exactly_as_deep_as_the_decoder_reads() -> None:
    deepest = MessageOptions(callback=_nested(8))
    assert decode_headers(encode_headers(deepest)) == deepest
    with pytest.raises(ProtocolError) as info:
        MessageOptions(callback=_nested(9))
    assert info.value.code == "header.too_deep"


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (MessageOptions.model_construct(forward={"X-A": "a\r\nb"}), "header.forbidden_character"),
        (MessageOptions.model_construct(forward={"X A": "b"}), "header.invalid_name"),
        (MessageOptions.model_construct(extra={"X-Evil": "b"}), "header.not_upstash"),
        (MessageOptions.model_construct(extra={"Upstash-Retries": "1"}), "header.not_in_scope"),
        (MessageOptions.model_construct(retries=-1), "retries.negative"),
        (MessageOptions.model_construct(delay=5), "header.unencodable"),
        (MessageOptions.model_construct(content_type=5), "header.unencodable"),
        (MessageOptions(retries=1).model_copy(update={"callback": "x"}), "header.unencodable"),
        (
            MessageOptions(retries=1).model_copy(update={"forward": {"a\nb": "c"}}),
            "header.invalid_name",
        ),
    ],
)
def test_encode_refuses_what_it_would_not_decode(options: MessageOptions, code: str) -> None:
    with pytest.raises(ProtocolError) as info:
        encode_headers(options)
    assert info.value.code == code


def test_encode_accepts_a_plain_dict_forward_from_model_construct() -> None:
    options = MessageOptions.model_construct(forward={"x-a": "1"})
    assert encode_headers(options) == {"Upstash-Forward-X-A": "1"}
    assert decode_headers(encode_headers(options)).forward == Headers({"X-A": "1"})


@given(st.dictionaries(st.sampled_from(list(MessageOptions.model_fields)), st.from_type(object)))
def test_encode_of_any_constructed_model_raises_only_protocol_errors(
    fields: dict[str, Any],
) -> None:
    with contextlib.suppress(ProtocolError):
        encode_headers(MessageOptions.model_construct(**fields))


def test_first_delivery_time_refuses_a_naive_now_with_a_type_error() -> None:
    from qstash_protocol import first_delivery_time

    with pytest.raises(TypeError):
        first_delivery_time(MessageOptions(), datetime(2030, 1, 1))
    assert first_delivery_time(MessageOptions(), datetime(2030, 1, 1, tzinfo=UTC))
