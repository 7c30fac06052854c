"""decode_request beyond a v2 path and headers: API v1, query-string options, the token, limits."""

import pickle
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    DEDUPLICATION_WINDOWS,
    InvalidHeaders,
    InvalidLimits,
    InvalidRequest,
    LimitExceeded,
    Limits,
    MessageOptions,
    ProtocolError,
    PublishRequest,
    check_limits,
    decode_request,
    encode_headers,
)
from qstash_protocol.strategies import (
    InvalidExample,
    RequestExample,
    invalid_query_option_requests,
    invalid_v1_requests,
    publish_headers,
    query_option_requests,
    v1_requests,
)

P = "/v2/publish/https://a.example/x"


def codes(path: str, headers: dict[str, str] | None = None, **kwargs: object) -> list[str]:
    with pytest.raises(InvalidHeaders) as info:
        decode_request(path, headers or {}, **kwargs)  # type: ignore[arg-type]
    return [error.code for error in info.value.errors]


# --- API v1 -------------------------------------------------------------------------------


def test_v1_topic_and_cron() -> None:
    request = decode_request("/v1/publish/my-topic", {"Upstash-Cron": "*/5 * * * *"})
    assert (request.api_version, request.kind, request.destination.kind) == (
        1,
        "publish",
        "url_group",
    )
    assert request.creates_schedule
    assert request.path == "/v1/publish/my-topic"
    assert request.deduplication_window == timedelta(days=90)


def test_v2_publish_creates_no_schedule_and_remembers_ids_ten_minutes() -> None:
    request = decode_request(P, {})
    assert (request.api_version, request.creates_schedule) == (2, False)
    assert request.deduplication_window == DEDUPLICATION_WINDOWS[2] == timedelta(minutes=10)
    assert codes("/v2/publish/g", {"Upstash-Cron": "* * * * *"}, strict=True) == [
        "request.schedule_only"
    ]


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/v1/publish/g", {"Upstash-Queue-Name": "q"}, ["request.not_in_v1"]),
        ("/v1/publish/g", {"Upstash-Schedule-Id": "s"}, ["request.not_in_v1"]),
        ("/v1/publish/api/llm", {}, ["request.not_in_v1"]),
        ("/v1/publish/g", {"Upstash-Deduplication-Id": "a:b"}, ["deduplication.colon"]),
        ("/v1/enqueue/q/g", {}, ["request.unknown_endpoint"]),
        ("/v1/schedules/g", {}, ["request.unknown_endpoint"]),
    ],
)
def test_v1_rules(path: str, headers: dict[str, str], expected: list[str]) -> None:
    assert codes(path, headers) == expected


def test_a_v1_request_is_a_publish() -> None:
    with pytest.raises(InvalidRequest) as info:
        PublishRequest(kind="enqueue", destination="g", queue="q", api_version=1)
    assert info.value.code == "request.queue_mismatch"


@given(v1_requests())
def test_generated_v1_requests_decode_and_keep_their_path(example: RequestExample) -> None:
    request = decode_request(example.path, example.headers)
    assert request.api_version == 1
    assert decode_request(request.path, request.headers()) == request


@given(invalid_v1_requests())
def test_generated_invalid_v1_requests_fail_with_their_code(example: InvalidExample) -> None:
    assert example.code in codes(*example.value)


# --- query-string options -----------------------------------------------------------------


def test_the_destination_keeps_its_own_parameters() -> None:
    request = decode_request(f"{P}?y=1&upstash-retries=3&z=2", {})
    assert str(request.destination) == "https://a.example/x?y=1&z=2"
    assert request.options.retries == 3
    assert request.path == "/v2/publish/https://a.example/x?y=1&z=2"


def test_a_query_without_qstash_parameters_is_left_alone() -> None:
    assert str(decode_request(f"{P}?a=1&&b", {}).destination) == "https://a.example/x?a=1&&b"
    assert str(decode_request(f"{P}?", {}).destination) == "https://a.example/x?"


def test_parameters_use_the_header_parsers_with_spans_into_the_path() -> None:
    path = f"{P}?upstash-delay=30&upstash-callback=https%3A%2F%2Fcb&upstash-callback-retries=x"
    with pytest.raises(InvalidHeaders) as info:
        decode_request(path, {})
    delay, retries = info.value.errors
    assert (delay.code, delay.header, delay.value) == (
        "duration.missing_unit",
        "upstash-delay",
        path,
    )
    assert path[slice(*delay.span)] == "30"
    assert (retries.code, path[slice(*retries.span)]) == ("retries.not_an_integer", "x")


