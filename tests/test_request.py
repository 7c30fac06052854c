import pytest
from hypothesis import given

from qstash_protocol import (
    InvalidHeaders,
    MessageOptions,
    PublishRequest,
    decode_headers,
    decode_request,
)
from qstash_protocol.testing.strategies import message_options, publish_headers


def test_publish_enqueue_and_schedule_paths() -> None:
    publish = decode_request("/v2/publish/https://example.com/a?x=1&y=2", {})
    assert (publish.kind, publish.queue, str(publish.destination)) == (
        "publish",
        None,
        "https://example.com/a?x=1&y=2",
    )
    enqueue = decode_request("/v2/enqueue/q-1/my.group", [("Upstash-Retries", "1")])
    assert (enqueue.kind, enqueue.queue, enqueue.destination.kind) == (
        "enqueue",
        "q-1",
        "url_group",
    )
    assert enqueue.options.retries == 1
    schedule = decode_request("/v2/schedules/https://example.com", {"Upstash-Cron": "* * * * *"})
    assert schedule.kind == "schedule"
    assert schedule.options.cron == "* * * * *"


def test_path_and_header_problems_are_reported_together() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_request("/v2/enqueue/q/ftp://x", {"Upstash-Delay": "30", "Upstash-Retries": "x"})
    codes = [(e.code, e.header) for e in info.value.errors]
    assert codes == [
        ("url.invalid_scheme", None),
        ("request.not_on_enqueue", "Upstash-Delay"),
        ("duration.missing_unit", "Upstash-Delay"),
        ("retries.not_an_integer", "Upstash-Retries"),
    ]
    assert info.value.errors[0].value == "/v2/enqueue/q/ftp://x"
    assert info.value.errors[0].span == (14, 17)


def test_request_model_checks_kind_and_queue() -> None:
    with pytest.raises(ValueError, match="queue"):
        PublishRequest(kind="enqueue", destination="g")
    with pytest.raises(ValueError, match="queue"):
        PublishRequest(kind="publish", destination="g", queue="q")
    request = PublishRequest(kind="enqueue", destination="https://e.example", queue="q")
    assert request.path == "/v2/enqueue/q/https://e.example"
    assert decode_request(request.path, request.headers()) == request


@given(message_options())
def test_decode_request_round_trips_through_path_and_headers(options: MessageOptions) -> None:
    request = PublishRequest(kind="publish", destination="https://example.com/x", options=options)
    assert decode_request(request.path, request.headers()) == request


@given(publish_headers())
def test_decoded_models_equal_validated_ones(headers: dict[str, str]) -> None:
    """decode_headers builds models without re-validating; they equal validated models."""
    options = decode_headers(headers)
    validated = MessageOptions.model_validate(options.model_dump())
    assert validated == options
    assert hash(validated) == hash(options)
    assert MessageOptions.model_validate_json(options.model_dump_json()) == options


def test_bytes_headers_in_a_request() -> None:
    with pytest.raises(InvalidHeaders) as info:
        decode_request("/v2/enqueue/q/g", [(b"Upstash-Delay", b"10s")])
    assert [e.code for e in info.value.errors] == ["request.not_on_enqueue"]
    assert decode_request("/v2/publish/g", [(b"upstash-retries", b"2")]).options.retries == 2
