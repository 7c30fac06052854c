"""The request QStash sends to a destination: its headers, built by a server, read by a receiver.

>>> from qstash_protocol import decode_request
>>> publish = decode_request("/v2/publish/https://example.com/api", {
...     "Content-Type": "application/json", "Upstash-Forward-X-Api-Key": "k"})
>>> headers = delivery_headers(publish, message_id="msg_1", retried=0, signature="eyJ...")
>>> dict(headers)  # doctest: +NORMALIZE_WHITESPACE
{'Content-Type': 'application/json', 'User-Agent': 'Upstash-QStash', 'X-Api-Key': 'k',
 'Upstash-Message-Id': 'msg_1', 'Upstash-Retried': '0', 'Upstash-Signature': 'eyJ...'}
>>> delivery = decode_delivery(headers)
>>> delivery.message_id, delivery.retried, dict(delivery.headers)
('msg_1', 0, {'X-Api-Key': 'k'})

Facts
-----
The rule (https://upstash.com/docs/qstash/howto/receiving): QStash forwards every
``Upstash-Forward-X: v`` of the publish as ``X: v`` and adds ``User-Agent: Upstash-QStash``, the
original ``Content-Type``, ``Upstash-Message-Id``, ``Upstash-Retried`` ("how often the message
has been retried so far. Starts with 0"), ``Upstash-Signature``, and, where they apply,
``Upstash-Schedule-Id`` (the message comes from a schedule), ``Upstash-Topic-Name`` (it was
published to a URL group) and ``Upstash-Caller-Ip`` (the publisher's IP address). Every
delivery carries ``upstash-region: EU-CENTRAL-1`` or ``US-EAST-1``
(https://upstash.com/docs/qstash/howto/multi-region). The message id is the idempotency key of
at-least-once delivery (https://upstash.com/docs/qstash/features/at-least-once). Header names
are case-insensitive; this library writes them in canonical case (``Upstash-Region``).

Readings taken where the sources are silent:

- **Clashing names.** A forwarded header named like one the delivery sets itself
  (:data:`DELIVERY_HEADERS`: ``User-Agent``, the ``Upstash-`` delivery headers, and
  ``Content-Type`` when the message has one) is dropped: QStash's value wins, so a publisher
  cannot forge a delivery's message id, retry count or signature. Other forwarded ``Upstash-``
  names pass (workflow-js forwards ``Upstash-Label`` that way, ``src/context/steps.ts``).
- **Transport headers** (:data:`TRANSPORT_HEADERS`: ``Host``, ``Content-Length``,
  ``Transfer-Encoding``, ``Connection`` and the other hop-by-hop names of RFC 9110 §7.6.1) are
  not forwarded: the HTTP client writes them from the connection and the body (Go's
  ``net/http`` ignores them in a request's header map, https://pkg.go.dev/net/http#Request), so
  forwarding them would mean nothing. A receiver's :attr:`Delivery.headers` leaves them out too.
- **No Content-Type** in the publish: none is sent (no source says what QStash adds then).
- **Required on a delivery**: ``Upstash-Message-Id``, ``Upstash-Retried`` and
  ``Upstash-Signature``, the headers the docs list without a condition; a request without them
  did not come from QStash (``delivery.missing_header``). ``Upstash-Retried`` is a whole number
  of ASCII digits (``delivery.invalid_retried``); the schedule id and URL-group name follow
  their publish-side rules; the caller IP is an IPv4 or IPv6 address
  (``delivery.invalid_caller_ip``). The region is kept as sent (new regions may appear);
  :func:`~qstash_protocol.normalize_region` reads it for key selection. ``Content-Type`` and
  ``User-Agent`` are kept as sent: they are the application's to judge (a forwarded
  ``Content-Type`` reaches the destination unchecked).
- Each single-valued delivery header may appear once (``header.duplicate``); every problem is
  reported at once in one :class:`~qstash_protocol.InvalidHeaders`, as ``decode_headers`` does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final

from qstash_protocol._chars import DIGITS, preview
from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.codec import InvalidHeaders
from qstash_protocol.publish.headers import (
    Headers,
    InvalidHeader,
    canonical_header_name,
    header_text,
    validate_header_name,
    validate_header_value,
)
from qstash_protocol.publish.request import PublishRequest
from qstash_protocol.values.names import validate_schedule_id, validate_url_group_name
from qstash_protocol.values.small import MAX_INTEGER_LENGTH

__all__ = [
    "DELIVERY_HEADERS",
    "TRANSPORT_HEADERS",
    "USER_AGENT",
    "Delivery",
    "InvalidDelivery",
    "decode_delivery",
    "delivery_headers",
]

#: The ``User-Agent`` of every delivery.
USER_AGENT: Final = "Upstash-QStash"
#: The headers a delivery sets itself, canonical case; forwarded headers never override them.
DELIVERY_HEADERS: Final = (
    "Content-Type",
    "User-Agent",
    "Upstash-Message-Id",
    "Upstash-Retried",
    "Upstash-Schedule-Id",
    "Upstash-Topic-Name",
    "Upstash-Caller-Ip",
    "Upstash-Signature",
    "Upstash-Region",
)
#: Headers the HTTP transport writes itself (RFC 9110 §7.6.1 hop-by-hop names, framing, Host).
TRANSPORT_HEADERS: Final = (
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Proxy-Connection",
    "Te",
    "Trailer",
    "Upgrade",
)
_RESERVED: Final = frozenset(name.lower() for name in DELIVERY_HEADERS + TRANSPORT_HEADERS)
_TRANSPORT: Final = frozenset(name.lower() for name in TRANSPORT_HEADERS)
_REQUIRED: Final = ("Upstash-Message-Id", "Upstash-Retried", "Upstash-Signature")


class InvalidDelivery(ProtocolError):
    """A delivered request lacks a delivery header, or one holds a value it cannot hold.

    >>> try:
    ...     decode_delivery({"Upstash-Message-Id": "msg_1", "Upstash-Retried": "one",
    ...                      "Upstash-Signature": "t"})
    ... except InvalidHeaders as err:
    ...     print(err.errors[0].code)
    delivery.invalid_retried
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "delivery.missing_header": "Upstash-Message-Id, -Retried or -Signature absent or empty",
        "delivery.invalid_retried": "Upstash-Retried is not a whole number of ASCII digits",
        "delivery.invalid_caller_ip": "Upstash-Caller-Ip is not an IPv4 or IPv6 address",
    }


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a destination learns from the headers of a delivery (the receiver's view).

    ``headers`` are the application's headers: the forwarded ones, and anything else the
    request carried, without the delivery headers and the transport headers.

    >>> d = decode_delivery({"Upstash-Message-Id": "msg_1", "Upstash-Retried": "2",
    ...                      "Upstash-Signature": "t", "upstash-region": "US-EAST-1"})
    >>> d.retried, d.region, d.is_retry
    (2, 'US-EAST-1', True)
    """

    message_id: str
    retried: int
    signature: str
    schedule_id: str | None = None
    url_group: str | None = None
    caller_ip: str | None = None
    region: str | None = None
    content_type: str | None = None
    user_agent: str | None = None
    headers: Headers = field(default_factory=Headers)

    @property
    def is_retry(self) -> bool:
        """Whether an earlier attempt to deliver this message failed (``retried > 0``)."""
        return self.retried > 0

    def to_dict(self) -> dict[str, Any]:
        """The delivery as JSON-ready data (the form the vectors use).

        >>> decode_delivery({"Upstash-Message-Id": "m", "Upstash-Retried": "0",
        ...                  "Upstash-Signature": "t"}).to_dict()["message_id"]
        'm'
        """
        return {
            "message_id": self.message_id,
            "retried": self.retried,
            "signature": self.signature,
            "schedule_id": self.schedule_id,
            "url_group": self.url_group,
            "caller_ip": self.caller_ip,
            "region": self.region,
            "content_type": self.content_type,
            "user_agent": self.user_agent,
            "headers": self.headers.to_dict(),
        }


def _caller_ip(text: str) -> str:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        raise InvalidDelivery(
            f"expected the publisher's IPv4 or IPv6 address, got {preview(text)}",
            code="delivery.invalid_caller_ip",
            value=text,
            span=(0, len(text)),
        ) from None
    return text


def _retried(text: str) -> int:
    if DIGITS.fullmatch(text) and len(text) <= MAX_INTEGER_LENGTH:
        return int(text)
    raise InvalidDelivery(
        f"expected how often the message was retried, a whole number such as '0', "
        f"got {preview(text)}",
        code="delivery.invalid_retried",
        value=text,
        span=(0, len(text)),
    )


def _non_empty(text: str) -> str:
    if text:
        return text
    raise InvalidDelivery(
        "expected a value, got an empty one", code="delivery.missing_header", value="", span=(0, 0)
    )


#: The value parser of each delivery header, by lower-case name; the field it fills.
_FIELDS: Final = {
    "upstash-message-id": ("message_id", _non_empty),
    "upstash-retried": ("retried", _retried),
    "upstash-signature": ("signature", _non_empty),
    "upstash-schedule-id": ("schedule_id", validate_schedule_id),
    "upstash-topic-name": ("url_group", validate_url_group_name),
    "upstash-caller-ip": ("caller_ip", _caller_ip),
    "upstash-region": ("region", _non_empty),
    "content-type": ("content_type", lambda text: text),
    "user-agent": ("user_agent", lambda text: text),
}


def decode_delivery(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
) -> Delivery:
    """Read the headers of a request QStash delivered, as the destination received them.

    ``headers`` is a mapping or ``(name, value)`` pairs, ``str`` or ``bytes`` (ASGI), names in
    any case. The signature is returned, not verified: pass it to
    :func:`~qstash_protocol.verify_signature` with the raw body.

    >>> d = decode_delivery([(b"upstash-message-id", b"msg_1"), (b"upstash-retried", b"0"),
    ...                      (b"upstash-signature", b"t"), (b"x-trace", b"abc"),
    ...                      (b"host", b"example.com")])
    >>> d.message_id, dict(d.headers)
    ('msg_1', {'X-Trace': 'abc'})

    Raises:
        InvalidHeaders: with every problem found, each a ``ProtocolError`` naming its header.
        TypeError: when a header name or value is neither ``str`` nor ``bytes``.

    """
    errors: list[ProtocolError] = []
    values: dict[str, Any] = {}
    seen: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for raw_name, raw_value in pairs:
        name, value = header_text(raw_name, "names"), header_text(raw_value, "values")
        try:
            validate_header_name(name)
            value = validate_header_value(value)
        except ProtocolError as error:
            errors.append(error.with_header(name))
            continue
        lower = name.lower()
        known = _FIELDS.get(lower)
        if known is None:
            if lower not in _TRANSPORT:
                rest.append((canonical_header_name(name), value))
            continue
        if lower in seen:
            errors.append(
                InvalidHeader(
                    f"{seen[lower]} may appear once; it appears again as {name!r}",
                    code="header.duplicate",
                    value=value,
                    span=(0, len(value)),
                    header=name,
                )
            )
            continue
        seen[lower] = name
        field_name, parse = known
        try:
            values[field_name] = parse(value)
        except ProtocolError as error:
            errors.append(error.with_header(name))
    errors.extend(
        InvalidDelivery(
            f"a delivery from QStash always has {required}; this request has none",
            code="delivery.missing_header",
            header=required,
        )
        for required in _REQUIRED
        if required.lower() not in seen
    )
    if errors:
        raise InvalidHeaders(errors)
    return Delivery(**values, headers=Headers._trusted(rest))


def delivery_headers(
    request: PublishRequest,
    *,
    message_id: str,
    retried: int,
    signature: str,
    schedule_id: str | None = None,
    caller_ip: str | None = None,
    region: str | None = None,
) -> Headers:
    """The headers a QStash-compatible server sends to the destination of a decoded publish.

    In order: ``Content-Type`` (when the message has one), ``User-Agent: Upstash-QStash``, the
    forwarded headers without their prefix (minus clashing and transport names, see Facts),
    ``Upstash-Message-Id``, ``Upstash-Retried``, ``Upstash-Schedule-Id`` (``schedule_id``, or
    the request's own for a schedule request), ``Upstash-Topic-Name`` (a URL-group
    destination), ``Upstash-Caller-Ip``, ``Upstash-Signature`` (make it with
    :func:`~qstash_protocol.sign`) and ``Upstash-Region``.

    >>> from qstash_protocol import decode_request
    >>> group = decode_request("/v2/publish/orders", {"Upstash-Forward-User-Agent": "mine"})
    >>> dict(delivery_headers(group, message_id="msg_2", retried=1, signature="t",
    ...                       caller_ip="203.0.113.7", region="EU-CENTRAL-1"))
    ... # doctest: +NORMALIZE_WHITESPACE
    {'User-Agent': 'Upstash-QStash', 'Upstash-Message-Id': 'msg_2', 'Upstash-Retried': '1',
     'Upstash-Topic-Name': 'orders', 'Upstash-Caller-Ip': '203.0.113.7',
     'Upstash-Signature': 't', 'Upstash-Region': 'EU-CENTRAL-1'}

    Raises:
        InvalidHeaders: a value the delivery cannot carry (an empty message id or signature, a
            caller IP that is no address, control characters, an invalid schedule id), every
            problem at once.
        TypeError: ``retried`` is not an ``int``.

    """
    if not isinstance(retried, int) or isinstance(retried, bool):
        msg = f"retried must be an int, got {type(retried).__name__}"
        raise TypeError(msg)
    options = request.options
    if schedule_id is None and request.kind == "schedule":
        schedule_id = options.schedule_id
    own: list[tuple[str, str | None, Any]] = [
        ("Upstash-Message-Id", message_id, _non_empty),
        ("Upstash-Retried", str(retried), _retried),
        ("Upstash-Schedule-Id", schedule_id, validate_schedule_id),
        (
            "Upstash-Topic-Name",
            str(request.destination) if request.destination.kind == "url_group" else None,
            validate_url_group_name,
        ),
        ("Upstash-Caller-Ip", caller_ip, _caller_ip),
        ("Upstash-Signature", signature, _non_empty),
        ("Upstash-Region", region, _non_empty),
    ]
    errors: list[ProtocolError] = []
    pairs: list[tuple[str, str]] = []
    if options.content_type is not None:
        pairs.append(("Content-Type", options.content_type))
    pairs.append(("User-Agent", USER_AGENT))
    has_content_type = options.content_type is not None
    for forwarded, forwarded_value in options.forward.items():
        lower = forwarded.lower()
        if lower in _RESERVED and (lower != "content-type" or has_content_type):
            continue
        pairs.append((forwarded, forwarded_value))
    for name, value, parse in own:
        if value is None:
            continue
        try:
            pairs.append((name, str(parse(validate_header_value(value)))))
        except ProtocolError as error:
            errors.append(error.with_header(name))
    if errors:
        raise InvalidHeaders(errors)
    return Headers._trusted(pairs)
