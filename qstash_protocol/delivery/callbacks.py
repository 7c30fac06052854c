r"""Callback and failure-callback payloads: the JSON QStash posts to ``Upstash-Callback`` URLs.

>>> payload = parse_callback(
...     '{"status": 200, "header": {"Content-Type": ["text/plain"]}, "body": "b2s=",'
...     ' "retried": 0, "maxRetries": 3, "sourceMessageId": "msg_1",'
...     ' "sourceHeader": {"X-Id": "7"}, "createdAt": "1701198447054"}'
... )
>>> payload.status, payload.body, payload.header["content-type"], payload.source_header["X-Id"]
(200, b'ok', 'text/plain', '7')
>>> payload.created_at
datetime.datetime(2023, 11, 28, 19, 7, 27, 54000, tzinfo=datetime.timezone.utc)

Facts
-----
The rule (https://upstash.com/docs/qstash/features/callbacks): after an attempt to deliver a
message that has an ``Upstash-Callback`` URL, QStash publishes a new message to that URL whose body
is a JSON object describing the attempt and the message; after the last failed attempt it does the
same for ``Upstash-Failure-Callback``. The documented fields: ``status`` (the destination's HTTP
status), ``header`` (its response headers), ``body`` (its response body, base64), ``retried``,
``maxRetries``, ``dlqId`` (failure callbacks), ``sourceMessageId``, ``topicName``,
``endpointName``, ``url``, ``method``, ``sourceHeader`` and ``sourceBody`` (the message's own
headers and base64 body), ``notBefore`` and ``createdAt`` (Unix milliseconds), ``scheduleId`` and
``callerIP``. Upstash Workflow failure callbacks add ``workflowRunId`` and ``workflowCreatedAt``,
and their ``body`` decodes to ``{"error", "message", "stack"}`` (workflow-js ``src/types.ts``
``FailureFunctionPayload``, ``src/workflow-parser.ts`` ``handleFailure``:
https://github.com/upstash/workflow-js/blob/main/src/workflow-parser.ts). No official SDK types
the plain callback payload.

The sources disagree; this module accepts every variant they show and reads them so:

- **Header maps** (``header``, ``sourceHeader``): the docs write ``header`` as a map of lists
  (``{"key": ["value"]}``) and ``sourceHeader`` as a map of strings (``{"key": "value"}``);
  workflow-js types both as maps of lists and its tests send ``header`` as a map of strings. Each
  entry may be either, in either map. They become :class:`~qstash_protocol.Headers`: names in
  canonical case, repeated values joined with ``", "`` (``"; "`` for ``Cookie``) as RFC 9110
  §5.3 allows. A name with an empty list is left out; ``null`` for a whole map is an empty map
  (Go marshals a nil map as ``null``). ``Set-Cookie``, which RFC 9110 says must not be joined, is
  joined all the same: a :class:`~qstash_protocol.Headers` holds one value per name.
- **Times** (``notBefore``, ``createdAt``, ``workflowCreatedAt``): strings of digits in the
  callbacks page, int64 numbers in the OpenAPI ``Message`` (https://github.com/upstash/docs/blob/
  main/qstash/openapi.yaml) and in qstash-js ``skills/advanced/callbacks.md``; both are read as
  Unix milliseconds into aware UTC datetimes. A fraction (``1.5``), a sign, an exponent or an
  empty string is refused (``callback.invalid_timestamp``): Go's ``encoding/json`` refuses
  ``1.5`` for an int64, and no source writes the others. The largest is
  :data:`MAX_TIMESTAMP_MILLISECONDS`, the last millisecond a ``datetime`` holds.
- **callerIP / callerIp**: the callbacks page and the OpenAPI ``Message`` write ``callerIP``;
  qstash-js's ``Message`` type and the OpenAPI ``Schedule`` write ``callerIp``. Either is read;
  both with different values is ``callback.conflict`` (there is no telling which is meant).
- **Missing fields**: only ``status`` is required. workflow-js's own failure-callback tests send
  only ``status``, ``header``, ``body``, ``url``, ``sourceHeader`` and ``sourceBody``. A missing
  ``retried`` is 0 (Go's ``omitempty`` drops a zero, and workflow-py reads
  ``callback_message.get("retried", 0)``: https://github.com/upstash/workflow-py/blob/master/
  upstash_workflow/workflow_requests.py); a missing ``maxRetries`` is ``None`` (unknown), as are
  the missing strings and times; missing bodies are empty.
- **Bodies** are standard base64 with padding (what Go's ``encoding/json`` writes for
  ``[]byte``), decoded with :mod:`base64`. The URL-safe alphabet, missing padding and embedded
  newlines are refused (``callback.invalid_base64``): the server never writes them. The
  callbacks page's own ``sourceBody`` example, ``YmFzZTY0kZWQgcm9keQ==``, is 21 characters long,
  which no base64 text is: it is a typo (the ``body`` example beside it is valid) and is refused.
- **Numbers**: ``status``, ``retried`` and ``maxRetries`` are JSON integers (``200.0`` and
  ``"200"`` are refused, as Go's ``encoding/json`` refuses them for an ``int``). ``status`` is 0
  to 999: three digits (RFC 9110 §15), and 0 because an attempt that got no response (a timeout)
  has no status and the payload's value for it is undocumented. ``retried`` and ``maxRetries``
  are 0 to ``2**31 - 1`` (:data:`~qstash_protocol.MAX_RETRIES`).
- **Strings** (``url``, ``method``, ids, names) are taken as sent, without further syntax
  checks: they describe what the server did, not a request to check. A string holding a lone
  UTF-16 surrogate (``"\ud800"``) is refused (``callback.invalid_string``): it is no Unicode
  text and cannot be written back as UTF-8.
- **Unknown fields** are ignored, so a field the server adds later never breaks a receiver (the
  SDKs destructure the fields they know the same way). A plain callback parsed with
  :func:`parse_callback` ignores ``dlqId`` and the workflow fields.
- **JSON**: the body must be UTF-8 (RFC 8259 §8.1; a byte-order mark is refused, as Go refuses
  it) holding one JSON object. ``NaN``/``Infinity`` (not JSON) and an object with the same name
  twice, where the fields are read (RFC 8259 §4: names "SHOULD be unique", and parsers disagree
  on which one wins: ``callback.duplicate_key``), are refused. Bounds: :data:`MAX_CALLBACK_SIZE`
  bytes (callers with smaller plans may pass a smaller ``max_size``) and
  :data:`MAX_CALLBACK_DEPTH` levels of nesting.
- **Errors**: every problem is collected and reported at once in one :class:`InvalidCallback`,
  each an :class:`InvalidCallbackField` naming its JSON Pointer (RFC 6901) ``path``, such as
  ``/sourceHeader/X-Id/0``.

The canonical form (:meth:`CallbackPayload.to_json`) is what the callbacks page shows: its field
names in its order (``callerIP``), header maps of lists, padded base64 bodies, times as strings of
Unix milliseconds, compact JSON; fields that are ``None`` are left out. So
``parse_callback(p.to_json()) == p`` for every payload ``p``. Times are kept to the millisecond
(the precision of the field): a payload built with microseconds has them truncated.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Final, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

from qstash_protocol.delivery.retry import is_non_retryable, is_success
from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.headers import (
    Headers,
    InvalidHeader,
    canonical_header_name,
    validate_header_name,
    validate_header_value,
)
from qstash_protocol.publish.options import trusted_model
from qstash_protocol.values.small import MAX_RETRIES

__all__ = [
    "MAX_CALLBACK_DEPTH",
    "MAX_CALLBACK_SIZE",
    "MAX_TIMESTAMP_MILLISECONDS",
    "CallbackPayload",
    "FailureCallbackPayload",
    "InvalidCallback",
    "InvalidCallbackField",
    "WorkflowFailure",
    "parse_callback",
    "parse_failure_callback",
]

#: The largest callback body :func:`parse_callback` reads, in bytes (144 MiB): the response body
#: and the message body of the largest plan's 50 MB messages (https://upstash.com/pricing/qstash;
#: the callbacks page: the response body is truncated to the plan's limit), each base64-encoded
#: (4/3 larger), plus room for the headers.
MAX_CALLBACK_SIZE: Final = 144 * 1024 * 1024

#: How deep the JSON may nest (objects and arrays). A payload is 3 deep (the object, a header
#: map, a list of values); the bound leaves room for unknown fields and keeps the parse far from
#: Python's recursion limit.
MAX_CALLBACK_DEPTH: Final = 64

#: The largest time in Unix milliseconds: 9999-12-31T23:59:59.999Z, the last a datetime holds.
MAX_TIMESTAMP_MILLISECONDS: Final = 253_402_300_799_999

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_STATUS: Final = 999
#: Integers longer than this are not parsed into ints (Python refuses 4301 digits and more).
_MAX_INT_DIGITS: Final = 64
#: The most characters of a JSON text shown around a syntax error.
_WINDOW: Final = 40


class InvalidCallbackField(ProtocolError):
    """One problem in a callback payload, at the JSON Pointer ``path`` (``""`` is the whole body).

    >>> err = InvalidCallbackField("expected a string, got 5", code="callback.wrong_type",
    ...                            value="5", path="/sourceHeader/X-Id/0")
    >>> print(err)
    /sourceHeader/X-Id/0: expected a string, got 5
      5

    Copies keep the ``path``, and ``to_dict`` gives it:

    >>> InvalidCallbackField("m", code="callback.wrong_type", path="/a").with_header("H").path
    '/a'
    >>> InvalidCallbackField("m", code="callback.wrong_type", value="a", span=(0, 1),
    ...                      path="/a").shifted(2, "xxa").span
    (2, 3)
    >>> InvalidCallbackField("m", code="callback.missing_field", path="/status").to_dict()
    {'code': 'callback.missing_field', 'message': 'm', 'header': None, 'value': None, 'span': None, 'path': '/status'}
    """  # noqa: E501

    CODES: ClassVar[Mapping[str, str]] = {
        "callback.too_large": "the body is larger than the size bound (MAX_CALLBACK_SIZE)",
        "callback.invalid_utf8": "the body is not UTF-8 text",
        "callback.invalid_json": "the body is not JSON",
        "callback.too_deep": "the JSON nests deeper than MAX_CALLBACK_DEPTH",
        "callback.not_object": "the JSON is not an object",
        "callback.duplicate_key": "an object has the same name twice",
        "callback.missing_field": "a required field is missing",
        "callback.wrong_type": "a field has the wrong JSON type",
        "callback.out_of_range": "a number outside its range",
        "callback.invalid_timestamp": "a time that is not whole Unix milliseconds",
        "callback.invalid_base64": "a body that is not padded standard base64",
        "callback.invalid_header_name": "a header name that is not an RFC 9110 token",
        "callback.invalid_header_value": "a header value with a control character",
        "callback.invalid_string": "a string holding a lone surrogate (not Unicode text)",
        "callback.conflict": "callerIP and callerIp both given, with different values",
    }

    path: str
    _extra_fields: ClassVar[tuple[str, ...]] = ("path",)

    def __init__(
        self,
        message: str,
        *,
        code: str,
        value: str | None = None,
        span: tuple[int, int] | None = None,
        header: str | None = None,
        path: str = "",
    ) -> None:
        super().__init__(message, code=code, value=value, span=span, header=header)
        self.path = path

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.path or '(body)'}: {text}"


class InvalidCallback(ProtocolError):
    """Every problem found in a callback body, in the order of the fields.

    ``errors`` holds one :class:`InvalidCallbackField` per problem, each with its JSON Pointer
    ``path``; ``str()`` lists them all.

    >>> try:
    ...     parse_callback('{"status": "200", "sourceHeader": {"X-Id": [5]}}')
    ... except InvalidCallback as err:
    ...     print(err)
    ...     print([e.path for e in err.errors])
    2 problems in the callback body:
    - /status: expected an integer HTTP status, got the string "200"
        "200"
    - /sourceHeader/X-Id/0: expected a string header value, got the number 5
        5
    ['/status', '/sourceHeader/X-Id/0']
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "callback.invalid": "one or more problems in a callback body (see .errors)",
    }

    errors: tuple[InvalidCallbackField, ...]

    def __init__(self, errors: Iterable[InvalidCallbackField]) -> None:
        self.errors = tuple(errors)
        count = len(self.errors)
        summary = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{summary} in the callback body", code="callback.invalid")

    def __str__(self) -> str:
        lines = [self.message + ":"]
        for error in self.errors:
            first, *rest = str(error).split("\n")
            lines.append(f"- {first}")
            lines.extend(f"  {line}" for line in rest)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errors,))

    def _key(self) -> tuple[Any, ...]:
        return (self.code, self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The error and every problem in it as JSON-ready data.

        >>> InvalidCallback([]).to_dict()["errors"]
        []
        """
        return {**super().to_dict(), "errors": [error.to_dict() for error in self.errors]}


# --- Validators shared by the models and the parser ------------------------------------------


def _check_text(value: str, what: str) -> str:
    """``value`` if it is UTF-8-encodable text (no lone surrogates); ``ValueError`` if not."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            msg = f"{what} holds a lone surrogate {value[error.start]!r}, which is not Unicode text"
            raise ValueError(msg) from None
    return value


def _to_headers(value: Any) -> Headers:
    if isinstance(value, Headers):
        return value
    if isinstance(value, Mapping) or (
        isinstance(value, Iterable) and not isinstance(value, str | bytes)
    ):
        try:
            headers = Headers(value)
        except TypeError as error:
            raise ValueError(str(error)) from None
        for name, text in headers.items():
            _check_text(text, f"the value of {name}")
        return headers
    msg = f"expected a header mapping or (name, value) pairs, got {type(value).__name__}"
    raise ValueError(msg)


def _header_lists(headers: Headers) -> dict[str, list[str]]:
    return {name: [value] for name, value in headers.items()}


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    msg = f"expected bytes, got {type(value).__name__}"
    raise ValueError(msg)


def _base64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _to_count(limit: int, what: str) -> Callable[[Any], int]:
    def validate(value: Any) -> int:
        if type(value) is not int:
            msg = f"expected {what} as an int, got {type(value).__name__}"
            raise ValueError(msg)
        if not 0 <= value <= limit:
            msg = f"{what} must be from 0 to {limit}, got {value}"
            raise ValueError(msg)
        return value

    return validate


def _to_moment(value: Any) -> datetime:
    if not isinstance(value, datetime):
        msg = f"expected an aware datetime, got {type(value).__name__}"
        raise ValueError(msg)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = "expected an aware datetime (a naive one has no fixed instant)"
        raise ValueError(msg)
    milliseconds = (value - _EPOCH) // timedelta(milliseconds=1)
    if milliseconds < 0:
        msg = f"a time before 1970 has no Unix milliseconds: {value.isoformat()}"
        raise ValueError(msg)
    return _EPOCH + timedelta(milliseconds=milliseconds)


def _milliseconds(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(milliseconds=1)


def _millisecond_text(value: datetime) -> str:
    return str(_milliseconds(value))


def _to_text(value: Any) -> str:
    if isinstance(value, str):
        return _check_text(str(value), "the string")
    msg = f"expected a str, got {type(value).__name__}"
    raise ValueError(msg)


_STRING_SCHEMA: Final = WithJsonSchema({"type": "string"})
HeaderLists = Annotated[
    Headers,
    PlainValidator(_to_headers),
    PlainSerializer(_header_lists, return_type=dict[str, list[str]]),
    WithJsonSchema(
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    ),
]
Base64Body = Annotated[
    bytes,
    PlainValidator(_to_bytes),
    PlainSerializer(_base64, return_type=str),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]
Status = Annotated[
    int, PlainValidator(_to_count(_MAX_STATUS, "status")), WithJsonSchema({"type": "integer"})
]
Count = Annotated[
    int,
    PlainValidator(_to_count(MAX_RETRIES, "a retry count")),
    WithJsonSchema({"type": "integer"}),
]
UnixMilliseconds = Annotated[
    datetime,
    PlainValidator(_to_moment),
    PlainSerializer(_millisecond_text, return_type=str),
    _STRING_SCHEMA,
]
Text = Annotated[str, PlainValidator(_to_text), _STRING_SCHEMA]

_EMPTY_HEADERS: Final = Headers()
_MODEL_CONFIG: Final = ConfigDict(frozen=True, extra="forbid", validate_default=False)


class WorkflowFailure(BaseModel):
    """What an Upstash Workflow failure callback's ``body`` holds: the error that failed the run.

    workflow-js ``FailureFunctionPayload`` (``src/types.ts``), built by ``formatWorkflowError``
    (``src/error.ts``): the error's name, its message and, when known, its stack.

    >>> WorkflowFailure(error="WorkflowError", message="boom").stack is None
    True
    """

    model_config = _MODEL_CONFIG

    error: Text
    message: Text
    stack: Text | None = None


class CallbackPayload(BaseModel):
    """The JSON body QStash posts to a callback URL after an attempt, decoded.

    Bodies are ``bytes``, header maps :class:`~qstash_protocol.Headers`, times aware UTC
    datetimes (to the millisecond). Build one to send it (a server), or get one from
    :func:`parse_callback` (a receiver); :meth:`to_json` writes the canonical JSON.

    >>> payload = CallbackPayload(status=503, body=b"busy", retried=1, max_retries=3,
    ...                           header={"Retry-After": "10"})
    >>> print(payload.to_json())
    {"status":503,"header":{"Retry-After":["10"]},"body":"YnVzeQ==","retried":1,"maxRetries":3,"sourceHeader":{},"sourceBody":""}
    >>> parse_callback(payload.to_json()) == payload
    True
    """

    model_config = _MODEL_CONFIG

    #: The destination's HTTP status for this attempt.
    status: Status
    #: The destination's response headers.
    header: HeaderLists = _EMPTY_HEADERS
    #: The destination's response body (truncated by QStash to the plan's message size).
    body: Base64Body = b""
    #: How many times the message had been retried before this attempt (0 on the first).
    retried: Count = 0
    #: The message's retries; ``None`` when the payload does not say.
    max_retries: Count | None = None
    source_message_id: Text | None = None
    topic_name: Text | None = None
    endpoint_name: Text | None = None
    url: Text | None = None
    method: Text | None = None
    #: The headers of the message that was delivered.
    source_header: HeaderLists = _EMPTY_HEADERS
    #: The body of the message that was delivered.
    source_body: Base64Body = b""
    not_before: UnixMilliseconds | None = None
    created_at: UnixMilliseconds | None = None
    schedule_id: Text | None = None
    caller_ip: Text | None = None

    #: (JSON name, field name) in the canonical order: the callbacks page's.
    _JSON_FIELDS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("status", "status"),
        ("header", "header"),
        ("body", "body"),
        ("retried", "retried"),
        ("maxRetries", "max_retries"),
        ("sourceMessageId", "source_message_id"),
        ("topicName", "topic_name"),
        ("endpointName", "endpoint_name"),
        ("url", "url"),
        ("method", "method"),
        ("sourceHeader", "source_header"),
        ("sourceBody", "source_body"),
        ("notBefore", "not_before"),
        ("createdAt", "created_at"),
        ("scheduleId", "schedule_id"),
        ("callerIP", "caller_ip"),
    )

    @property
    def is_final(self) -> bool:
        """Whether this is the last callback for the message: no retry follows this attempt.

        True for a 2xx status, for a non-retryable answer (status 489 with
        ``Upstash-NonRetryable-Error: true``), and when ``retried`` has reached ``maxRetries``
        ("You can assert that retries are exhausted via ``retried == maxRetries``", the
        callbacks page). Without ``maxRetries`` it is true, as workflow-py reads it.

        >>> CallbackPayload(status=500, retried=1, max_retries=3).is_final
        False
        >>> CallbackPayload(status=500, retried=3, max_retries=3).is_final
        True
        """
        if is_success(self.status) or is_non_retryable(self.status, self.header):
            return True
        return self.max_retries is None or self.retried >= self.max_retries

    def to_json(self) -> str:
        """The canonical JSON a server sends (see the module docstring).

        >>> CallbackPayload(status=200, source_header={"x-id": "1"}).to_json()
        '{"status":200,"header":{},"body":"","retried":0,"sourceHeader":{"X-Id":["1"]},"sourceBody":""}'
        """
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON object as plain data (what :meth:`to_json` writes).

        >>> CallbackPayload(status=200, body=bytes(1)).to_dict()["body"]
        'AA=='
        """
        data = self.model_dump(mode="json")
        return {
            json_name: data[field]
            for json_name, field in self._JSON_FIELDS
            if data[field] is not None
        }


class FailureCallbackPayload(CallbackPayload):
    """The JSON body QStash posts to a failure-callback URL after the last failed attempt.

    A :class:`CallbackPayload` with the DLQ id of the message and, for Upstash Workflow runs,
    the run's id and creation time; :attr:`workflow_failure` reads the error a workflow's body
    holds.

    >>> failure = parse_failure_callback(
    ...     '{"status": 489, "body": "eyJlcnJvciI6IkUiLCJtZXNzYWdlIjoibm8ifQ==",'
    ...     ' "retried": 1, "maxRetries": 3, "dlqId": "1725323658779-0",'
    ...     ' "workflowRunId": "wfr_1", "workflowCreatedAt": 1701198447054}'
    ... )
    >>> failure.dlq_id, failure.workflow_failure.message, failure.workflow_created_at.year
    ('1725323658779-0', 'no', 2023)
    """

    #: The id of the message in the dead-letter queue (to retry or delete it there).
    dlq_id: Text | None = None
    workflow_run_id: Text | None = None
    workflow_created_at: UnixMilliseconds | None = None

    _JSON_FIELDS: ClassVar[tuple[tuple[str, str], ...]] = (
        *CallbackPayload._JSON_FIELDS[:5],
        ("dlqId", "dlq_id"),
        *CallbackPayload._JSON_FIELDS[5:],
        ("workflowRunId", "workflow_run_id"),
        ("workflowCreatedAt", "workflow_created_at"),
    )

    @property
    def workflow_failure(self) -> WorkflowFailure | None:
        """The ``{error, message, stack}`` object the body holds, or ``None`` if it holds none.

        >>> FailureCallbackPayload(status=500, body=b"plain text").workflow_failure is None
        True
        """
        try:
            data = json.loads(self.body.decode("utf-8"), parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        error, message, stack = data.get("error"), data.get("message"), data.get("stack")
        if not (isinstance(error, str) and isinstance(message, str)):
            return None
        try:
            return WorkflowFailure(
                error=error, message=message, stack=stack if isinstance(stack, str) else None
            )
        except ValueError:
            return None


# --- Parsing ---------------------------------------------------------------------------------


class _Object(dict[str, Any]):
    """A JSON object that remembers the names it had more than once."""

    __slots__ = ("duplicates",)

    duplicates: tuple[str, ...]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    duplicates: list[str] = []
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen and name not in duplicates:
                duplicates.append(name)
            seen.add(name)
    result.duplicates = tuple(duplicates)
    return result


class _Huge:
    """An integer literal too long to hold (kept as text, reported as out of range)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _integer(text: str) -> int | _Huge:
    return int(text) if len(text) <= _MAX_INT_DIGITS else _Huge(text)


def _refuse_constant(name: str) -> None:
    msg = f"{name} is not JSON (RFC 8259 has no NaN or Infinity)"
    raise ValueError(msg)


def _pointer(*parts: str | int) -> str:
    """A JSON Pointer (RFC 6901): ``~`` and ``/`` in names escaped as ``~0`` and ``~1``."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int | float | _Huge):
        return f"the number {_json_text(value)}"
    if isinstance(value, str):
        return f"the string {_json_text(value)}"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _json_text(value: Any) -> str:
    if isinstance(value, _Huge):
        return value.text
    if isinstance(value, list | dict):
        return ""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def _shown(value: Any) -> str | None:
    """The value an error shows: scalars as JSON text, containers not at all."""
    return None if isinstance(value, list | dict) else _json_text(value)


class _Reader:
    """Reads the fields of one payload object, collecting every problem."""

    def __init__(self, data: _Object) -> None:
        self.data = data
        self.problems: list[InvalidCallbackField] = []

    def fail(
        self,
        code: str,
        message: str,
        where: tuple[str | int, ...],
        value: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> None:
        self.problems.append(
            InvalidCallbackField(message, code=code, value=value, span=span, path=_pointer(*where))
        )

    def duplicates(self, obj: _Object, *parts: str) -> None:
        for name in obj.duplicates:
            self.fail(
                "callback.duplicate_key",
                f"the name {name!r} appears more than once in this object; JSON parsers disagree "
                "on which value wins",
                (*parts, name),
            )

    def integer(self, name: str, what: str, limit: int) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        path = (name,)
        if type(value) is not int:
            if isinstance(value, _Huge):
                self.fail(
                    "callback.out_of_range",
                    f"{what} must be from 0 to {limit}",
                    path,
                    _shown(value),
                )
            else:
                self.fail(
                    "callback.wrong_type",
                    f"expected an integer {what}, got {_describe(value)}",
                    path,
                    _shown(value),
                )
            return None
        if not 0 <= value <= limit:
            self.fail(
                "callback.out_of_range",
                f"{what} must be from 0 to {limit}, got {value}",
                path,
                _shown(value),
            )
            return None
        return value

    def text(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None:
            return None
        return self.string(value, (name,), "a string")

    def string(self, value: Any, path: tuple[str | int, ...], what: str) -> str | None:
        if not isinstance(value, str):
            self.fail(
                "callback.wrong_type",
                f"expected {what}, got {_describe(value)}",
                path,
                _shown(value),
            )
            return None
        try:
            return _check_text(value, "the string")
        except ValueError as error:
            self.fail("callback.invalid_string", str(error), path)
            return None

    def moment(self, name: str) -> datetime | None:
        value = self.data.get(name)
        if value is None:
            return None
        path = (name,)
        digits: str
        if type(value) is int:
            digits = str(value)
        elif isinstance(value, str) and value.isascii() and value.isdigit():
            digits = value
        else:
            shown = _shown(value)
            self.fail(
                "callback.invalid_timestamp",
                "expected Unix milliseconds as a whole "
                f"number or a string of digits, such as 1701198447054, got "
                f"{_describe(value)}",
                path,
                shown,
                None if shown is None else (0, len(shown)),
            )
            return None
        if len(digits) > _MAX_INT_DIGITS or int(digits) > MAX_TIMESTAMP_MILLISECONDS:
            self.fail(
                "callback.out_of_range",
                "a time must be at most "
                f"{MAX_TIMESTAMP_MILLISECONDS} ms (9999-12-31T23:59:59.999Z)",
                path,
                _shown(value),
            )
            return None
        if int(digits) < 0:
            self.fail(
                "callback.invalid_timestamp",
                "a time before 1970 has no meaning here",
                path,
                _shown(value),
            )
            return None
        return _EPOCH + timedelta(milliseconds=int(digits))

    def body(self, name: str) -> bytes:
        value = self.data.get(name)
        if value is None:
            return b""
        path = (name,)
        text = self.string(value, path, "a base64 string")
        if text is None:
            return b""
        try:
            return binascii.a2b_base64(text, strict_mode=True)
        except (binascii.Error, ValueError):  # ValueError: non-ASCII text
            message, span = _base64_problem(text)
            self.fail("callback.invalid_base64", message, path, text, span)
            return b""

    def headers(self, name: str) -> Headers:
        value = self.data.get(name)
        if value is None:
            return _EMPTY_HEADERS
        if not isinstance(value, dict):
            self.fail(
                "callback.wrong_type",
                "expected an object of header names to a list of "
                f"values (or to a value), got {_describe(value)}",
                (name,),
                _shown(value),
            )
            return _EMPTY_HEADERS
        if isinstance(value, _Object):
            self.duplicates(value, name)
        pairs: list[tuple[str, str]] = []
        for header, values in value.items():
            problems = len(self.problems)
            canonical = _canonical_names.get(header)
            if canonical is None:
                try:
                    canonical = _canonical_name(header)
                except InvalidHeader as error:
                    self.fail(
                        "callback.invalid_header_name",
                        error.message,
                        (name, header),
                        error.value,
                        error.span,
                    )
            items: list[tuple[tuple[str | int, ...], Any]]
            if isinstance(values, list):
                items = [((name, header, index), item) for index, item in enumerate(values)]
            elif isinstance(values, str):
                items = [((name, header), values)]
            else:
                self.fail(
                    "callback.wrong_type",
                    f"expected a list of string values or a string, got {_describe(values)}",
                    (name, header),
                    _shown(values),
                )
                continue
            checked: list[str] = []
            for path, item in items:
                text = self.string(item, path, "a string header value")
                if text is None:
                    continue
                try:
                    checked.append(validate_header_value(text))
                except InvalidHeader as error:
                    self.fail(
                        "callback.invalid_header_value",
                        error.message,
                        path,
                        error.value,
                        error.span,
                    )
            if canonical is not None and len(self.problems) == problems:
                pairs.extend((canonical, text) for text in checked)
        return Headers._trusted(pairs)  # names and values checked above


#: Header names seen, and their canonical form (a receiver sees the same few names all day).
_canonical_names: dict[str, str] = {}
_NAMES_CACHED: Final = 1024
_LONGEST_CACHED: Final = 256


def _canonical_name(name: str) -> str:
    canonical = canonical_header_name(validate_header_name(name))
    if len(name) <= _LONGEST_CACHED:  # so the cache holds at most 1024 x 256 characters
        if len(_canonical_names) >= _NAMES_CACHED:
            _canonical_names.clear()
        _canonical_names[name] = canonical
    return canonical


_BASE64_CHAR: Final = re.compile(r"[^A-Za-z0-9+/=]")


def _base64_problem(text: str) -> tuple[str, tuple[int, int]]:
    """Why ``text``, which the strict decoder refused, is not padded standard base64."""
    bad = _BASE64_CHAR.search(text)
    if bad is not None:
        char = bad.group()
        hint = " (the URL-safe alphabet; QStash writes standard base64)" if char in "-_" else ""
        return f"invalid character {char!r} in base64{hint}", (bad.start(), bad.end())
    if len(text) % 4:
        return (
            f"base64 text is a multiple of 4 characters long (padded with '='), got {len(text)}",
            (0, len(text)),
        )
    padding = text.find("=")
    return "'=' may only pad the end of base64 text", (padding, padding + 1)


def _json_problem(text: str, error: json.JSONDecodeError) -> InvalidCallbackField:
    start = max(0, error.pos - _WINDOW)
    window = text[start : error.pos + _WINDOW]
    at = error.pos - start
    return InvalidCallbackField(
        f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})",
        code="callback.invalid_json",
        value=window,
        span=(at, min(at + 1, len(window))),
    )


def _too_deep(data: Any) -> bool:
    """Whether ``data`` nests deeper than :data:`MAX_CALLBACK_DEPTH` (iteratively)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_CALLBACK_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _load(body: bytes | str, max_size: int) -> _Object:
    """The JSON object of a callback body, or :class:`InvalidCallback` with the reason."""
    if isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
        if len(raw) > max_size:
            raise InvalidCallback([_too_large(len(raw), max_size, "bytes")])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidCallback(
                [
                    InvalidCallbackField(
                        f"the body is not UTF-8 (RFC 8259 §8.1): byte {error.start} is "
                        f"0x{raw[error.start]:02x}",
                        code="callback.invalid_utf8",
                    )
                ]
            ) from None
    elif isinstance(body, str):
        text = str(body)
        if len(text) > max_size:
            raise InvalidCallback([_too_large(len(text), max_size, "characters")])
    else:
        msg = f"a callback body must be bytes or str, not {type(body).__name__}"
        raise TypeError(msg)
    try:
        data = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        raise InvalidCallback([_json_problem(text, error)]) from None
    except ValueError as error:  # NaN / Infinity
        raise InvalidCallback(
            [InvalidCallbackField(f"not JSON: {error}", code="callback.invalid_json")]
        ) from None
    except RecursionError:
        data = None
        deep = True
    else:
        # Only a text with that many brackets can nest that deep (a quick count, in C).
        deep = text.count("{") + text.count("[") > MAX_CALLBACK_DEPTH and _too_deep(data)
    if deep:
        raise InvalidCallback(
            [
                InvalidCallbackField(
                    f"the JSON nests deeper than {MAX_CALLBACK_DEPTH} levels",
                    code="callback.too_deep",
                )
            ]
        )
    if not isinstance(data, _Object):
        raise InvalidCallback(
            [
                InvalidCallbackField(
                    f"expected a JSON object, got {_describe(data)}",
                    code="callback.not_object",
                    value=_shown(data),
                )
            ]
        )
    return data


_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_object, parse_int=_integer, parse_constant=_refuse_constant
)


