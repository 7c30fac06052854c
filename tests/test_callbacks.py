"""Callback and failure-callback payloads: the documented examples, every variant, the errors."""

import base64
import json
import pickle
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qstash_protocol import (
    MAX_CALLBACK_DEPTH,
    CallbackPayload,
    FailureCallbackPayload,
    Headers,
    InvalidCallback,
    InvalidCallbackField,
    ProtocolError,
    WorkflowFailure,
    parse_callback,
    parse_failure_callback,
)
from qstash_protocol.testing import delivery_strategies as ds

# --- The examples of the documentation, verbatim ---------------------------------------------

# https://upstash.com/docs/qstash/features/callbacks, "The callback body sent to you" (the same
# block is in https://upstash.com/docs/workflow/howto/failures).
DOCS_CALLBACK = """\
{
  "status": 200,
  "header": { "key": ["value"] },         // Response header
  "body": "YmFzZTY0IGVuY29kZWQgcm9keQ==", // base64 encoded response body
  "retried": 2,                           // How many times we retried to deliver the original message
  "maxRetries": 3,                        // Number of retries before the message assumed to be failed to delivered.
  "sourceMessageId": "msg_xxx",           // The ID of the message that triggered the callback
  "topicName": "myTopic",                 // The name of the URL Group (topic) if the request was part of a URL Group
  "endpointName": "myEndpoint",           // The endpoint name if the endpoint is given a name within a topic
  "url": "http://myurl.com",              // The destination url of the message that triggered the callback
  "method": "GET",                        // The http method of the message that triggered the callback
  "sourceHeader": { "key": "value" },     // The http header of the message that triggered the callback
  "sourceBody": "YmFzZTY0kZWQgcm9keQ==",  // The base64 encoded body of the message that triggered the callback
  "notBefore": "1701198458025",           // The unix timestamp of the message that triggered the callback is/will be delivered in milliseconds
  "createdAt": "1701198447054",           // The unix timestamp of the message that triggered the callback is created in milliseconds
  "scheduleId": "scd_xxx",                // The scheduleId of the message if the message is triggered by a schedule
  "callerIP": "178.247.74.179"            // The IP address where the message that triggered the callback is published from
}
"""  # noqa: E501

# The same page, the failure-callback body.
DOCS_FAILURE_CALLBACK = """\
{
  "status": 400,
  "header": { "key": ["value"] },         // Response header
  "body": "YmFzZTY0IGVuY29kZWQgcm9keQ==", // base64 encoded response body
  "retried": 3,                           // How many times we retried to deliver the original message
  "maxRetries": 3,                        // Number of retries before the message assumed to be failed to delivered.
  "dlqId": "1725323658779-0",             // Dead Letter Queue id. This can be used to retrieve/remove the related message from DLQ.
  "sourceMessageId": "msg_xxx",           // The ID of the message that triggered the callback
  "topicName": "myTopic",                 // The name of the URL Group (topic) if the request was part of a topic
  "endpointName": "myEndpoint",           // The endpoint name if the endpoint is given a name within a topic
  "url": "http://myurl.com",              // The destination url of the message that triggered the callback
  "method": "GET",                        // The http method of the message that triggered the callback
  "sourceHeader": { "key": "value" },     // The http header of the message that triggered the callback
  "sourceBody": "YmFzZTY0kZWQgcm9keQ==",  // The base64 encoded body of the message that triggered the callback
  "notBefore": "1701198458025",           // The unix timestamp of the message that triggered the callback is/will be delivered in milliseconds
  "createdAt": "1701198447054",           // The unix timestamp of the message that triggered the callback is created in milliseconds
  "scheduleId": "scd_xxx",                // The scheduleId of the message if the message is triggered by a schedule
  "callerIP": "178.247.74.179"            // The IP address where the message that triggered the callback is published from
}
"""  # noqa: E501

