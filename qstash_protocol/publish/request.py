"""A whole publish, enqueue or schedule-create request: its path and its headers.

>>> request = decode_request(
...     "/v2/enqueue/orders/https://example.com/api?x=1",
...     {"Upstash-Retries": "2"},
... )
>>> request.kind, request.queue, str(request.destination), request.options.retries
('enqueue', 'orders', 'https://example.com/api?x=1', 2)
>>> request.path
'/v2/enqueue/orders/https://example.com/api?x=1'

Facts
-----
- Paths (the OpenAPI document behind
  https://upstash.com/docs/qstash/api-reference/messages/publish-a-message):
  ``/v2/publish/{destination}``, ``/v2/enqueue/{queueName}/{destination}`` and
  ``/v2/schedules/{destination}``. The SDKs put the destination into the path raw, with its own
  path and query (``/v2/publish/https://example.com/api?x=1&y=2``), so everything after the
  prefix (and after the queue name) is the destination, query included. A destination sent
  percent-encoded (``https%3A%2F%2Fexample.com``) is decoded once. Another path, or one without
  a queue or a destination, has no meaning here (``request.unknown_endpoint``,
  ``request.missing_queue``, ``request.missing_destination``).
- **Enqueue and Delay / Not-Before** are refused (``request.not_on_enqueue``): qstash-py removed
  them from ``enqueue`` because "it is not supported by the server, and the users get an
  immediate error from the server" (https://github.com/upstash/qstash-py/pull/28), and the
  documentation dropped them (https://github.com/upstash/docs/pull/225, "It is not possible to
  use delay and not before in enqueue endpoint").
- **Enqueue and flow control** is a warning (``request.flow_control_on_enqueue``): qstash-js
  says it is "not available for queues" (https://github.com/upstash/qstash-js/pull/223) and the
  enqueue section of the API reference omits it, but the JS SDK still sends it and no refusal of
  the service is known.
- **Schedules** need ``Upstash-Cron`` (``request.missing_cron``): the service answers a schedule
  without one with ``Invalid cron expression empty spec string``
  (https://github.com/upstash/qstash-js/pull/50). ``Upstash-Cron``, ``Upstash-Schedule-Id`` and
  ``Upstash-Queue-Name`` only mean something when creating a schedule (v2 moved schedules out of
  ``/v2/publish``; an enqueue names its queue in the path); elsewhere they are a warning
  (``request.schedule_only``): no refusal is known.
- Every problem, in the path or in the headers, is reported together in one
  :class:`~qstash_protocol.InvalidHeaders`; with ``strict=True`` the warnings too
  (:func:`~qstash_protocol.lint_request` lists both). The evidence for every code is in
  ``docs/protocol/verdicts.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import islice
from typing import Annotated, Any, ClassVar, Final, Literal, Required, TypedDict, Unpack
from urllib.parse import unquote

from pydantic import ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.codec import InvalidHeaders, _pairs, decode_fields, encode_headers
from qstash_protocol.publish.findings import Finding
from qstash_protocol.publish.headers import MAX_HEADERS, header_text
from qstash_protocol.publish.options import (
    MessageOptions,
    MessageOptionsInput,
    _Model,
    _validating_init,
    trusted_model,
)
from qstash_protocol.values.names import validate_queue_name
from qstash_protocol.values.urls import Destination, parse_destination

__all__ = [
    "InvalidRequest",
    "PublishRequest",
    "PublishRequestInput",
    "decode_request",
    "request_with_findings",
]

_PUBLISH: Final = "/v2/publish/"
_ENQUEUE: Final = "/v2/enqueue/"
_SCHEDULES: Final = "/v2/schedules/"
#: Settings that only mean something on a schedule-create request.
_SCHEDULE_ONLY: Final = ("upstash-cron", "upstash-schedule-id", "upstash-queue-name")
#: Settings the service refuses on enqueue, by header name.
_NOT_ON_ENQUEUE: Final = ("upstash-delay", "upstash-not-before")


class InvalidRequest(ProtocolError):
    """The request's path is not a publish or enqueue path, or a header does not fit it.

    >>> try:
    ...     decode_request("/v2/messages/x", {})
    ... except InvalidHeaders as err:
    ...     print(err.errors[0].code)
    request.unknown_endpoint
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "request.unknown_endpoint": "not a /v2/publish/, /v2/enqueue/ or /v2/schedules/ path",
        "request.missing_destination": "no destination after the prefix (or the queue name)",
        "request.missing_queue": "no queue name in an enqueue path",
        "request.not_on_enqueue": "Delay or Not-Before on an enqueue request",
        "request.missing_cron": "a schedule request without Upstash-Cron",
        "request.queue_mismatch": "a PublishRequest with a queue that is not an enqueue, or the "
        "reverse",
    }