def test_a_percent_encoded_value_is_pointed_at_as_a_whole() -> None:
    path = f"{P}?upstash-callback=ftp%3A%2F%2Fcb"
    with pytest.raises(InvalidHeaders) as info:
        decode_request(path, {})
    [error] = info.value.errors
    assert error.code == "url.invalid_scheme"
    assert path[slice(*error.span)] == "ftp%3A%2F%2Fcb"


def test_header_and_parameter_both_is_a_duplicate_but_forwards_combine() -> None:
    # A warning (the header's value applies), raised in strict mode.
    assert decode_request(f"{P}?upstash-retries=3", {"Upstash-Retries": "1"}).options.retries == 1
    assert codes(f"{P}?upstash-retries=3", {"Upstash-Retries": "3"}, strict=True) == [
        "header.duplicate"
    ]
    assert codes(
        f"{P}?UPSTASH-CALLBACK=https://cb", {"upstash-callback": "https://cb"}, strict=True
    ) == ["header.duplicate"]
    request = decode_request(f"{P}?upstash-forward-x-a=2", {"Upstash-Forward-X-A": "1"})
    assert request.options.forward["X-A"] == "1, 2"


def test_placement_rules_apply_to_parameters() -> None:
    assert codes("/v2/enqueue/q/g?upstash-delay=1s", {}) == ["request.not_on_enqueue"]
    assert codes("/v2/publish/g?upstash-cron=*+*+*+*+*", {}, strict=True) == [
        "request.schedule_only"
    ]
    request = decode_request("/v2/schedules/g?upstash-cron=*+*+*+*+*", {})
    assert request.options.cron == "* * * * *"


def test_a_percent_encoded_destination_keeps_its_whole_query() -> None:
    path = "/v2/publish/https%3A%2F%2Fa.example%2Fx%3Fupstash-retries%3D1?upstash-retries=2&b=1"
    request = decode_request(path, {})
    assert str(request.destination) == "https://a.example/x?upstash-retries=1"
    assert request.options.retries == 2
    assert request.path == "/v2/publish/https%3A%2F%2Fa.example%2Fx%3Fupstash-retries%3D1"
    assert decode_request(request.path, request.headers()) == request


SECRET = "qstash_S3CR3T-value"


def test_the_token_is_recognised_and_never_shown() -> None:
    request = decode_request(f"{P}?qstash_token={SECRET}", {})
    assert request.qstash_token is not None
    assert request.qstash_token.get_secret_value() == SECRET
    assert str(request.destination) == "https://a.example/x"
    assert SECRET not in repr(request)
    assert SECRET not in str(request.model_dump(mode="json"))
    assert SECRET not in request.model_dump_json()
    assert SECRET not in request.path


@pytest.mark.parametrize(
    "path",
    [
        f"{P}?qstash_token={SECRET}&upstash-delay=30",
        f"{P}?upstash-delay=30&qstash_token={SECRET}",
        f"/v2/publish/ftp://x?qstash_token={SECRET}",
        f"/v2/nowhere/x?qstash_token={SECRET}",
        f"{P}?qstash_token={SECRET}&qstash_token={SECRET}",
        f"/v2/publish/https%3A%2F%2Fa?qstash_token={SECRET}&upstash-retries=-1",
        f"/v2/publish/x y?a=1&QSTASH_TOKEN={SECRET}",
    ],
)
def test_the_token_is_in_no_error(path: str) -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_request(path, {}, limits=Limits.FREE)
    for shown in (str(info.value), repr(info.value), str(info.value.to_dict())):
        assert SECRET not in shown
    assert SECRET not in repr(pickle.loads(pickle.dumps(info.value)))
    for error in info.value.errors:
        if error.value is not None and error.span is not None and error.value.startswith("/v"):
            assert "***" in error.value


def test_header_forward_is_a_typed_option() -> None:
    assert decode_request(f"{P}?upstash-header-forward=true", {}).options.header_forward is True
    options = decode_request(P, {"Upstash-Header-Forward": "False"}).options
    assert options.header_forward is False
    assert encode_headers(options) == {"Upstash-Header-Forward": "false"}
    assert codes(P, {"Upstash-Header-Forward": "yes"}) == ["header_forward.invalid_boolean"]


@given(st.data())
def test_options_as_parameters_mean_what_they_mean_as_headers(data: st.DataObject) -> None:
    example = data.draw(query_option_requests())
    request = decode_request(example.path, example.headers)
    headers = encode_headers(request.options)
    assert (
        decode_request(request.path, headers).model_copy(
            update={"qstash_token": request.qstash_token}
        )
        == request
    )


