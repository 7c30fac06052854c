"""decode_batch / encode_batch: /v2/batch bodies."""

import json
import pickle
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import qstash_protocol.publish.batch as batch_module
from qstash_protocol import (
    MAX_BATCH_NESTING,
    InvalidBatch,
    InvalidBatchBody,
    Limits,
    ProtocolError,
    PublishRequest,
    decode_batch,
    decode_request,
    encode_batch,
)
from qstash_protocol.strategies import (
    batch_bodies,
    batch_requests,
    invalid_batch_bodies,
)

PY_BATCH = (
    '[{"destination": "https://example.com/api", "headers": {"Upstash-Forward-X-A": "1",'
    ' "Upstash-Delay": "5s"}, "body": "b1", "queue": null}]'
)


def test_an_item_decodes_as_the_same_message_published_alone() -> None:
    [item] = decode_batch(PY_BATCH)
    alone = decode_request(
        "/v2/publish/https://example.com/api",
        {"Upstash-Forward-X-A": "1", "Upstash-Delay": "5s"},
    )
    assert item == alone.model_copy(update={"body": "b1"})
    assert item.body == "b1"


def test_bytes_and_text_decode_alike() -> None:
    assert decode_batch(PY_BATCH.encode()) == decode_batch(PY_BATCH)


def test_a_queued_item_is_an_enqueue() -> None:
    [item] = decode_batch('[{"destination": "g", "queue": "q"}]')
    assert (item.kind, item.queue, item.path) == ("enqueue", "q", "/v2/enqueue/q/g")


def test_null_and_empty_queue_mean_no_queue_but_bodies_are_kept() -> None:
    items = decode_batch(
        '[{"destination": "g", "queue": null, "body": null},'
        ' {"destination": "g", "queue": "", "body": ""}, {"destination": "g", "headers": null}]'
    )
    assert [(r.kind, r.body) for r in items] == [
        ("publish", None),
        ("publish", ""),
        ("publish", None),
    ]


def test_every_problem_of_every_item_at_once_with_pointers() -> None:
    body = json.dumps(
        [
            {"destination": "g", "headers": {"Upstash-Delay": "30", "Upstash-Retries": "-1"}},
            {"destination": "ftp://x", "queue": "a b"},
            "not an item",
            {"destination": "g"},
            {"url": "https://x", "headers": {"a/b~c": 1}},
        ]
    )
    with pytest.raises(InvalidBatch) as info:
        decode_batch(body)
    found = list(zip(info.value.pointers, [e.code for e in info.value.errors], strict=True))
    assert found == [
        ("/0/headers/Upstash-Delay", "duration.missing_unit"),
        ("/0/headers/Upstash-Retries", "retries.negative"),
        ("/1/destination", "url.invalid_scheme"),
        ("/1/queue", "name.invalid_character"),
        ("/2", "batch.invalid_item"),
        ("/4/url", "batch.unknown_field"),
        ("/4", "batch.missing_destination"),
        ("/4/headers/a~1b~0c", "batch.invalid_type"),
    ]
    text = str(info.value)
    assert text.startswith("8 problems in the batch:\n- /0/headers/Upstash-Delay: Upstash-Delay:")
    assert info.value.to_dict()["errors"][2]["pointer"] == "/1/destination"


def test_an_aggregate_pickles_and_compares() -> None:
    with pytest.raises(InvalidBatch) as info:
        decode_batch('[{"destination": "g", "headers": {"Upstash-Delay": "30"}}]')
    again = pickle.loads(pickle.dumps(info.value))
    assert again == info.value
    assert again.pointers == ("/0/headers/Upstash-Delay",)


def test_enqueue_and_schedule_rules_apply_per_item() -> None:
    with pytest.raises(InvalidBatch) as info:
        decode_batch(
            '[{"destination": "g", "queue": "q", "headers": {"upstash-not-before": "1"}},'
            ' {"destination": "g", "headers": {"Upstash-Cron": "* * * * *"}}]'
        )
    assert [(p, e.code) for p, e in zip(info.value.pointers, info.value.errors, strict=True)] == [
        ("/0/headers/upstash-not-before", "request.not_on_enqueue"),
    ]  # Cron outside /v2/schedules/ is a warning (request.schedule_only), not a refusal


def test_limits_measure_each_body_in_utf8_bytes() -> None:
    limits = Limits(max_message_size=4)
    assert decode_batch('[{"destination": "g", "body": "abcd"}]', limits=limits)
    with pytest.raises(InvalidBatch) as info:
        decode_batch('[{"destination": "g", "body": "\\u00e9\\u00e9\\u00e9"}]', limits=limits)
    assert (info.value.pointers[0], info.value.errors[0].code) == ("/0/body", "limits.body_size")
    assert info.value.errors[0].value == "6"


def test_with_limits_an_items_headers_are_decoded_and_measured() -> None:
    item = {"destination": "g", "headers": {"Upstash-Retries": "2", "Upstash-Delay": "8d"}}
    [request] = decode_batch(json.dumps([item]), limits=Limits(max_delay=None))
    assert (request.options.retries, request.options.delay) == (2, timedelta(days=8))
    with pytest.raises(InvalidBatch) as info:
        decode_batch(json.dumps([item]), limits=Limits.FREE)
    assert [(p, e.code) for p, e in zip(info.value.pointers, info.value.errors, strict=True)] == [
        ("/0/headers/Upstash-Delay", "limits.delay"),
    ]


