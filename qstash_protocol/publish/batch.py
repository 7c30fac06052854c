"""``POST /v2/batch``: a JSON array of messages, each decoded like a publish or enqueue request.

>>> requests = decode_batch(
...     '[{"destination": "https://example.com/a", "headers": {"Upstash-Delay": "5s"},'
...     ' "body": "hi"}, {"destination": "my-group", "queue": "q", "body": null}]'
... )
>>> [(r.kind, str(r.destination), r.body) for r in requests]
[('publish', 'https://example.com/a', 'hi'), ('enqueue', 'my-group', None)]
>>> decode_batch(encode_batch(requests)) == requests
True

Every problem of every item is reported at once, each with the JSON Pointer (RFC 6901) of
where it is:

>>> try:
...     decode_batch('[{"destination": "g"}, {"destination": "g",'
...                  ' "headers": {"Upstash-Delay": "5"}}]')
... except InvalidBatch as err:
...     print(err.pointers[0], err.errors[0].code)
/1/headers/Upstash-Delay duration.missing_unit

Facts
-----
- **The body** (https://upstash.com/docs/qstash/features/batch;
  https://upstash.com/docs/qstash/api-reference/messages/batch-messages): a JSON array; each
  item an object with ``destination`` (required: a URL, a URL-group name, or ``api/...``),
  ``headers`` (an object of strings: "all the headers supported in the single publish API"),
  ``body`` (a string, the raw message) and ``queue`` (a queue name: the item is then enqueued).
  URL, URL-group and queue items may be mixed.
- **What the SDKs send**: qstash-js drops absent keys; qstash-py sends ``"queue": null`` and
  ``"body": null`` (https://github.com/upstash/qstash-py/blob/main/qstash/message.py); qstash-go
  sends ``"queue": ""`` and ``"body": ""``. So ``null`` means absent for ``headers``, ``body`` and
  ``queue``, and so does an empty ``queue`` (an empty queue name means nothing). An empty
  ``body`` is kept as ``""``, ``null`` as ``None``: the round trip keeps what was given.
- **Each item is one message** with the rules of its endpoint: an item with a ``queue`` is an
  enqueue (so ``Upstash-Delay``, ``-Not-Before`` and flow control are refused on it, as on
  ``/v2/enqueue/``, :mod:`qstash_protocol.publish.request`), one without a publish;
  ``Upstash-Cron`` and the other schedule-only headers are refused (a batch creates no
  schedules). With ``limits``, each item's body is measured on its own (its UTF-8 length), as
  the service checks "each batch item ... on its own".
- **Refused**: a body that is not JSON or not UTF-8 (``batch.invalid_json``), not an array
  (``batch.not_an_array``), an item that is not an object (``batch.invalid_item``), a missing
  ``destination`` (``batch.missing_destination``), a field of the wrong JSON type — a number
  where a string is expected, a nested object in ``headers`` (``batch.invalid_type``) — and a
  key other than the four (``batch.unknown_field``): the service's schema has no other field, so
  a misspelt key (``"url"`` for ``"destination"``, as in the SDKs' own options) would be lost.
  Of a key given twice in one object the last wins, as in Go's ``encoding/json`` and Python's
  ``json``.
- **Bounds** (none is documented; each is a named constant): the body at most
  :data:`MAX_BATCH_BODY_SIZE` bytes (100 MiB: the changelog of December 2024 raised batch
  *responses* to "100 MB per REST call"; a request larger than that is not something the
  service answers), at most :data:`MAX_BATCH_ITEMS` items, and JSON nesting of at most
  :data:`MAX_BATCH_NESTING` levels (array, item, headers: anything deeper is a wrong type where
  it appears, ``batch.invalid_type``; nesting too deep for the JSON parser itself is
  ``batch.too_deep``).
- JSON is parsed by the standard library's :mod:`json`; numbers are not converted (no field
  holds one), so huge numbers cost nothing and are reported as wrong types.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final, Literal

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.codec import encode_headers
from qstash_protocol.publish.limits import Limits
from qstash_protocol.publish.options import MessageOptions, trusted_model
from qstash_protocol.publish.request import PublishRequest, _decode_message, _decode_plain
from qstash_protocol.values.names import validate_queue_name
from qstash_protocol.values.urls import Destination, parse_destination

__all__ = [
    "MAX_BATCH_BODY_SIZE",
    "MAX_BATCH_ITEMS",
    "MAX_BATCH_NESTING",
    "InvalidBatch",
    "InvalidBatchBody",
    "decode_batch",
    "encode_batch",
]

#: The largest batch body accepted, in bytes (100 MiB).
MAX_BATCH_BODY_SIZE: Final = 100 * 1024 * 1024
#: The most items a batch may hold. None is documented; 10,000 messages of a few hundred bytes
#: are a few MB, and a workflow's parallel steps are far fewer.
MAX_BATCH_ITEMS: Final = 10_000
#: How deep a valid batch nests: the array, an item, its headers.
MAX_BATCH_NESTING: Final = 3

_FIELDS: Final = ("destination", "headers", "body", "queue")
_KNOWN_FIELDS: Final = frozenset(_FIELDS)
_TEXT: Final = frozenset({str})  # the type of every header value, when all are text


class InvalidBatchBody(ProtocolError):
    """The batch body, or one item's structure, is not what ``/v2/batch`` takes.

    >>> try:
    ...     decode_batch("{}")
    ... except InvalidBatch as err:
    ...     print(err.errors[0].code)
    batch.not_an_array
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "batch.too_large": "the body is larger than MAX_BATCH_BODY_SIZE bytes",
        "batch.invalid_json": "the body is not JSON, or not UTF-8",
        "batch.too_deep": "the JSON nests too deep for the parser",
        "batch.not_an_array": "the body is not a JSON array",
        "batch.too_many_items": "more than MAX_BATCH_ITEMS items",
        "batch.invalid_item": "an item that is not a JSON object",
        "batch.missing_destination": "an item without destination",
        "batch.invalid_type": "a field of the wrong JSON type (a string is expected)",
        "batch.unknown_field": "a key other than destination, headers, body and queue",
    }


