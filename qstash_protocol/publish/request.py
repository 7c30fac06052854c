"""A whole publish, enqueue or schedule-create request: its path (with its query) and its headers.

>>> request = decode_request(
...     "/v2/enqueue/orders/https://example.com/api?x=1",
...     {"Upstash-Retries": "2"},
... )
>>> request.kind, request.queue, str(request.destination), request.options.retries
('enqueue', 'orders', 'https://example.com/api?x=1', 2)
>>> request.path
'/v2/enqueue/orders/https://example.com/api?x=1'

Options may also come as query parameters of the QStash URL, and API v1 is read with its own
rules:

>>> request = decode_request("/v2/publish/https://a.example/x?y=1&upstash-retries=3", {})
>>> str(request.destination), request.options.retries
('https://a.example/x?y=1', 3)
>>> decode_request("/v1/publish/my-topic", {"Upstash-Cron": "*/5 * * * *"}).creates_schedule
True

Facts
-----
- **Paths**: ``/v2/publish/{destination}``, ``/v2/enqueue/{queueName}/{destination}`` and
  ``/v2/schedules/{destination}``
  (https://upstash.com/docs/qstash/api-reference/messages/publish-a-message,
  .../enqueue-a-message, https://upstash.com/docs/qstash/api-reference/schedules/create-a-schedule),
  and API v1's ``/v1/publish/{destination}``. The SDKs put the destination into the path raw, with
  its own path and query (``/v2/publish/https://example.com/api?x=1&y=2``), so everything after
  the prefix (and after the queue name) is the destination, query included, but for the QStash
  parameters below. A destination sent percent-encoded (``https%3A%2F%2Fexample.com``) is decoded
  once.
- **Query-string options** (https://upstash.com/docs/qstash/howto/webhook; changelog February
  2025, https://upstash.com/docs/qstash/overall/changelog): "you can use the lowercase format of
  headers as the key, such as ``?upstash-retries=3&upstash-delay=100s``", and the token may be
  given as ``?qstash_token=`` (the OpenAPI security scheme ``bearerAuthQuery``). Each such
  parameter is read as the header it names, with the same parser and the same error codes; the
  error's ``value`` is the path and its ``span`` points at the parameter's value in it (at the
  whole value when it was percent-encoded). Values are decoded as form data (``+`` is a space),
  as Go's ``url.ParseQuery`` does.
- **Whose query is it** (no source says; the server must tell them apart the same way, since
  both arrive as one query): a parameter whose name is ``qstash_token`` or starts with
  ``upstash-`` (ASCII case-insensitively, like the header names they stand for) belongs to
  QStash; every other parameter stays in the destination URL, in its order. So
  ``/v2/publish/https://a.example/x?y=1&upstash-retries=3`` publishes to
  ``https://a.example/x?y=1`` with 3 retries (the webhook guide's own URL,
  ``/v2/publish/https://example.com/api/webhook?qstash_token=...``, is read the same way). A
  destination whose own query must carry such a name is sent percent-encoded: then the
  destination ends at the first raw ``?`` and the whole query after it is QStash's (its other
  parameters mean nothing to QStash and are left out).
- **Header and parameter both**: a setting given both ways is the warning ``header.duplicate``
  (reported on the parameter; the header's value applies), as a setting given twice as headers
  is (the first value applies, as Go's ``Header.Get`` reads it). Forwarded headers combine.
- **The token** is recognised and kept out of everything shown: the ``value`` of every error is
  the path with the token's value replaced by ``***``, and :class:`PublishRequest` holds it as a
  :class:`pydantic.SecretStr`, hidden from ``repr`` and written ``**********`` by
  ``model_dump(mode="json")``. It is
  never part of :attr:`PublishRequest.path`. Given twice, it is ``request.duplicate_token``.
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
- **API v1** (the v1 publish reference, removed from https://github.com/upstash/docs in 2024;
  ``api_version`` is 1). Where v1 differs from v2:

  - the destination is a URL or a *topic* name or id; topics are what v2 calls URL groups (v2
    still serves them at ``/v2/topics`` and delivers ``Upstash-Topic-Name``), so a topic is a
    destination of kind ``url_group`` with the same name rule;
  - ``Upstash-Cron`` is allowed on publish: the request then creates a schedule
    (:attr:`PublishRequest.creates_schedule`), and "the deduplication happens before the
    schedule is created";
  - deduplication ids "must not contain ``:`` or whitespace", and are stored for 90 days
    (:attr:`PublishRequest.deduplication_window`; v2: 10 minutes,
    https://upstash.com/docs/qstash/features/deduplication). The library applies v1's id rule to
    both versions (the v2 server still refuses ``:``): see
    :func:`~qstash_protocol.validate_deduplication_id`;
  - queues, schedule ids and ``api/...`` destinations came with v2 (queues 2024-04, schedule ids
    2024-11, LLM APIs 2024), and v1 has no enqueue or schedules path, so ``Upstash-Queue-Name``,
    ``Upstash-Schedule-Id`` and an ``api/`` destination are refused on v1
    (``request.not_in_v1``);
  - every other header is read as on v2 (the v1 reference lists fewer, but no source says v1
    refuses the later ones); v1's ``Upstash-Partition-Key`` (a 2023 draft) is kept as an
    unknown header.
- **Plan limits**: with ``limits=``, every excess (delay, timeout, retries, flow-control period,
  and the body when ``content_length`` is given) is reported with its own ``limits.*`` code
  (:mod:`qstash_protocol.publish.limits`). Without it nothing is checked.
- Every problem, in the path, the query or the headers, is reported together in one
  :class:`~qstash_protocol.InvalidHeaders`; with ``strict=True`` the warnings too
  (:func:`~qstash_protocol.lint_request` lists both). The evidence for every code is in
  ``docs/protocol/verdicts.md``.
- **Speed without a second reading**: a path read before with no query option, no token and
  no problem is remembered with its endpoint, queue and destination (at most 4,096 paths of at
  most 1,024 characters); headers given as a ``dict`` or a ``list`` with no query options and
  no limits are decoded without a copy, and the endpoint rules look only at the headers they
  concern, found by the names' plan (:mod:`qstash_protocol.publish.codec`) when they have one.
  ``tests/test_fast_paths.py`` compares both with the plain reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from itertools import islice
from typing import (
    Annotated,
    Any,
    ClassVar,
    Final,
    Literal,
    NamedTuple,
    Required,
    TypedDict,
    Unpack,
)
from urllib.parse import quote, unquote, unquote_plus

from pydantic import (
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    WithJsonSchema,
)

from qstash_protocol._chars import ascii_lower, new_tuple
from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.codec import (
    InvalidHeaders,
    _first,
    _meaning,
    _pairs,
    _Plan,
    _planned,
    _shown_type,
    _store,
    decode_fields,
    encode_headers,
)
from qstash_protocol.publish.findings import Finding
from qstash_protocol.publish.headers import MAX_HEADERS, header_text, parse_header_name
from qstash_protocol.publish.limits import Limits, check_limits
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
    "DEDUPLICATION_WINDOWS",
    "QSTASH_TOKEN_PARAMETER",
    "QUERY_OPTION_PREFIX",
    "InvalidRequest",
    "PublishRequest",
    "PublishRequestInput",
    "decode_request",
    "request_with_findings",
]

_PUBLISH: Final = "/v2/publish/"
_ENQUEUE: Final = "/v2/enqueue/"
_SCHEDULES: Final = "/v2/schedules/"
_V1_PUBLISH: Final = "/v1/publish/"
#: Settings that only mean something on a schedule-create request.
_SCHEDULE_ONLY: Final = ("upstash-cron", "upstash-schedule-id", "upstash-queue-name")
#: Settings API v1 does not have (queues and schedule ids came with v2).
_NOT_IN_V1: Final = ("upstash-schedule-id", "upstash-queue-name")
#: Settings the service refuses on enqueue, by header name.
_NOT_ON_ENQUEUE: Final = ("upstash-delay", "upstash-not-before")
#: Settings the service ignores on enqueue (a warning), by header name.
_IGNORED_ON_ENQUEUE: Final = ("upstash-flow-control-key",)
#: Every header whose meaning depends on the endpoint (see _placement).
_PLACED: Final = frozenset((*_SCHEDULE_ONLY, *_NOT_ON_ENQUEUE, *_IGNORED_ON_ENQUEUE))
_PLACED_LENGTHS: Final = frozenset(len(name) for name in _PLACED)  # a cheap first filter
#: The same headers, by their directive: each is a setting of the root scope.
_PLACED_SETTINGS: Final = {name.removeprefix("upstash-"): name for name in _PLACED}
_PLACED_DIRECTIVES: Final = frozenset(_PLACED_SETTINGS)
assert all(parse_header_name(name) == ((), "setting", name[8:], None) for name in _PLACED)

#: The query parameter that carries the QStash token (OpenAPI ``bearerAuthQuery``).
QSTASH_TOKEN_PARAMETER: Final = "qstash_token"  # noqa: S105 - a parameter name, not a secret
#: Query parameters whose name starts with this (ASCII case-insensitively) are QStash options.
QUERY_OPTION_PREFIX: Final = "upstash-"
#: How long a deduplication id is remembered, by API version (v1 reference: 90 days;
#: https://upstash.com/docs/qstash/features/deduplication: 10 minutes).
DEDUPLICATION_WINDOWS: Final[Mapping[int, timedelta]] = {
    1: timedelta(days=90),
    2: timedelta(minutes=10),
}
_MASK: Final = "***"


class InvalidRequest(ProtocolError):
    """The request's path is not a publish or enqueue path, or a header does not fit it.

    >>> try:
    ...     decode_request("/v2/messages/x", {})
    ... except InvalidHeaders as err:
    ...     print(err.errors[0].code)
    request.unknown_endpoint
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "request.unknown_endpoint": (
            "not a /v2/publish/, /v2/enqueue/, /v2/schedules/ or /v1/publish/ path"
        ),
        "request.missing_destination": "no destination after the prefix (or the queue name)",
        "request.missing_queue": "no queue name in an enqueue path",
        "request.not_on_enqueue": "Delay or Not-Before on an enqueue request",
        "request.missing_cron": "a schedule request without Upstash-Cron",
        "request.not_in_v1": "Queue-Name, Schedule-Id or an api/ destination on API v1",
        "request.duplicate_token": "the qstash_token query parameter given more than once",
        "request.queue_mismatch": "a PublishRequest with a queue that is not an enqueue, or the "
        "reverse, or an API v1 request that is not a publish",
    }