# https://github.com/upstash/qstash-js/blob/main/skills/advanced/callbacks.md, "Failure Callback
# Body": times as numbers, valid base64 everywhere.
SKILLS_FAILURE_CALLBACK = """\
{
  "status": 500,
  "header": { "content-type": ["text/plain"] },
  "body": "RXJyb3IgbWVzc2FnZQ==",
  "retried": 3,
  "maxRetries": 3,
  "dlqId": "1725323658779-0",
  "sourceMessageId": "msg_xxx",
  "topicName": "myTopic",
  "endpointName": "myEndpoint",
  "url": "https://api.example.com/webhook",
  "method": "POST",
  "sourceHeader": { "content-type": "application/json" },
  "sourceBody": "YmFzZTY0IGVuY29kZWQgcm9keQ==",
  "notBefore": 1701198458025,
  "createdAt": 1701198447054,
  "scheduleId": "scd_xxx",
  "callerIP": "178.247.74.179"
}
"""


def without_comments(text: str) -> str:
    """The docs write their JSON with // comments (JSONC); strings ("http://...") are kept."""
    return re.sub(r'("(?:[^"\\]|\\.)*")|//[^\n]*', lambda m: m.group(1) or "", text)


def test_the_docs_callback_example_has_a_broken_source_body_and_nothing_else() -> None:
    with pytest.raises(InvalidCallback) as caught:
        parse_callback(without_comments(DOCS_CALLBACK))
    [problem] = caught.value.errors
    assert (problem.path, problem.code) == ("/sourceBody", "callback.invalid_base64")
    assert problem.value == "YmFzZTY0kZWQgcm9keQ=="
    assert "got 21" in problem.message


def test_the_docs_callback_example_with_its_typo_fixed() -> None:
    text = without_comments(DOCS_CALLBACK).replace(
        "YmFzZTY0kZWQgcm9keQ==", "YmFzZTY0IGVuY29kZWQgcm9keQ=="
    )
    payload = parse_callback(text)
    assert payload.status == 200
    assert payload.header == {"Key": "value"}
    assert payload.body == b"base64 encoded rody"
    assert (payload.retried, payload.max_retries) == (2, 3)
    assert payload.source_message_id == "msg_xxx"
    assert (payload.topic_name, payload.endpoint_name) == ("myTopic", "myEndpoint")
    assert (payload.url, payload.method) == ("http://myurl.com", "GET")
    assert payload.source_header == Headers({"key": "value"})
    assert payload.source_body == b"base64 encoded rody"
    assert payload.not_before == datetime(2023, 11, 28, 19, 7, 38, 25000, tzinfo=UTC)
    assert payload.created_at == datetime(2023, 11, 28, 19, 7, 27, 54000, tzinfo=UTC)
    assert payload.schedule_id == "scd_xxx"
    assert payload.caller_ip == "178.247.74.179"
    assert payload.is_final  # retried 2 of 3, but a 2xx ends the message
    assert CallbackPayload(status=500, retried=2, max_retries=3).is_final is False


def test_the_docs_failure_callback_example() -> None:
    text = without_comments(DOCS_FAILURE_CALLBACK)
    with pytest.raises(InvalidCallback) as caught:
        parse_failure_callback(text)
    assert [e.path for e in caught.value.errors] == ["/sourceBody"]
    fixed = text.replace("YmFzZTY0kZWQgcm9keQ==", "YmFzZTY0IGVuY29kZWQgcm9keQ==")
    failure = parse_failure_callback(fixed)
    assert (failure.status, failure.retried, failure.max_retries) == (400, 3, 3)
    assert failure.dlq_id == "1725323658779-0"
    assert failure.is_final
    assert failure.workflow_failure is None  # "base64 encoded rody" is no workflow error
    # Read as a plain callback, the failure-only field is ignored.
    assert not hasattr(parse_callback(fixed), "dlq_id")