@given(publish_headers(max_depth=1), st.data())
def test_moving_headers_into_the_query_changes_nothing(
    headers: dict[str, str], data: st.DataObject
) -> None:
    from urllib.parse import quote, quote_plus

    moved = {
        n: v
        for n, v in headers.items()
        if n.lower().startswith("upstash-") and data.draw(st.booleans())
    }
    kept = {n: v for n, v in headers.items() if n not in moved}
    query = "&".join(f"{quote(n.lower(), safe='')}={quote_plus(v)}" for n, v in moved.items())
    path = P + (f"?b=2&{query}" if query else "?b=2")
    assert decode_request(path, kept) == decode_request(P + "?b=2", headers)


@given(invalid_query_option_requests())
def test_generated_invalid_query_requests_fail_with_their_code(example: InvalidExample) -> None:
    assert example.code in codes(*example.value)


@given(
    st.text(max_size=80), st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)
)
def test_any_path_and_headers_give_a_request_or_our_error(
    path: str, headers: dict[str, str]
) -> None:
    try:
        decode_request("/v2/publish/" + path, headers, limits=Limits.FREE, content_length=10)
    except InvalidHeaders as error:
        assert error.errors


# --- plan limits --------------------------------------------------------------------------


def test_the_documented_plans() -> None:
    mb = 1024 * 1024
    assert (Limits.FREE.max_delay, Limits.FREE.max_timeout, Limits.FREE.max_message_size) == (
        timedelta(days=7),
        timedelta(minutes=15),
        mb,
    )
    assert (Limits.PAY_AS_YOU_GO.max_delay, Limits.PAY_AS_YOU_GO.max_timeout) == (
        timedelta(days=365),
        timedelta(hours=2),
    )
    assert Limits.FIXED_1M.max_delay is None and Limits.FIXED_10M.max_delay is None
    assert (Limits.FIXED_1M.max_timeout, Limits.FIXED_10M.max_timeout) == (
        timedelta(hours=6),
        timedelta(hours=12),
    )
    assert {plan.max_message_size for plan in (Limits.FIXED_1M, Limits.FIXED_10M)} == {50 * mb}
    assert all(plan.max_retries is None for plan in Limits.PLANS.values())
    assert set(Limits.PLANS) == {"free", "payg", "fixed-1m", "fixed-10m"}


def test_each_excess_has_its_own_code() -> None:
    limits = Limits(
        max_delay=timedelta(hours=1),
        max_timeout=timedelta(minutes=1),
        max_retries=2,
        max_flow_control_period=timedelta(minutes=1),
        max_message_size=10,
    )
    headers = {
        "Upstash-Delay": "2h",
        "Upstash-Timeout": "61s",
        "Upstash-Retries": "3",
        "Upstash-Flow-Control-Key": "k",
        "Upstash-Flow-Control-Value": "rate=1, period=2m",
        "Upstash-Failure-Callback": "https://cb",
        "Upstash-Failure-Callback-Retries": "9",
    }
    assert codes(P, headers, limits=limits, content_length=11) == [
        "limits.delay",
        "limits.timeout",
        "limits.retries",
        "limits.flow_control_period",
        "limits.retries",
        "limits.body_size",
    ]
    assert decode_request(P, headers, limits=Limits()).options.retries == 3


def test_limits_at_the_boundary_pass() -> None:
    limits = Limits(max_delay=timedelta(days=7), max_message_size=5)
    assert decode_request(P, {"Upstash-Delay": "7d"}, limits=limits, content_length=5)


def test_a_flow_control_period_defaults_to_one_second() -> None:
    options = MessageOptions(flow_control={"key": "k", "value": "rate=1"})
    assert check_limits(options, Limits(max_flow_control_period=timedelta(seconds=1))) == []
    [error] = check_limits(options, Limits(max_flow_control_period=timedelta(0)))
    assert isinstance(error, LimitExceeded)


@given(publish_headers(max_depth=1))
def test_without_limits_nothing_changes(headers: dict[str, str]) -> None:
    plain = decode_request(P, headers)
    assert decode_request(P, headers, limits=None, content_length=10**12) == plain
    assert decode_request(P, headers, limits=Limits()) == plain


def test_limits_are_user_definable_and_checked() -> None:
    # A bad value is the library's error, a bad argument or type a TypeError; never pydantic's.
    with pytest.raises(InvalidLimits) as info:
        Limits(max_retries=-1)
    assert (info.value.code, info.value.value) == ("limits.invalid_value", "-1")
    assert "Limits.max_retries" in info.value.message
    with pytest.raises(InvalidLimits):
        Limits(max_message_size=-5)
    with pytest.raises(TypeError, match="max_dealy"):
        Limits(max_dealy=timedelta(1))  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="max_retries"):
        Limits(max_retries="many")  # type: ignore[typeddict-item]
    for bad in (lambda: Limits(max_retries=-1), lambda: Limits(max_delay="soon")):  # type: ignore[typeddict-item]
        with pytest.raises((ProtocolError, TypeError)):
            bad()