def _destination(value: Any) -> Destination:
    if isinstance(value, Destination):
        return value
    if isinstance(value, str):
        return parse_destination(value)
    msg = f"expected a Destination or its text, got {type(value).__name__}"
    raise ValueError(msg)


def _queue(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return validate_queue_name(value)
    msg = f"expected a queue name, got {type(value).__name__}"
    raise ValueError(msg)


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
    api_version: Literal[1, 2]
    body: str | None
    qstash_token: SecretStr | str | None


class PublishRequest(_Model):
    """A decoded publish, enqueue or schedule-create request (or one item of a batch).

    ``api_version`` is 2, or 1 for ``/v1/publish/``. ``body`` is set for batch items (their body
    travels in the JSON); ``qstash_token`` when the token came as a query parameter (hidden from
    ``repr`` and JSON dumps).

    >>> PublishRequest(kind="publish", destination="my-group").path
    '/v2/publish/my-group'
    >>> PublishRequest(kind="publish", destination="my-topic", api_version=1).path
    '/v1/publish/my-topic'
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: Literal["publish", "enqueue", "schedule"]
    destination: DestinationField
    queue: Annotated[str | None, PlainValidator(_queue)] = None
    # trusted_model: the default, without building the schema at import (start-up time)
    options: MessageOptions = trusted_model(MessageOptions, {})
    api_version: Literal[1, 2] = 2
    body: str | None = None
    qstash_token: SecretStr | None = Field(default=None, repr=False)

    @_validating_init
    def __init__(self, **data: Unpack[PublishRequestInput]) -> None:
        super().__init__(**data)

    def model_post_init(self, _context: Any, /) -> None:
        """Check that ``queue`` is given exactly for enqueue requests, and v1's one path."""
        if (self.kind == "enqueue") != (self.queue is not None):
            msg = "an enqueue request has a queue name, and a publish request has none"
            raise InvalidRequest(msg, code="request.queue_mismatch")
        if self.api_version == 1 and self.kind != "publish":
            msg = "API v1 has only /v1/publish/: an api_version=1 request is a publish"
            raise InvalidRequest(msg, code="request.queue_mismatch")

    @property
    def path(self) -> str:
        """The request path, destination raw as the SDKs send it (no QStash query)."""
        if self.kind == "enqueue":
            return f"{_ENQUEUE}{self.queue}/{_path_text(self.destination)}"
        if self.kind == "schedule":
            return f"{_SCHEDULES}{_path_text(self.destination)}"
        prefix = _V1_PUBLISH if self.api_version == 1 else _PUBLISH
        return f"{prefix}{_path_text(self.destination)}"

    @property
    def creates_schedule(self) -> bool:
        """Whether the request creates a schedule (v2 schedules, or v1 publish with a cron).

        >>> PublishRequest(kind="schedule", destination="g", options={"cron": "* * * * *"}
        ...     ).creates_schedule
        True
        """
        return self.kind == "schedule" or (self.api_version == 1 and self.options.cron is not None)

    @property
    def deduplication_window(self) -> timedelta:
        """How long the service remembers this request's deduplication id (by API version).

        >>> PublishRequest(kind="publish", destination="g", api_version=1).deduplication_window
        datetime.timedelta(days=90)
        """
        return DEDUPLICATION_WINDOWS[self.api_version]

    def headers(self) -> dict[str, str]:
        """The canonical headers of the request (:func:`~qstash_protocol.encode_headers`).

        >>> PublishRequest(kind="publish", destination="g", options={"retries": 1}).headers()
        {'Upstash-Retries': '1'}
        """
        return encode_headers(self.options)


def _is_qstash_parameter(raw: str) -> bool:
    lower = ascii_lower(unquote_plus(raw.partition("=")[0]))
    return lower == QSTASH_TOKEN_PARAMETER or lower.startswith(QUERY_OPTION_PREFIX)


def _path_text(destination: Destination) -> str:
    """The destination as it goes into a path: raw, or percent-encoded if need be.

    Percent-encoded when its own query has a parameter QStash would take for its own, so that
    decoding the path gives it back.
    """
    text = str(destination)
    query = text.partition("?")[2]
    if query and any(_is_qstash_parameter(raw) for raw in query.split("&")):
        return quote(text, safe="")
    return text


class _Param(NamedTuple):
    """One QStash option given as a query parameter, located in the shown path."""

    name: str  # decoded
    value: str  # decoded
    start: int  # where the parameter starts
    value_start: int
    end: int  # where its value ends
    exact: bool  # the value was not percent-encoded: spans map one to one


class _Query(NamedTuple):
    shown: str  # the path with the token's value masked
    destination: str  # the destination text, QStash parameters taken out
    exact: bool  # the destination text is shown[start:start + len(destination)]
    params: list[_Param]
    token: str | None
    errors: list[ProtocolError]


def _spelled(word: str) -> str:
    """A pattern of the raw query text that ``unquote_plus`` and ``ascii_lower`` turn into ``word``.

    Each character as itself (any case) or percent-encoded (either case of a letter).
    """
    parts = []
    for char in word:
        spellings = {re.escape(char), f"%{ord(char):02x}", f"%{ord(char.upper()):02x}"}
        parts.append("(?:" + "|".join(sorted(spellings)) + ")")
    return "".join(parts)


#: Where a parameter that may be QStash's starts in a query: its name decodes to ``upstash-...``
#: or is ``qstash_token``. Every other parameter is kept as it is, without being decoded, so a
#: long query costs one regular-expression scan.
_QSTASH_PARAMETER: Final = re.compile(
    rf"(?:^|(?<=&))(?:{_spelled(QUERY_OPTION_PREFIX)}"
    rf"|{_spelled(QSTASH_TOKEN_PARAMETER)}(?=[=&]|\Z))",
    re.IGNORECASE,
)


def _might_be_qstash(query: str) -> bool:
    """Whether ``query`` may hold a QStash parameter (a percent-encoded name, or its words).

    Substring searches run at memory speed, so a long query without one costs little.
    """
    if "%" in query:
        return True
    lowered = query.lower()
    return QUERY_OPTION_PREFIX in lowered or QSTASH_TOKEN_PARAMETER in lowered


def _split_query(path: str, start: int) -> _Query:
    """Separate QStash's query parameters from the destination (text from ``start``)."""
    mark = path.find("?", start)
    rest = path[start:]
    # http%3A or https%3A: a "%" fifth or sixth, which most paths do not have
    encoded = "%" in rest[4:6] and (rest[:7].lower() == "http%3a" or rest[:8].lower() == "https%3a")
    if mark < 0:
        text = unquote(rest) if encoded else rest
        return new_tuple(_Query, (path, text, not encoded, [], None, []))
    query_start = mark + 1
    query = path[query_start:]
    hits: list[int] = []
    if _might_be_qstash(query):
        hits = [query_start + found.start() for found in _QSTASH_PARAMETER.finditer(query)]
    if not hits:  # no QStash parameter: the query is the destination's, as it is
        if encoded:
            return new_tuple(_Query, (path, unquote(path[start:mark]), False, [], None, []))
        return new_tuple(_Query, (path, rest, True, [], None, []))
    shown_parts: list[str] = []
    kept: list[str] = []
    params: list[_Param] = []
    token: str | None = None
    errors: list[ProtocolError] = []
    offset = query_start  # where the next part starts in the shown path
    token_spans: list[tuple[int, int]] = []
    position = query_start  # where the next part starts in the path
    end_of_path = len(path)
    for hit in [*hits, end_of_path + 1]:  # the last: the end of the query
        if hit > position:  # the destination's own parameters before this one, as they are
            chunk = path[position : hit - 1]
            if not encoded:
                kept.append(chunk)
            shown_parts.append(chunk)
            offset += len(chunk) + 1
        if hit > end_of_path:
            break
        amp = path.find("&", hit)
        position = end_of_path + 1 if amp < 0 else amp + 1
        raw = path[hit : position - 1]
        raw_name, equals, raw_value = raw.partition("=")
        # unquote_plus gives back text with neither "%" nor "+" as it is: no call for it
        name = raw_name if "%" not in raw_name and "+" not in raw_name else unquote_plus(raw_name)
        lower = ascii_lower(name)
        shown_raw = raw
        if lower == QSTASH_TOKEN_PARAMETER:
            shown_raw = raw_name + equals + (_MASK if equals else "")
            token_spans.append((offset, offset + len(shown_raw)))
            if token is None:
                token = unquote_plus(raw_value)
        else:  # the pattern found it: its name starts with upstash-
            value_start = offset + len(raw_name) + len(equals)
            value = (
                raw_value
                if "%" not in raw_value and "+" not in raw_value
                else unquote_plus(raw_value)
            )
            params.append(
                new_tuple(
                    _Param,
                    (
                        name,
                        value,
                        offset,
                        value_start,
                        value_start + len(raw_value),
                        value == raw_value,
                    ),
                )
            )
        shown_parts.append(shown_raw)
        offset += len(shown_raw) + 1
    shown = path[:query_start] + "&".join(shown_parts)
    errors.extend(
        InvalidRequest(
            f"{QSTASH_TOKEN_PARAMETER} may appear once in the query",
            code="request.duplicate_token",
            value=shown,
            span=span,
            header=QSTASH_TOKEN_PARAMETER,
        )
        for span in token_spans[1:]
    )
    if encoded:
        return new_tuple(_Query, (shown, unquote(path[start:mark]), False, params, token, errors))
    text = path[start:mark] + ("?" + "&".join(kept) if kept else "")
    exact = shown[start : start + len(text)] == text
    return new_tuple(_Query, (shown, text, exact, params, token, errors))


def _relocate(error: ProtocolError, param: _Param, shown: str) -> ProtocolError:
    """The same error, with ``value`` the shown path and ``span`` inside the parameter."""
    span: tuple[int, int] = (param.start, param.end)
    stripped = param.value.strip(" \t")
    if error.code == "header.duplicate":
        pass  # the whole parameter is the repetition
    elif error.value == stripped and param.exact:
        lead = len(param.value) - len(param.value.lstrip(" \t"))
        low, high = error.span or (0, len(stripped))
        base = param.value_start + lead
        span = (base + low, base + high)
    elif error.value == stripped:
        span = (param.value_start, param.end)
    return type(error)(error.message, code=error.code, value=shown, span=span, header=error.header)


def _placement(
    lower: str, value: str, name: str, kind: str, api_version: int
) -> ProtocolError | None:
    """The error (or warning, a :class:`Finding`) for a setting that does not fit the endpoint."""
    if api_version == 1 and lower in _NOT_IN_V1:
        message, code = (
            f"{name} does not exist in API v1 (queues and schedule ids came with /v2/)",
            "request.not_in_v1",
        )
    elif kind == "enqueue" and lower in _NOT_ON_ENQUEUE:
        message, code = (
            f"{name} is not supported on enqueue (the queue decides when to deliver)",
            "request.not_on_enqueue",
        )
    elif kind == "enqueue" and lower in _IGNORED_ON_ENQUEUE:
        message = f"{name} does not apply on enqueue: the queue's parallelism governs delivery"
        code = "request.flow_control_on_enqueue"
        return Finding(message, code=code, value=value, span=(0, len(value)), header=name)
    elif (
        kind != "schedule"
        and lower in _SCHEDULE_ONLY
        and not (api_version == 1 and lower == "upstash-cron")
    ):
        message = f"{name} only applies when creating a schedule (POST {_SCHEDULES}...)"
        code = "request.schedule_only"
        return Finding(message, code=code, value=value, span=(0, len(value)), header=name)
    else:
        return None
    return InvalidRequest(message, code=code, value=value, span=(0, len(value)), header=name)


#: A problem, its position (header index, ``-1`` for the path) and the parameter it came from.
_Located = tuple[int, "_Param | None", ProtocolError]


def _place_headers(
    pairs: Sequence[Any],
    placed: tuple[tuple[int, str], ...],
    kind: str,
    api_version: int,
    errors: list[tuple[int, ProtocolError]],
    warnings: list[tuple[int, ProtocolError]],
) -> bool:
    """Append the endpoint's problems with the headers (see _placement); whether Cron is one.

    ``placed`` are the positions of the headers concerned (:func:`_placed`). The names and
    values may be ``bytes`` (read as ISO-8859-1, as the decoder reads them).
    """
    has_cron = False
    for index, lower in placed:
        raw_name, value = pairs[index]
        name = raw_name if raw_name.__class__ is str else header_text(raw_name, "names")
        has_cron = has_cron or lower == "upstash-cron"
        text = header_text(value, "values").strip(" \t")
        problem = _placement(lower, text, name, kind, api_version)
        if problem is not None:
            found = warnings if isinstance(problem, Finding) else errors
            found.append((index, problem))
    return has_cron


def _placed(names: tuple[Any, ...], plan: Any = None) -> tuple[tuple[int, str], ...]:
    """The (position, lower-case name) of the headers that :func:`_placement` concerns.

    The names are text or ``bytes`` (read as ISO-8859-1), already checked by the decoder. Names
    with a plan (the codec's) say it by their root settings; others are read one by one.
    ``plan`` is their plan when the caller has it (else it is looked up).
    """
    if plan.__class__ is not _Plan:
        plan = _planned(names)
    if plan.__class__ is _Plan:  # each is a setting of the root scope
        if _PLACED_DIRECTIVES.isdisjoint(plan.directives):
            return ()
        return tuple(
            [
                (index, _PLACED_SETTINGS[directive])
                for index, directive, _ in plan.settings
                if directive in _PLACED_SETTINGS
            ]
        )
    placed = []
    for index, raw_name in enumerate(names):
        name = raw_name if raw_name.__class__ is str else header_text(raw_name, "names")
        if len(name) in _PLACED_LENGTHS and (lower := name.lower()) in _PLACED:
            placed.append((index, lower))
    return tuple(placed)


def _decode_message(
    kind: str,
    api_version: int,
    pairs: list[tuple[str, str]],
    params: list[_Param],
    *,
    unknown: Literal["keep", "error"],
    limits: Limits | None,
    content_length: int | None,
) -> tuple[dict[str, Any] | None, list[_Located], list[_Located], bool]:
    """Decode headers and query options into model fields, errors and warnings.

    Each problem is tagged with its position and its query parameter (``None``: a header). Also
    says whether ``Upstash-Cron`` was given.
    """
    errors: list[_Located] = []
    warnings: list[_Located] = []

    def place(index: int, param: _Param | None, problem: ProtocolError | None) -> None:
        if problem is not None:
            (warnings if isinstance(problem, Finding) else errors).append((index, param, problem))

    placed_errors: list[tuple[int, ProtocolError]] = []
    placed_warnings: list[tuple[int, ProtocolError]] = []
    has_cron = _place_headers(
        pairs, _placed(tuple(map(_first, pairs))), kind, api_version, placed_errors, placed_warnings
    )
    errors += [(index, None, error) for index, error in placed_errors]
    warnings += [(index, None, finding) for index, finding in placed_warnings]
    combined = pairs
    by_name: dict[str, list[_Param]] = {}
    if params:
        combined = list(pairs)
        settings: set[tuple[Any, ...]] = set()
        for name, _ in pairs:
            try:
                parsed = _meaning(name)
            except ProtocolError:
                continue  # decode_fields reports it
            if parsed is not None and parsed.kind in ("setting", "url"):
                settings.add((parsed.scopes, parsed.kind, parsed.directive))
        for offset, param in enumerate(params):
            index = len(pairs) + offset
            lower = param.name.lower()
            has_cron = has_cron or lower == "upstash-cron"
            place(
                index,
                param,
                _placement(lower, param.value.strip(" \t"), param.name, kind, api_version),
            )
            try:
                parsed = _meaning(param.name)
            except ProtocolError:
                parsed = None
            key = None if parsed is None else (parsed.scopes, parsed.kind, parsed.directive)
            if key is not None and key in settings:
                message = f"{param.name} is also given as a header; the header's value applies"
                duplicate = Finding(
                    message,
                    code="header.duplicate",
                    value=param.value,
                    span=(0, len(param.value)),
                    header=param.name,
                )
                warnings.append((index, param, duplicate))
                continue
            combined.append((param.name, param.value))
            by_name.setdefault(param.name, []).append(param)
    fields, decode_errors, decode_warnings = decode_fields(combined, unknown)
    header_keys: set[tuple[str | None, str | None]] = set()
    if by_name and (decode_errors or decode_warnings):
        header_keys = {(name, value.strip(" \t")) for name, value in pairs}
        header_keys |= {(name, name) for name, _ in pairs}
    for index, error in decode_errors:
        errors.append((index, _source(error, by_name, header_keys), error))
    for index, finding in decode_warnings:
        warnings.append((index, _source(finding, by_name, header_keys), finding))
    if fields is not None and not decode_errors and limits is not None:
        options = trusted_model(MessageOptions, fields)
        for error in check_limits(options, limits, content_length=content_length):
            source, located = _locate_limit(error, pairs, params)
            errors.append((len(combined), source, located))
    return fields, errors, warnings, has_cron


def _decode_plain(
    kind: str,
    api_version: int,
    headers: dict[Any, Any] | list[Any],
    unknown: Literal["keep", "error"],
) -> (
    tuple[
        dict[str, Any] | None,
        list[tuple[int, ProtocolError]],
        list[tuple[int, ProtocolError]],
        bool,
    ]
    | None
):
    """:func:`_decode_message` for the common request: headers only, no query options.

    For a ``dict`` or a ``list`` of at most ``MAX_HEADERS`` pairs, and no limits to check:
    ``decode_fields`` reads the headers as they are (no copy), and the endpoint rules look at
    the few headers they concern (:func:`_placed`). Same results as
    ``_decode_message`` but for the query parameter of each problem, which is always ``None``
    and left out (``tests/test_fast_paths.py`` compares the two); ``None`` for pairs that are
    not sequences (iterators), which only the general way reads.
    """
    if headers.__class__ is dict:
        names = tuple(headers)
    else:
        try:  # before decode_fields, which would consume pairs that are iterators
            names = tuple(map(_first, headers))
        except (TypeError, LookupError):  # pairs that are not sequences: the general way
            return None
    plan = _planned(names)
    fields, decode_errors, decode_warnings = decode_fields(headers, unknown, names, plan)
    placed = _placed(names, plan)
    if not placed:
        return fields, decode_errors, decode_warnings, False  # type: ignore[return-value]
    # The endpoint's problems of a header come before the header's own (as _decode_message).
    errors: list[tuple[int, ProtocolError]] = []
    warnings: list[tuple[int, ProtocolError]] = []
    pairs: Any = list(headers.items()) if headers.__class__ is dict else headers
    has_cron = _place_headers(pairs, placed, kind, api_version, errors, warnings)
    errors += decode_errors
    warnings += decode_warnings
    return fields, errors, warnings, has_cron


def _source(
    error: ProtocolError,
    by_name: dict[str, list[_Param]],
    header_keys: set[tuple[str | None, str | None]],
) -> _Param | None:
    """The query parameter an error of ``decode_headers`` came from, or ``None`` (a header)."""
    candidates = by_name.get(error.header or "")
    if not candidates or (error.header, error.value) in header_keys:
        return None
    for param in candidates:
        if error.value in (param.value.strip(" \t"), param.name):
            return param
    return candidates[0]


def _locate_limit(
    error: ProtocolError, pairs: list[tuple[str, str]], params: list[_Param]
) -> tuple[_Param | None, ProtocolError]:
    """Point a limit error (canonical header and value) at the header or parameter given."""
    wanted = (error.header or "").lower()
    for name, value in pairs:
        if name.lower() == wanted:
            text = value.strip(" \t")
            return None, type(error)(
                error.message, code=error.code, value=text, span=(0, len(text)), header=name
            )
    for param in params:
        if param.name.lower() == wanted:
            text = param.value.strip(" \t")
            return param, type(error)(
                error.message, code=error.code, value=text, span=(0, len(text)), header=param.name
            )
    return None, error


_ENDPOINTS: Final[
    tuple[tuple[str, Literal["publish", "enqueue", "schedule"], Literal[1, 2]], ...]
] = (
    (_PUBLISH, "publish", 2),
    (_ENQUEUE, "enqueue", 2),
    (_SCHEDULES, "schedule", 2),
    (_V1_PUBLISH, "publish", 1),
)


def decode_request(
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"] = "keep",
    limits: Limits | None = None,
    content_length: int | None = None,
    strict: bool = False,
) -> PublishRequest:
    """Decode a publish, enqueue or schedule-create request from its path and headers.

    ``path`` is the request target: the path and, when there is one, the query (whose
    ``upstash-*`` parameters are options and whose ``qstash_token`` is the token). With
    ``limits`` (e.g. :attr:`Limits.FREE`), what exceeds them is reported too; the body size is
    checked when ``content_length`` is given. Only what the service refuses raises; with
    ``strict=True`` the warnings (:func:`~qstash_protocol.lint_request`) raise too.

    >>> decode_request("/v2/publish/https://example.com", {}).destination.kind
    'url'
    >>> decode_request("/v2/publish/g", {"Upstash-Cron": "* * * * *"}).options.cron
    '* * * * *'
    >>> try:
    ...     decode_request("/v2/publish/g?qstash_token=secret&upstash-delay=8d", {},
    ...                    limits=Limits.FREE)
    ... except InvalidHeaders as err:
    ...     print(err.errors[0])
    upstash-delay: the plan allows a delay of at most 7d, got 8d
      /v2/publish/g?qstash_token=***&upstash-delay=8d
                                                   ^^

    Raises:
        InvalidHeaders: with every problem in the path, the query and the headers.
        TypeError: when a header name or value is neither ``str`` nor ``bytes``.

    """
    request, errors, warnings = _request(
        path, headers, unknown=unknown, limits=limits, content_length=content_length
    )
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
    limits: Limits | None = None,
    content_length: int | None = None,
) -> tuple[PublishRequest | None, list[Finding]]:
    """The decoded request (``None`` if there are errors) and every finding, in order.

    >>> request, found = request_with_findings("/v2/publish/g", {"Upstash-Queue-Name": "q"})
    >>> request.kind, [f.code for f in found]
    ('publish', ['request.schedule_only'])
    """
    request, errors, warnings = _request(
        path, headers, unknown=unknown, limits=limits, content_length=content_length
    )
    everything = [(index, Finding.from_error(error)) for index, error in errors]
    everything += [(index, finding) for index, finding in warnings if isinstance(finding, Finding)]
    everything.sort(key=lambda item: item[0])
    return (None if errors else request), [finding for _, finding in everything]