def test_the_qstash_js_skills_examples_with_numeric_times() -> None:
    failure = parse_failure_callback(SKILLS_FAILURE_CALLBACK)
    assert failure.body == b"Error message"
    assert failure.header["Content-Type"] == "text/plain"
    assert failure.source_header["Content-Type"] == "application/json"
    assert failure.not_before == datetime(2023, 11, 28, 19, 7, 38, 25000, tzinfo=UTC)
    fixed_docs = without_comments(DOCS_FAILURE_CALLBACK).replace(
        "YmFzZTY0kZWQgcm9keQ==", "YmFzZTY0IGVuY29kZWQgcm9keQ=="
    )
    # The numbers of the one and the strings of the other are the same instants.
    assert failure.created_at == parse_failure_callback(fixed_docs).created_at


def test_the_workflow_js_failure_callback() -> None:
    # The body workflow-js's handleFailure tests post (src/workflow-parser.test.ts): header as a
    # map of strings, sourceHeader as a map of lists, no retried/maxRetries/dlqId, and the body
    # formatWorkflowError(new WorkflowError(message)) builds.
    error = {"error": "WorkflowError", "message": "my-custom-error", "stack": "at step1"}
    steps = [{"callType": "step", "messageId": "msg-id", "body": "eyJoZWxsbyI6IndvcmxkIn0="}]
    body = {
        "status": 201,
        "header": {"myHeader": "value"},
        "body": base64.b64encode(json.dumps(error).encode()).decode(),
        "url": "https://requestcatcher.com/api",
        "sourceHeader": {"Upstash-Failure-Callback-Forward-Authorization": ["Bearer abc"]},
        "sourceBody": base64.b64encode(json.dumps(steps).encode()).decode(),
        "workflowRunId": "wfr_123",
        "workflowCreatedAt": 1701198447054,
    }
    failure = parse_failure_callback(json.dumps(body))
    assert failure.workflow_failure == WorkflowFailure(
        error="WorkflowError", message="my-custom-error", stack="at step1"
    )
    assert failure.header == {"Myheader": "value"}
    assert failure.source_header["upstash-failure-callback-forward-authorization"] == "Bearer abc"
    assert json.loads(failure.source_body) == steps
    assert (failure.retried, failure.max_retries, failure.dlq_id) == (0, None, None)
    assert failure.workflow_run_id == "wfr_123"
    assert failure.workflow_created_at == datetime(2023, 11, 28, 19, 7, 27, 54000, tzinfo=UTC)
    assert failure.is_final  # maxRetries unknown: read as final, as workflow-py does


def test_workflow_failure_needs_error_and_message_strings() -> None:
    def failure(body: bytes) -> WorkflowFailure | None:
        return FailureCallbackPayload(status=500, body=body).workflow_failure

    assert failure(b'{"error": "E", "message": "m"}') == WorkflowFailure(error="E", message="m")
    assert failure(b'{"error": "E", "message": "m", "stack": 5}') == WorkflowFailure(
        error="E", message="m"
    )
    for body in (b'{"message": "m"}', b'{"error": 1, "message": "m"}', b"[1]", b"\xff", b"NaN"):
        assert failure(body) is None
    assert failure(b'{"error": "\\ud800", "message": "m"}') is None
    assert failure(b"[" * 5000) is None


# --- Variants --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        {"X-Id": ["7"]},
        {"X-Id": "7"},
        {"x-id": ["7"]},
        {"X-ID": ["", "7"]},  # an empty value is an empty list element
    ],
)
def test_header_maps_of_lists_or_of_strings(header: object) -> None:
    payload = parse_callback(json.dumps({"status": 200, "header": header, "sourceHeader": header}))
    assert payload.header == payload.source_header == Headers({"X-Id": "7"})
    assert payload.header.to_dict() == {"X-Id": "7"}


def test_repeated_values_and_names_are_joined() -> None:
    payload = parse_callback(
        json.dumps(
            {
                "status": 200,
                "header": {"Accept": ["a", "b"], "accept": "c", "Cookie": ["x=1", "y=2"]},
                "sourceHeader": {"X-Empty": []},
            }
        )
    )
    assert payload.header == {"Accept": "a, b, c", "Cookie": "x=1; y=2"}
    assert payload.source_header == {}