def _too_large(size: int, max_size: int, unit: str) -> InvalidCallbackField:
    return InvalidCallbackField(
        f"the body is {size} {unit}, more than the {max_size} this parser reads",
        code="callback.too_large",
    )


def _read_common(reader: _Reader) -> dict[str, Any]:
    data = reader.data
    reader.duplicates(data)
    fields: dict[str, Any] = {}
    status = reader.integer("status", "HTTP status", _MAX_STATUS)
    if "status" not in data or data["status"] is None:
        reader.fail("callback.missing_field", "the field 'status' is required", ("status",))
    fields["status"] = status
    fields["header"] = reader.headers("header")
    fields["body"] = reader.body("body")
    retried = reader.integer("retried", "retried count", MAX_RETRIES)
    fields["retried"] = 0 if retried is None else retried
    fields["max_retries"] = reader.integer("maxRetries", "maxRetries count", MAX_RETRIES)
    for json_name, field in (
        ("sourceMessageId", "source_message_id"),
        ("topicName", "topic_name"),
        ("endpointName", "endpoint_name"),
        ("url", "url"),
        ("method", "method"),
    ):
        fields[field] = reader.text(json_name)
    fields["source_header"] = reader.headers("sourceHeader")
    fields["source_body"] = reader.body("sourceBody")
    fields["not_before"] = reader.moment("notBefore")
    fields["created_at"] = reader.moment("createdAt")
    fields["schedule_id"] = reader.text("scheduleId")
    upper, lower = reader.text("callerIP"), reader.text("callerIp")
    if upper is not None and lower is not None and upper != lower:
        reader.fail(
            "callback.conflict",
            f"callerIP is {upper!r} but callerIp is {lower!r}; a payload names one caller",
            ("callerIp",),
            lower,
            (0, len(lower)),
        )
    fields["caller_ip"] = upper if upper is not None else lower
    return fields