class InvalidBatch(ProtocolError):
    """Every problem found in a batch: ``errors``, and the JSON Pointer of each in ``pointers``.

    A pointer names the item and the field (``/3/headers/Upstash-Delay``, ``/0/destination``,
    ``/2``; ``""`` for the whole body); the error itself names the header, value and span as
    :class:`~qstash_protocol.InvalidHeaders` errors do.

    >>> InvalidBatch([], []).to_dict()["errors"]
    []
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "batch.invalid": "one or more problems in the batch (see .errors and .pointers)",
    }

    errors: tuple[ProtocolError, ...]
    pointers: tuple[str, ...]

    def __init__(self, errors: Iterable[ProtocolError], pointers: Iterable[str]) -> None:
        self.errors = tuple(errors)
        self.pointers = tuple(pointers)
        if len(self.errors) != len(self.pointers):
            msg = "InvalidBatch needs one pointer per error"
            raise AssertionError(msg)
        count = len(self.errors)
        summary = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{summary} in the batch", code="batch.invalid")

    def __str__(self) -> str:
        lines = [self.message + ":"]
        for pointer, error in zip(self.pointers, self.errors, strict=True):
            first, *rest = str(error).split("\n")
            lines.append(f"- {pointer or '(body)'}: {first}")
            lines.extend(f"  {line}" for line in rest)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errors, self.pointers))

    def _key(self) -> tuple[Any, ...]:
        return (self.code, self.errors, self.pointers)

    def to_dict(self) -> dict[str, Any]:
        """The error and every problem in it (each with its ``pointer``) as JSON-ready data."""
        return {
            **super().to_dict(),
            "errors": [
                {"pointer": pointer, **error.to_dict()}
                for pointer, error in zip(self.pointers, self.errors, strict=True)
            ],
        }


class _Number:
    """What a JSON number becomes: no field holds one, so it is never converted."""

    __slots__ = ()


_NUMBER: Final = _Number()


def _number(_text: str) -> _Number:
    return _NUMBER


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, _Number):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _body_error(code: str, message: str, text: str, span: tuple[int, int]) -> InvalidBatch:
    return InvalidBatch([InvalidBatchBody(message, code=code, value=text, span=span)], [""])


def _parse(body: bytes | str) -> Any:
    if isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
        if len(raw) > MAX_BATCH_BODY_SIZE:
            raise _body_error(
                "batch.too_large",
                f"a batch body is at most {MAX_BATCH_BODY_SIZE} bytes, got {len(raw)}",
                "",
                (0, 0),
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            shown = raw.decode("utf-8", "replace")
            at = len(raw[: error.start].decode("utf-8", "replace"))
            raise _body_error(
                "batch.invalid_json",
                f"a batch body is UTF-8 JSON; byte {error.start} is not UTF-8",
                shown,
                (at, at + 1),
            ) from None
    elif isinstance(body, str):
        text = body
        if len(text) > MAX_BATCH_BODY_SIZE // 4:
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > MAX_BATCH_BODY_SIZE:
                raise _body_error(
                    "batch.too_large",
                    f"a batch body is at most {MAX_BATCH_BODY_SIZE} bytes, got {size}",
                    "",
                    (0, 0),
                )
    else:
        msg = f"a batch body is bytes or str, not {type(body).__name__}"
        raise TypeError(msg)
    try:
        return json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_number)
    except json.JSONDecodeError as error:
        at = min(error.pos, len(text))
        raise _body_error(
            "batch.invalid_json",
            f"expected a JSON array of messages: {error.msg}",
            text,
            (at, min(at + 1, len(text))),
        ) from None
    except RecursionError:
        raise _body_error(
            "batch.too_deep",
            f"the JSON nests too deep to parse (a batch nests {MAX_BATCH_NESTING} levels)",
            text[:64],
            (0, 0),
        ) from None


def decode_batch(
    body: bytes | str,
    *,
    unknown: Literal["keep", "error"] = "keep",
    limits: Limits | None = None,
) -> list[PublishRequest]:
    """Decode a ``/v2/batch`` body into one :class:`~qstash_protocol.PublishRequest` per item.

    Each item is a publish (``kind="publish"``) or, with a ``queue``, an enqueue, with its
    ``body``; its headers are decoded as :func:`~qstash_protocol.decode_request` decodes a
    request's. With ``limits``, every excess is reported, each item's body size included.

    >>> [r.options.retries for r in decode_batch(b'[{"destination": "g", "headers":'
    ...                                          b' {"upstash-retries": "2"}}]')]
    [2]

    Raises:
        InvalidBatch: with every problem of every item, each with its JSON Pointer.
        TypeError: when ``body`` is neither ``bytes`` nor ``str``.

    """
    document = _parse(body)
    if not isinstance(document, list):
        raise InvalidBatch(
            [
                InvalidBatchBody(
                    f"expected a JSON array of messages, got {_json_type(document)}",
                    code="batch.not_an_array",
                )
            ],
            [""],
        )
    if len(document) > MAX_BATCH_ITEMS:
        raise InvalidBatch(
            [
                InvalidBatchBody(
                    f"a batch holds at most {MAX_BATCH_ITEMS} messages, got {len(document)}",
                    code="batch.too_many_items",
                )
            ],
            [""],
        )
    errors: list[ProtocolError] = []
    pointers: list[str] = []
    requests: list[PublishRequest] = []
    for index, item in enumerate(document):
        request = _decode_item(index, item, errors, pointers, unknown, limits)
        if request is not None:
            requests.append(request)
    if errors:
        raise InvalidBatch(errors, pointers)
    return requests


def _wrong_type(where: str, value: Any, expected: str) -> InvalidBatchBody:
    return InvalidBatchBody(
        f"{where} must be {expected}, got {_json_type(value)}", code="batch.invalid_type"
    )


def _decode_item(
    index: int,
    item: Any,
    errors: list[ProtocolError],
    pointers: list[str],
    unknown: Literal["keep", "error"],
    limits: Limits | None,
) -> PublishRequest | None:
    """Decode one item, appending its problems (and their pointers); ``None`` if it has any."""
    here = f"/{index}"
    if not isinstance(item, dict):
        errors.append(
            InvalidBatchBody(
                f"item {index} must be a JSON object, got {_json_type(item)}",
                code="batch.invalid_item",
            )
        )
        pointers.append(here)
        return None
    count = len(errors)
    for key in () if _KNOWN_FIELDS.issuperset(item) else item:
        if key not in _FIELDS:
            errors.append(
                InvalidBatchBody(
                    f"unknown field {key!r}: an item has destination, headers, body and queue",
                    code="batch.unknown_field",
                    value=key,
                    span=(0, len(key)),
                )
            )
            pointers.append(f"{here}/{_escape(key)}")
    destination: Destination | None = None
    text = item.get("destination")
    if text is None:
        errors.append(
            InvalidBatchBody(
                f"item {index} has no destination (a URL or a URL-group name)",
                code="batch.missing_destination",
            )
        )
        pointers.append(here)
    elif not isinstance(text, str):
        errors.append(_wrong_type("destination", text, "a string"))
        pointers.append(f"{here}/destination")
    else:
        try:
            destination = parse_destination(text)
        except ProtocolError as error:
            errors.append(error)
            pointers.append(f"{here}/destination")
    queue: str | None = None
    queue_text = item.get("queue")
    if queue_text is not None and not isinstance(queue_text, str):
        errors.append(_wrong_type("queue", queue_text, "a string or null"))
        pointers.append(f"{here}/queue")
    elif queue_text:
        try:
            queue = validate_queue_name(queue_text)
        except ProtocolError as error:
            errors.append(error)
            pointers.append(f"{here}/queue")
    body = item.get("body")
    if body is not None and not isinstance(body, str):
        errors.append(_wrong_type("body", body, "a string or null"))
        pointers.append(f"{here}/body")
        body = None
    headers = item.get("headers")
    pairs: list[tuple[str, str]] = []
    given: dict[str, str] | list[tuple[str, str]] = pairs  # what the decoder reads
    if headers is not None and not isinstance(headers, dict):
        errors.append(_wrong_type("headers", headers, "an object of strings"))
        pointers.append(f"{here}/headers")
    elif headers.__class__ is dict and _TEXT.issuperset(map(type, headers.values())):
        given = headers  # every value is text (one look, the common case): read as it is
    elif headers:
        for name, value in headers.items():
            if isinstance(value, str):
                pairs.append((name, value))
            else:
                errors.append(_wrong_type(f"header {name!r}", value, "a string"))
                pointers.append(f"{here}/headers/{_escape(name)}")
    kind: Literal["publish", "enqueue"] = "publish" if queue is None else "enqueue"
    content_length = None
    if limits is not None and body is not None:
        content_length = len(body.encode("utf-8", "surrogatepass"))
    if limits is None:  # no query options in a batch item: the copy-free reading
        plain = _decode_plain(kind, 2, given, unknown)
        assert plain is not None  # a dict, or a list of tuples
        fields, found, _warnings, _ = plain
        problems = [problem for _, problem in found] if found else []
    else:
        if isinstance(given, dict):
            pairs = list(given.items())
        fields, located, _located_warnings, _ = _decode_message(
            kind, 2, pairs, [], unknown=unknown, limits=limits, content_length=content_length
        )
        problems = [problem for _, _, problem in located]
    for problem in problems:
        errors.append(problem)
        if problem.header == "Content-Length":
            pointers.append(f"{here}/body")
        elif problem.header is not None and headers and problem.header in headers:
            pointers.append(f"{here}/headers/{_escape(problem.header)}")
        else:
            pointers.append(f"{here}/headers")
    if len(errors) > count or destination is None or fields is None:
        return None
    # Every part was checked above, and kind and queue agree by construction.
    return trusted_model(
        PublishRequest,
        {
            "kind": kind,
            "destination": destination,
            "queue": queue,
            "options": trusted_model(MessageOptions, fields),
            "body": body,
        },
    )


def encode_batch(requests: Iterable[PublishRequest]) -> bytes:
    """Write requests as a ``/v2/batch`` body (UTF-8 JSON; canonical headers).

    Keys whose value is absent are left out (as qstash-js does), so
    ``decode_batch(encode_batch(x)) == x``.

    >>> encode_batch([PublishRequest(kind="publish", destination="g", options={"retries": 1})])
    b'[{"destination":"g","headers":{"Upstash-Retries":"1"}}]'

    Raises:
        ValueError: for a request a batch cannot carry: a schedule, an API v1 request, or one
            with a query-string token.

    """
    items: list[dict[str, Any]] = []
    for request in requests:
        if request.kind == "schedule" or request.api_version != 2:
            msg = "a batch carries v2 publish and enqueue requests, not schedules or v1 requests"
            raise ValueError(msg)
        if request.qstash_token is not None:
            msg = "a batch item carries no token (the batch request is authenticated as a whole)"
            raise ValueError(msg)
        item: dict[str, Any] = {"destination": str(request.destination)}
        headers = encode_headers(request.options)
        if headers:
            item["headers"] = headers
        if request.body is not None:
            item["body"] = request.body
        if request.queue is not None:
            item["queue"] = request.queue
        items.append(item)
    return json.dumps(items, separators=(",", ":")).encode("ascii")
