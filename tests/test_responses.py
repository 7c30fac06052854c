"""Response bodies: publish (three shapes), schedule, batch, error."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    ErrorResponse,
    InvalidResponse,
    PublishResponse,
    ScheduleResponse,
    format_batch_response,
    format_error_response,
    format_publish_response,
    parse_batch_response,
    parse_error_response,
    parse_publish_response,
    parse_schedule_response,
)

messages = st.builds(
    PublishResponse,
    message_id=st.text(min_size=1, max_size=12),
    url=st.none() | st.text(max_size=20),
    deduplicated=st.none() | st.booleans(),
)
batch_items = st.lists(
    st.one_of(
        messages,
        st.lists(messages, max_size=3),
        st.builds(ErrorResponse, error=st.text(max_size=20)),
    ),
    max_size=5,
)


def test_the_three_publish_shapes() -> None:
    one = parse_publish_response(b'{"messageId": "msg_1", "deduplicated": true}')
    assert one == PublishResponse(message_id="msg_1", deduplicated=True)
    group = [PublishResponse(message_id="m1", url="https://a")]
    assert parse_publish_response('[{"messageId": "m1", "url": "https://a"}]') == group
    assert (
        parse_publish_response('{"messages": [{"messageId": "m1", "url": "https://a"}]}') == group
    )


def test_unknown_fields_are_ignored() -> None:
    parsed = parse_publish_response('{"messageId": "m", "labels": ["x"], "url": "https://a"}')
    assert parsed == PublishResponse(message_id="m", url="https://a")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "response.invalid_json"),
        ("msg_1", "response.invalid_json"),
        (b"\xff", "response.invalid_json"),
        ("[" * 100_000, "response.invalid_json"),
        ("null", "response.invalid_shape"),
        ('{"messageId": null}', "response.invalid_shape"),
        ('{"messageId": "m", "deduplicated": "yes"}', "response.invalid_shape"),
        ('{"messageId": "m", "url": 1}', "response.invalid_shape"),
        ('{"messages": {"messageId": "m"}}', "response.invalid_shape"),
        ('[{"messageId": "m"}, 3]', "response.invalid_shape"),
    ],
)
def test_publish_response_problems(body: str | bytes, code: str) -> None:
    with pytest.raises(InvalidResponse) as info:
        parse_publish_response(body)
    assert info.value.code == code


def test_shape_errors_say_where() -> None:
    with pytest.raises(InvalidResponse, match=r"^/messages/1/messageId must be a string"):
        parse_publish_response('{"messages": [{"messageId": "a"}, {"messageId": 2}]}')


@given(messages)
def test_publish_round_trip_single(message: PublishResponse) -> None:
    assert parse_publish_response(format_publish_response(message)) == message


@given(st.lists(messages, max_size=4), st.sampled_from(["array", "messages"]))
def test_publish_round_trip_group(group: list[PublishResponse], shape: str) -> None:
    body = format_publish_response(group, shape=shape)  # type: ignore[arg-type]
    assert parse_publish_response(body) == group
    assert isinstance(json.loads(body), list if shape == "array" else dict)


@given(batch_items)
def test_batch_round_trip(items: list[object]) -> None:
    assert parse_batch_response(format_batch_response(items)) == items  # type: ignore[arg-type]


def test_batch_response_from_the_docs() -> None:
    body = (
        '[[{"messageId": "msg_1", "url": "https://e1"}, {"messageId": "msg_2", "url": "https://e2"}],'
        ' {"messageId": "msg_3"}, {"error": "invalid destination url"}]'
    )
    group, single, error = parse_batch_response(body)
    assert [m.url for m in group] == ["https://e1", "https://e2"]  # type: ignore[union-attr]
    assert single == PublishResponse(message_id="msg_3")
    assert error == ErrorResponse(error="invalid destination url")
    with pytest.raises(InvalidResponse):
        parse_batch_response('{"messageId": "m"}')
    with pytest.raises(InvalidResponse):
        parse_batch_response('[{"error": 3}]')


def test_schedule_and_error_bodies() -> None:
    assert parse_schedule_response('{"scheduleId": "scd_1"}') == ScheduleResponse(
        schedule_id="scd_1"
    )
    with pytest.raises(InvalidResponse):
        parse_schedule_response("[]")
    with pytest.raises(InvalidResponse):
        parse_schedule_response('{"messageId": "m"}')
    error = ErrorResponse(error='DeduplicationId cannot contain ":"')
    assert parse_error_response(format_error_response(error)) == error
    with pytest.raises(InvalidResponse):
        parse_error_response('"text"')


def test_other_python_types_are_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_publish_response({"messageId": "m"})  # type: ignore[arg-type]


@given(st.text(max_size=60) | st.binary(max_size=60))
def test_any_body_gives_a_value_or_our_error(body: str | bytes) -> None:
    for parse in (parse_publish_response, parse_batch_response, parse_error_response):
        try:
            parse(body)  # type: ignore[operator]
        except InvalidResponse as error:
            assert error.code in InvalidResponse.CODES