_P = TypeVar("_P", bound=CallbackPayload)


def _build(cls: type[_P], fields: dict[str, Any], reader: _Reader) -> _P:
    if reader.problems:
        raise InvalidCallback(reader.problems)
    # Every value was checked by the reader with the models' own rules: build without
    # validating again (the same object the constructor builds, equal and with the same hash).
    return trusted_model(cls, fields)


def parse_callback(body: bytes | str, *, max_size: int = MAX_CALLBACK_SIZE) -> CallbackPayload:
    """Parse the JSON body of a callback request into a :class:`CallbackPayload`.

    Every variant the sources show is accepted (see the module docstring); every problem is
    reported at once.

    >>> payload = parse_callback(b'{"status": 500, "header": {"x-a": "1"}, "callerIp": "::1"}')
    >>> payload.header, payload.caller_ip, payload.max_retries
    (Headers({'X-A': '1'}), '::1', None)
    >>> parse_callback('{"status": 200, "body": "not base64!"}')
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidCallback: 1 problem in the callback body:
    - /body: invalid character ' ' in base64
        not base64!
           ^

    Raises:
        InvalidCallback: with one :class:`InvalidCallbackField` per problem.
        TypeError: ``body`` is neither ``bytes`` nor ``str``.

    """
    reader = _Reader(_load(body, max_size))
    return _build(CallbackPayload, _read_common(reader), reader)


def parse_failure_callback(
    body: bytes | str, *, max_size: int = MAX_CALLBACK_SIZE
) -> FailureCallbackPayload:
    """Parse the JSON body of a failure-callback request into a :class:`FailureCallbackPayload`.

    As :func:`parse_callback`, plus ``dlqId`` and the workflow fields.

    >>> parse_failure_callback('{"status": 500, "retried": 3, "maxRetries": 3, "dlqId": "1-0"}').dlq_id
    '1-0'

    Raises:
        InvalidCallback: with one :class:`InvalidCallbackField` per problem.
        TypeError: ``body`` is neither ``bytes`` nor ``str``.

    """  # noqa: E501
    reader = _Reader(_load(body, max_size))
    fields = _read_common(reader)
    fields["dlq_id"] = reader.text("dlqId")
    fields["workflow_run_id"] = reader.text("workflowRunId")
    fields["workflow_created_at"] = reader.moment("workflowCreatedAt")
    return _build(FailureCallbackPayload, fields, reader)