def _destination(value: Any) -> Destination:
    if isinstance(value, Destination):
        return value
    if isinstance(value, str):
        return parse_destination(value)
    msg = f"expected a Destination or its text, got {type(value).__name__}"
    raise TypeError(msg)


def _queue(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return validate_queue_name(value)
    msg = f"expected a queue name, got {type(value).__name__}"
    raise TypeError(msg)


DestinationField = Annotated[
    Destination,
    PlainValidator(_destination),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string"}),
]


class PublishRequestInput(TypedDict, total=False):
    """What :class:`PublishRequest` accepts (``kind`` and ``destination`` required)."""

    kind: Required[Literal["publish", "enqueue", "schedule"]]
    destination: Required[Destination | str]
    queue: str | None
    options: MessageOptions | MessageOptionsInput


class PublishRequest(_Model):
    """A decoded publish or enqueue request.

    >>> PublishRequest(kind="publish", destination="my-group").path
    '/v2/publish/my-group'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["publish", "enqueue", "schedule"]
    destination: DestinationField
    queue: Annotated[str | None, PlainValidator(_queue)] = None
    options: MessageOptions = MessageOptions()

    @_validating_init
    def __init__(self, **data: Unpack[PublishRequestInput]) -> None:
        super().__init__(**data)

    def model_post_init(self, _context: Any, /) -> None:
        """Check that ``queue`` is given exactly for enqueue requests."""
        if (self.kind == "enqueue") != (self.queue is not None):
            msg = "an enqueue request has a queue name, and a publish request has none"
            raise InvalidRequest(msg, code="request.queue_mismatch")

    @property
    def path(self) -> str:
        """The request path, destination raw as the SDKs send it."""
        if self.kind == "enqueue":
            return f"{_ENQUEUE}{self.queue}/{self.destination}"
        if self.kind == "schedule":
            return f"{_SCHEDULES}{self.destination}"
        return f"{_PUBLISH}{self.destination}"

    def headers(self) -> dict[str, str]:
        """The canonical headers of the request (:func:`~qstash_protocol.encode_headers`).

        >>> PublishRequest(kind="publish", destination="g", options={"retries": 1}).headers()
        {'Upstash-Retries': '1'}
        """
        return encode_headers(self.options)


def decode_request(
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"] = "keep",
    strict: bool = False,
) -> PublishRequest:
    """Decode a publish, enqueue or schedule-create request from its path and headers.

    Only what the service refuses raises; with ``strict=True`` the warnings
    (:func:`~qstash_protocol.lint_request`) raise too.

    >>> decode_request("/v2/publish/https://example.com", {}).destination.kind
    'url'
    >>> decode_request("/v2/publish/g", {"Upstash-Cron": "* * * * *"}).options.cron
    '* * * * *'

    Raises:
        InvalidHeaders: with every problem in the path and in the headers.

    """
    request, errors, warnings = _request(path, headers, unknown)
    if strict:
        errors.extend(warnings)
    if errors:
        errors.sort(key=lambda item: item[0])
        raise InvalidHeaders(error for _, error in errors)
    assert request is not None
    return request


def request_with_findings(
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"] = "keep",
) -> tuple[PublishRequest | None, list[Finding]]:
    """The decoded request (``None`` if there are errors) and every finding, in order.

    >>> request, found = request_with_findings("/v2/publish/g", {"Upstash-Queue-Name": "q"})
    >>> request.kind, [f.code for f in found]
    ('publish', ['request.schedule_only'])
    """
    request, errors, warnings = _request(path, headers, unknown)
    everything = [(index, Finding.from_error(error)) for index, error in errors] + warnings
    everything.sort(key=lambda item: item[0])
    return (None if errors else request), [finding for _, finding in everything]


def _request(
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    unknown: Literal["keep", "error"],
) -> tuple[PublishRequest | None, list[tuple[int, ProtocolError]], list[tuple[int, Finding]]]:
    """The request, its errors and its warnings, each by position (-1: the path)."""
    if not isinstance(path, str):
        msg = f"path must be a str, got {type(path).__name__}"
        raise TypeError(msg)
    errors: list[ProtocolError] = []
    kind: Literal["publish", "enqueue", "schedule"] = "publish"
    queue: str | None = None
    destination: Destination | None = None
    rest = ""
    if path.startswith(_PUBLISH):
        rest = path[len(_PUBLISH) :]
    elif path.startswith(_SCHEDULES):
        kind = "schedule"
        rest = path[len(_SCHEDULES) :]
    elif path.startswith(_ENQUEUE):
        kind = "enqueue"
        queue_text, slash, rest = path[len(_ENQUEUE) :].partition("/")
        if not queue_text:
            errors.append(
                InvalidRequest(
                    "expected a queue name after /v2/enqueue/",
                    code="request.missing_queue",
                    value=path,
                    span=(len(_ENQUEUE), len(_ENQUEUE)),
                )
            )
        else:
            try:
                queue = validate_queue_name(queue_text)
            except ProtocolError as error:
                errors.append(error.shifted(len(_ENQUEUE), path))
        if not slash:
            rest = ""
    else:
        errors.append(
            InvalidRequest(
                "expected a path starting with /v2/publish/, /v2/enqueue/ or /v2/schedules/",
                code="request.unknown_endpoint",
                value=path,
                span=(0, len(path)),
            )
        )
        path = ""
    if path:
        start = len(path) - len(rest)
        if not rest:
            errors.append(
                InvalidRequest(
                    "expected a destination (a URL or a URL-group name) at the end of the path",
                    code="request.missing_destination",
                    value=path,
                    span=(len(path), len(path)),
                )
            )
        else:
            text = rest
            if rest[:7].lower() == "http%3a" or rest[:8].lower() == "https%3a":
                text = unquote(rest)
            try:
                destination = parse_destination(text)
            except ProtocolError as error:
                errors.append(error.shifted(start, path) if text == rest else error)
    # One more than the bound at most: decode_fields refuses that many without reading them.
    pairs = list(islice(_pairs(headers), MAX_HEADERS + 1))
    header_errors: list[tuple[int, ProtocolError]] = []
    warnings: list[tuple[int, Finding]] = []
    has_cron = False
    for index, pair in enumerate(pairs):
        try:
            raw_name, raw_value = pair
        except (TypeError, ValueError):
            msg = f"expected a (name, value) pair of str or bytes, got {pair!r:.80}"
            raise TypeError(msg) from None
        try:
            name, value = header_text(raw_name, "names"), header_text(raw_value, "values")
        except TypeError:
            continue  # decode_headers reports it
        lower = name.lower()
        has_cron = has_cron or lower == "upstash-cron"
        span = (0, len(value))
        if kind == "enqueue" and lower in _NOT_ON_ENQUEUE:
            header_errors.append(
                (
                    index,
                    InvalidRequest(
                        f"{name} is not supported on enqueue (the queue decides when to deliver)",
                        code="request.not_on_enqueue",
                        value=value,
                        span=span,
                        header=name,
                    ),
                )
            )
        elif kind == "enqueue" and lower == "upstash-flow-control-key":
            message = f"{name} does not apply on enqueue: the queue's parallelism governs delivery"
            code = "request.flow_control_on_enqueue"
            finding = Finding(message, code=code, value=value, span=span, header=name)
            warnings.append((index, finding))
        elif kind != "schedule" and lower in _SCHEDULE_ONLY:
            message = f"{name} only applies when creating a schedule (POST {_SCHEDULES}...)"
            code = "request.schedule_only"
            finding = Finding(message, code=code, value=value, span=span, header=name)
            warnings.append((index, finding))
    if kind == "schedule" and not has_cron:
        errors.append(
            InvalidRequest(
                "a schedule request needs an Upstash-Cron header",
                code="request.missing_cron",
                value=path,
                span=(0, len(path)),
            )
        )
    fields, decode_errors, decode_warnings = decode_fields(pairs, unknown)
    located = [(-1, error) for error in errors] + header_errors + decode_errors
    warnings.extend(decode_warnings)
    if located or fields is None:
        return None, located, warnings
    assert destination is not None
    options = trusted_model(MessageOptions, fields)
    request = PublishRequest(kind=kind, destination=destination, queue=queue, options=options)
    return request, [], warnings