def test_null_maps_and_bodies_are_empty() -> None:
    payload = parse_callback(
        '{"status": 200, "header": null, "body": null, "sourceHeader": null, "sourceBody": null,'
        ' "maxRetries": null, "notBefore": null, "callerIP": null}'
    )
    assert payload == CallbackPayload(status=200)
    assert payload.body == b"" and payload.header == {}


@pytest.mark.parametrize("created", ["1701198447054", 1701198447054, "01701198447054"])
def test_times_as_numbers_or_strings(created: object) -> None:
    payload = parse_callback(json.dumps({"status": 200, "createdAt": created, "notBefore": 0}))
    assert payload.created_at == datetime(2023, 11, 28, 19, 7, 27, 54000, tzinfo=UTC)
    assert payload.not_before == datetime(1970, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"callerIP": "1.2.3.4"}, "1.2.3.4"),
        ({"callerIp": "1.2.3.4"}, "1.2.3.4"),
        ({"callerIP": "1.2.3.4", "callerIp": "1.2.3.4"}, "1.2.3.4"),
        ({}, None),
    ],
)
def test_caller_ip_in_either_spelling(fields: dict[str, str], expected: str | None) -> None:
    assert parse_callback(json.dumps({"status": 200, **fields})).caller_ip == expected


def test_only_status_is_required_and_unknown_fields_are_ignored() -> None:
    payload = parse_callback('{"status": 0, "labels": ["a"], "responseBodyBase64": 5, "x": {}}')
    assert payload == CallbackPayload(status=0)
    assert payload.retried == 0 and payload.max_retries is None and payload.url is None


def test_bytes_and_str_bodies_alike() -> None:
    text = '{"status": 200, "url": "https://ex.ample/ü"}'
    assert (
        parse_callback(text)
        == parse_callback(text.encode())
        == parse_callback(bytearray(text.encode()))
    )
    assert parse_callback(text).url == "https://ex.ample/ü"


def test_a_binary_response_body() -> None:
    raw = bytes(range(256))
    payload = parse_callback(json.dumps({"status": 500, "body": base64.b64encode(raw).decode()}))
    assert payload.body == raw


# --- Errors ----------------------------------------------------------------------------------


def problems(body: str | bytes, *, failure: bool = False) -> list[tuple[str, str]]:
    parse = parse_failure_callback if failure else parse_callback
    with pytest.raises(InvalidCallback) as caught:
        parse(body)
    return [(e.path, e.code) for e in caught.value.errors]


def test_every_problem_at_once_with_its_json_pointer() -> None:
    body = json.dumps(
        {
            "status": "200",
            "header": {"X Id": ["1"], "a/b~c": [5], "Ok": ["\r\n"]},
            "body": "YQ",
            "retried": -1,
            "maxRetries": 1.5,
            "sourceHeader": {"X-Id": [7]},
            "sourceBody": "a-b_",
            "notBefore": "1701198458025.5",
            "createdAt": 1e3,
            "callerIP": "1.1.1.1",
            "callerIp": "2.2.2.2",
            "url": 5,
        }
    )
    assert problems(body) == [
        ("/status", "callback.wrong_type"),
        ("/header/X Id", "callback.invalid_header_name"),
        ("/header/a~1b~0c", "callback.invalid_header_name"),
        ("/header/a~1b~0c/0", "callback.wrong_type"),
        ("/header/Ok/0", "callback.invalid_header_value"),
        ("/body", "callback.invalid_base64"),
        ("/retried", "callback.out_of_range"),
        ("/maxRetries", "callback.wrong_type"),
        ("/url", "callback.wrong_type"),
        ("/sourceHeader/X-Id/0", "callback.wrong_type"),
        ("/sourceBody", "callback.invalid_base64"),
        ("/notBefore", "callback.invalid_timestamp"),
        ("/createdAt", "callback.invalid_timestamp"),
        ("/callerIp", "callback.conflict"),
    ]