#: Paths read before, with no query option, token or problem: (kind, API version, queue,
#: destination, the path as shown). At most 4,096 paths (the codec's cache size) of at most
#: _MAX_CACHED_PATH characters: 4 MiB.
_path_cache: dict[str, tuple[Any, ...]] = {}
_MAX_CACHED_PATH: Final = 1024
_NO_QUERY: Final = _Query("", "", True, [], None, [])  # of a cached path: nothing to read


def _read_path(
    path: str,
) -> tuple[
    Literal["publish", "enqueue", "schedule"],
    Literal[1, 2],
    str | None,
    Destination | None,
    _Query,
    list[ProtocolError],
]:
    """The endpoint, queue and destination of a request's path, its query, and its problems."""
    errors: list[ProtocolError] = []
    kind: Literal["publish", "enqueue", "schedule"] = "publish"
    api_version: Literal[1, 2] = 2
    queue: str | None = None
    destination: Destination | None = None
    start = -1
    for prefix, endpoint_kind, version in _ENDPOINTS:
        if path.startswith(prefix):
            kind, api_version, start = endpoint_kind, version, len(prefix)
            break
    query = _split_query(path, max(start, 0))
    shown = query.shown
    errors.extend(query.errors)
    if start < 0:
        errors.append(
            InvalidRequest(
                "expected a path starting with /v2/publish/, /v2/enqueue/, /v2/schedules/ or "
                "/v1/publish/",
                code="request.unknown_endpoint",
                value=shown,
                span=(0, len(shown)),
            )
        )
    else:
        text = query.destination
        exact = query.exact
        if kind == "enqueue":
            queue_text, slash, text = text.partition("/")
            if not queue_text:
                errors.append(
                    InvalidRequest(
                        "expected a queue name after /v2/enqueue/",
                        code="request.missing_queue",
                        value=shown,
                        span=(start, start),
                    )
                )
            else:
                try:
                    queue = validate_queue_name(queue_text)
                except ProtocolError as bad_queue:
                    errors.append(bad_queue.shifted(start, shown) if exact else bad_queue)
            if not slash:
                text = ""
            start += len(queue_text) + len(slash)
        if not text:
            end = start if exact else len(shown)
            errors.append(
                InvalidRequest(
                    "expected a destination (a URL or a URL-group name) at the end of the path",
                    code="request.missing_destination",
                    value=shown,
                    span=(end, end),
                )
            )
        else:
            try:
                destination = parse_destination(text)
            except ProtocolError as bad_destination:
                errors.append(bad_destination.shifted(start, shown) if exact else bad_destination)
            if destination is not None and api_version == 1 and destination.kind == "api":
                errors.append(
                    InvalidRequest(
                        "API v1 has no api/... destinations; publish to /v2/publish/",
                        code="request.not_in_v1",
                        value=shown,
                        span=(start, start + len(text)) if exact else (0, len(shown)),
                    )
                )
    return kind, api_version, queue, destination, query, errors