def test_without_limits_nothing_is_measured() -> None:
    body = json.dumps([{"destination": "g", "body": "x" * 2_000_000}])
    assert decode_batch(body)[0].body == "x" * 2_000_000
    with pytest.raises(InvalidBatch):
        decode_batch(body, limits=Limits.FREE)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "batch.invalid_json"),
        ("[1,]", "batch.invalid_json"),
        (b"\xff[]", "batch.invalid_json"),
        ("NaN", "batch.not_an_array"),
        ('"[]"', "batch.not_an_array"),
        ("[" * 100_000, "batch.too_deep"),
        (
            '[{"destination": 12345678901234567890123456789012345678901234567890}]',
            "batch.invalid_type",
        ),
        ('[{"destination": "g", "body": NaN}]', "batch.invalid_type"),
        ('[{"destination": "g", "headers": ["Upstash-Delay", "1s"]}]', "batch.invalid_type"),
        ('[{"destination": "g", "queue": 1}]', "batch.invalid_type"),
    ],
)
def test_structural_problems(body: str | bytes, code: str) -> None:
    with pytest.raises(InvalidBatch) as info:
        decode_batch(body)
    assert [e.code for e in info.value.errors] == [code]


def test_the_body_size_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "MAX_BATCH_BODY_SIZE", 40)
    small = '[{"destination": "g"}]'
    assert decode_batch(small)
    for body in (small + " " * 40, (small + " " * 40).encode()):
        with pytest.raises(InvalidBatch) as info:
            decode_batch(body)
        assert info.value.errors[0].code == "batch.too_large"
    # Counted in UTF-8 bytes, not characters.
    monkeypatch.setattr(batch_module, "MAX_BATCH_BODY_SIZE", 8)
    with pytest.raises(InvalidBatch) as info:
        decode_batch('["ééééé"]')
    assert info.value.errors[0].code == "batch.too_large"


def test_the_item_count_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "MAX_BATCH_ITEMS", 2)
    assert len(decode_batch('[{"destination": "g"}, {"destination": "h"}]')) == 2
    with pytest.raises(InvalidBatch) as info:
        decode_batch('[{"destination": "g"}, {"destination": "h"}, {"destination": "i"}]')
    assert [e.code for e in info.value.errors] == ["batch.too_many_items"]


def test_nesting_bound_is_the_shape_of_a_valid_batch() -> None:
    assert MAX_BATCH_NESTING == 3
    with pytest.raises(InvalidBatch) as info:
        decode_batch('[{"destination": "g", "headers": {"X": {"y": "z"}}}]')
    assert info.value.pointers == ("/0/headers/X",)


def test_decode_batch_refuses_other_python_types() -> None:
    with pytest.raises(TypeError):
        decode_batch([{"destination": "g"}])  # type: ignore[arg-type]


def test_encode_batch_writes_what_the_sdks_write() -> None:
    requests = [
        PublishRequest(kind="publish", destination="https://example.com/a", body="hi"),
        PublishRequest(kind="enqueue", destination="g", queue="q", options={"retries": 2}),
    ]
    assert json.loads(encode_batch(requests)) == [
        {"destination": "https://example.com/a", "body": "hi"},
        {"destination": "g", "headers": {"Upstash-Retries": "2"}, "queue": "q"},
    ]


@pytest.mark.parametrize(
    "request_",
    [
        PublishRequest(kind="schedule", destination="g", options={"cron": "* * * * *"}),
        PublishRequest(kind="publish", destination="g", api_version=1),
        decode_request("/v2/publish/g?qstash_token=t", {}),
    ],
)
def test_encode_batch_refuses_what_a_batch_cannot_carry(request_: PublishRequest) -> None:
    with pytest.raises(ValueError, match="batch"):
        encode_batch([request_])


@given(batch_requests())
def test_round_trip(requests: list[PublishRequest]) -> None:
    body = encode_batch(requests)
    assert decode_batch(body) == requests
    assert encode_batch(decode_batch(body)) == body


@given(batch_bodies())
def test_sdk_bodies_decode_to_their_canonical_form(body: bytes) -> None:
    decoded = decode_batch(body)
    assert decode_batch(encode_batch(decoded)) == decoded
    assert len(decoded) == len(json.loads(body))


@given(invalid_batch_bodies())
def test_invalid_bodies_fail_with_their_code(example: tuple[bytes, str]) -> None:
    body, code = example
    with pytest.raises(InvalidBatch) as info:
        decode_batch(body)
    assert code in [e.code for e in info.value.errors]
    for error in info.value.errors:
        assert isinstance(error, ProtocolError)


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_input_gives_requests_or_our_error(body: str | bytes) -> None:
    try:
        decode_batch(body)
    except InvalidBatch as error:
        assert error.errors
        assert all(e.code in type(e).CODES for e in error.errors)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["destination", "headers", "body", "queue", "Upstash-Delay", "x"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_gives_requests_or_our_error(document: object) -> None:
    try:
        decode_batch(json.dumps(document))
    except InvalidBatch as error:
        assert error.errors
        assert all(isinstance(e, InvalidBatchBody | ProtocolError) for e in error.errors)