def test_the_error_text_points_at_the_bad_characters() -> None:
    with pytest.raises(InvalidCallback) as caught:
        parse_callback('{"status": 200, "sourceBody": "aGV-bG8="}')
    assert str(caught.value) == (
        "1 problem in the callback body:\n"
        "- /sourceBody: invalid character '-' in base64 (the URL-safe alphabet; QStash writes "
        "standard base64)\n"
        "    aGV-bG8=\n"
        "       ^"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{}", [("/status", "callback.missing_field")]),
        ('{"status": null}', [("/status", "callback.missing_field")]),
        ('{"status": true}', [("/status", "callback.wrong_type")]),
        ('{"status": 200.0}', [("/status", "callback.wrong_type")]),
        ('{"status": 1000}', [("/status", "callback.out_of_range")]),
        ('{"status": -1}', [("/status", "callback.out_of_range")]),
        ('{"status": 200, "retried": 2147483648}', [("/retried", "callback.out_of_range")]),
        ('{"status": ' + "9" * 5000 + "}", [("/status", "callback.out_of_range")]),
        ('{"status": 200, "status": 201}', [("/status", "callback.duplicate_key")]),
        (
            '{"status": 200, "header": {"A": "1", "A": "2"}}',
            [("/header/A", "callback.duplicate_key")],
        ),
        ('{"status": 200, "header": []}', [("/header", "callback.wrong_type")]),
        ('{"status": 200, "header": {"A": null}}', [("/header/A", "callback.wrong_type")]),
        ('{"status": 200, "header": {"": "1"}}', [("/header/", "callback.invalid_header_name")]),
        ('{"status": 200, "body": 5}', [("/body", "callback.wrong_type")]),
        ('{"status": 200, "body": "YQ=="}', []),
        ('{"status": 200, "body": "Y=Q="}', [("/body", "callback.invalid_base64")]),
        ('{"status": 200, "body": "YQ==\\n"}', [("/body", "callback.invalid_base64")]),
        ('{"status": 200, "createdAt": ""}', [("/createdAt", "callback.invalid_timestamp")]),
        ('{"status": 200, "createdAt": "-5"}', [("/createdAt", "callback.invalid_timestamp")]),
        ('{"status": 200, "createdAt": -5}', [("/createdAt", "callback.invalid_timestamp")]),
        ('{"status": 200, "createdAt": "١٢"}', [("/createdAt", "callback.invalid_timestamp")]),
        (
            '{"status": 200, "createdAt": 253402300800000}',
            [("/createdAt", "callback.out_of_range")],
        ),
        ('{"status": 200, "url": "\\ud800"}', [("/url", "callback.invalid_string")]),
        ('{"status": 200, "method": ["GET"]}', [("/method", "callback.wrong_type")]),
        ("[]", [("", "callback.not_object")]),
        ('"status"', [("", "callback.not_object")]),
        ("", [("", "callback.invalid_json")]),
        ('{"status": NaN}', [("", "callback.invalid_json")]),
        ('{"status": 200,}', [("", "callback.invalid_json")]),
        ("\ufeff{}", [("", "callback.invalid_json")]),
        (b"\xef\xbb\xbf{}", [("", "callback.invalid_json")]),
        (b'{"status": 200, "url": "\xff"}', [("", "callback.invalid_utf8")]),
        ('{"x":' * 70 + "1" + "}" * 70, [("", "callback.too_deep")]),
        ("[" * 100_000, [("", "callback.too_deep")]),
    ],
)
def test_refusals(body: str | bytes, expected: list[tuple[str, str]]) -> None:
    if not expected:
        parse_callback(body)
        return
    assert problems(body) == expected


def test_failure_only_fields_are_checked_by_the_failure_parser() -> None:
    body = '{"status": 500, "dlqId": 1, "workflowRunId": [], "workflowCreatedAt": "x"}'
    assert parse_callback(body) == CallbackPayload(status=500)
    assert problems(body, failure=True) == [
        ("/dlqId", "callback.wrong_type"),
        ("/workflowRunId", "callback.wrong_type"),
        ("/workflowCreatedAt", "callback.invalid_timestamp"),
    ]