def _request(
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"],
    limits: Limits | None,
    content_length: int | None,
) -> tuple[PublishRequest | None, list[tuple[int, ProtocolError]], list[tuple[int, ProtocolError]]]:
    """The request, its errors and its warnings, each by position (-1: the path)."""
    if not isinstance(path, str):
        msg = f"path must be a str, got {type(path).__name__}"
        raise TypeError(msg)
    known = _path_cache.get(path)
    if known is not None:  # a path seen before, with no query options and no problem
        kind, api_version, queue, destination, shown = known
        query = _NO_QUERY
        errors: list[ProtocolError] = []
    else:
        kind, api_version, queue, destination, query, errors = _read_path(path)
        shown = query.shown
        if not (errors or query.params) and query.token is None and len(path) <= _MAX_CACHED_PATH:
            _store(_path_cache, path, (kind, api_version, queue, destination, shown))
    if (
        not query.params
        and limits is None
        and (headers.__class__ is dict or headers.__class__ is list)
        and len(headers) <= MAX_HEADERS
    ):
        plain = _decode_plain(kind, api_version, headers, unknown)
    else:
        plain = None
    if plain is not None:
        fields, located, warnings, has_cron = plain
        if errors:
            located[:0] = [(-1, error) for error in errors]
    else:
        # One more than the bound at most: decode_fields refuses that many without reading
        # them.
        pairs: list[tuple[str, str]] = []
        for pair in islice(_pairs(headers), MAX_HEADERS + 1):
            try:
                raw_name, raw_value = pair
            except (TypeError, ValueError):
                msg = f"expected a (name, value) pair of str or bytes, got {_shown_type(pair)}"
                raise TypeError(msg) from None
            if raw_name.__class__ is str and raw_value.__class__ is str:
                pairs.append((raw_name, raw_value))
            else:
                pairs.append((header_text(raw_name, "names"), header_text(raw_value, "values")))
        fields, found, found_warnings, has_cron = _decode_message(
            kind,
            api_version,
            pairs,
            query.params,
            unknown=unknown,
            limits=limits,
            content_length=content_length,
        )
        located = [(-1, error) for error in errors]
        located += [
            (index, error if param is None else _relocate(error, param, shown))
            for index, param, error in found
        ]
        warnings = [
            (index, finding if param is None else _relocate(finding, param, shown))
            for index, param, finding in found_warnings
        ]
    if kind == "schedule" and not has_cron:
        located.append(
            (
                -1,
                InvalidRequest(
                    "a schedule request needs an Upstash-Cron header",
                    code="request.missing_cron",
                    value=shown,
                    span=(0, len(shown)),
                ),
            )
        )
    if located or fields is None:
        return None, located, warnings
    assert destination is not None
    # Every part was checked above (and kind, queue and api_version agree by construction).
    request = trusted_model(
        PublishRequest,
        {
            "kind": kind,
            "destination": destination,
            "queue": queue,
            "options": trusted_model(MessageOptions, fields),
            "api_version": api_version,
            "qstash_token": None if query.token is None else SecretStr(query.token),
        },
    )
    return request, [], warnings