def test_the_size_bound() -> None:
    body = json.dumps({"status": 200, "body": base64.b64encode(b"x" * 300).decode()})
    assert parse_callback(body, max_size=len(body)).body == b"x" * 300
    with pytest.raises(InvalidCallback) as caught:
        parse_callback(body.encode(), max_size=len(body) - 1)
    assert caught.value.errors[0].code == "callback.too_large"
    with pytest.raises(InvalidCallback):
        parse_callback(body, max_size=len(body) - 1)


def test_depth_at_the_bound_is_accepted() -> None:
    nested = '{"x":' * (MAX_CALLBACK_DEPTH - 1) + "1" + "}" * (MAX_CALLBACK_DEPTH - 1)
    assert parse_callback('{"status": 200, "extra": ' + nested + "}").status == 200
    deeper = '{"x":' * MAX_CALLBACK_DEPTH + "1" + "}" * MAX_CALLBACK_DEPTH
    assert problems('{"status": 200, "extra": ' + deeper + "}") == [("", "callback.too_deep")]


def test_a_json_syntax_error_shows_where() -> None:
    with pytest.raises(InvalidCallback) as caught:
        parse_callback('{"status": 200 "body": ""}')
    [problem] = caught.value.errors
    assert problem.message.startswith("not JSON: Expecting ',' delimiter (line 1, column 16)")
    assert problem.value is not None and problem.span is not None
    assert problem.value[problem.span[0]] == '"'


def test_wrong_python_types() -> None:
    with pytest.raises(TypeError):
        parse_callback(5)  # type: ignore[arg-type]


def test_errors_pickle_and_compare() -> None:
    with pytest.raises(InvalidCallback) as caught:
        parse_callback('{"status": "x", "body": "@"}')
    error = caught.value
    again = pickle.loads(pickle.dumps(error))
    assert again == error and again.errors == error.errors
    assert [e.path for e in again.errors] == ["/status", "/body"]
    field = error.errors[1]
    assert field.with_header("X").path == "/body" and field.with_header("X").header == "X"
    assert field != InvalidCallbackField(
        field.message, code=field.code, value=field.value, span=field.span, path="/other"
    )
    assert error.to_dict()["errors"][1]["path"] == "/body"
    assert isinstance(error, ProtocolError) and isinstance(field, ValueError)
    assert "path='/body'" in repr(field)


# --- Building payloads in Python --------------------------------------------------------------


def test_building_a_payload_normalises_what_the_wire_cannot_carry() -> None:
    moment = datetime(2026, 1, 1, 12, 0, 0, 123_456, tzinfo=timezone(timedelta(hours=2)))
    payload = CallbackPayload(status=200, created_at=moment, header=[("x-a", "1"), ("X-A", "2")])
    assert payload.created_at == datetime(2026, 1, 1, 10, 0, 0, 123_000, tzinfo=UTC)
    assert payload.header == {"X-A": "1, 2"}
    assert json.loads(payload.to_json())["createdAt"] == "1767261600123"
    assert parse_callback(payload.to_json()) == payload


@pytest.mark.parametrize(
    "fields",
    [
        {"status": True},
        {"status": 1000},
        {"status": 200, "retried": -1},
        {"status": 200, "created_at": datetime(2026, 1, 1)},
        {"status": 200, "created_at": datetime(1969, 12, 31, tzinfo=UTC)},
        {"status": 200, "created_at": "1701198447054"},
        {"status": 200, "body": "text"},
        {"status": 200, "header": "X: 1"},
        {"status": 200, "header": {"X": 1}},
        {"status": 200, "header": {"X": "\ud800"}},
        {"status": 200, "url": "\ud800"},
        {"status": 200, "url": 5},
        {"status": 200, "unknown": 1},
    ],
)
def test_building_refuses_what_no_payload_holds(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        CallbackPayload(**fields)  # type: ignore[arg-type]


def test_payloads_are_frozen_and_hashable() -> None:
    payload = CallbackPayload(status=200, header={"A": "1"})
    with pytest.raises(ValueError, match="frozen"):
        payload.status = 500  # type: ignore[misc]
    assert hash(payload) == hash(CallbackPayload(status=200, header={"a": "1"}))


# --- Properties ------------------------------------------------------------------------------


@given(ds.callback_payloads())
def test_round_trip_of_the_canonical_form(payload: CallbackPayload) -> None:
    text = payload.to_json()
    assert parse_callback(text) == payload
    assert parse_callback(text).to_json() == text
    assert parse_callback(text.encode()) == payload


@given(ds.failure_callback_payloads())
def test_round_trip_of_failure_payloads(payload: FailureCallbackPayload) -> None:
    assert parse_failure_callback(payload.to_json()) == payload
    if payload.workflow_failure is not None:
        assert json.loads(payload.body)["message"] == payload.workflow_failure.message


@given(ds.callback_documents())
def test_every_spelling_gives_the_same_payload(document: tuple[CallbackPayload, str]) -> None:
    payload, text = document
    assert parse_callback(text) == payload


@given(ds.callback_documents(failure=True))
def test_every_spelling_of_failure_payloads(document: tuple[CallbackPayload, str]) -> None:
    payload, text = document
    assert parse_failure_callback(text) == payload


def test_canonical_form_names_documented_fields_in_documented_order() -> None:
    documented = re.findall(r'^  "(\w+)":', DOCS_FAILURE_CALLBACK, re.MULTILINE)
    payload = FailureCallbackPayload(
        status=400,
        retried=3,
        max_retries=3,
        dlq_id="1725323658779-0",
        source_message_id="m",
        topic_name="t",
        endpoint_name="e",
        url="u",
        method="GET",
        not_before=datetime.now(UTC),
        created_at=datetime.now(UTC),
        schedule_id="s",
        caller_ip="c",
        workflow_run_id="w",
        workflow_created_at=datetime.now(UTC),
    )
    names = list(json.loads(payload.to_json()))
    assert names == [*documented, "workflowRunId", "workflowCreatedAt"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "status",
        "header",
        "body",
        "retried",
        "maxRetries",
        "sourceHeader",
        "sourceBody",
        "notBefore",
        "createdAt",
        "callerIP",
        "callerIp",
        "url",
        "dlqId",
        "workflowCreatedAt",
    ]
)


@given(st.dictionaries(FIELDS, JSON) | JSON)
def test_any_json_gives_a_payload_or_our_error(data: object) -> None:
    text = json.dumps(data)
    for parse in (parse_callback, parse_failure_callback):
        try:
            payload = parse(text)
        except InvalidCallback as error:
            assert error.errors
            assert all(isinstance(e, InvalidCallbackField) for e in error.errors)
            assert all(e.path == "" or e.path.startswith("/") for e in error.errors)
            str(error)
        else:
            assert parse(payload.to_json()) == payload


@given(st.binary(max_size=200) | st.text(max_size=200))
def test_any_input_gives_a_payload_or_our_error(body: bytes | str) -> None:
    try:
        parse_failure_callback(body)
    except InvalidCallback as error:
        assert error.errors


@given(ds.callback_payloads(), st.data())
def test_a_corrupted_field_is_reported_at_its_path(
    payload: CallbackPayload, data: st.DataObject
) -> None:
    document = payload.to_dict()
    name = data.draw(st.sampled_from(["status", "header", "body", "retried", "sourceBody"]))
    document[name] = data.draw(st.sampled_from([[1], "@@", -3, True]))
    try:
        parse_callback(json.dumps(document))
    except InvalidCallback as error:
        assert {e.path.split("/")[1] for e in error.errors} == {name}
    else:  # pragma: no cover - every corruption above is invalid for every field drawn
        raise AssertionError(document)
