"""Typed, immutable models of what a publish or enqueue request's headers say.

:class:`MessageOptions` holds every setting of the message, its forwarded headers, its
``callback`` and ``failure_callback`` (each a :class:`Callback` with its URL, its own settings,
forwarded headers and nested callbacks), and ``extra``: the ``Upstash-`` headers this library
does not know, kept rather than dropped.

>>> from datetime import timedelta
>>> options = MessageOptions(retries=3, delay="1h30m", forward={"x-api-key": "k"})
>>> options.delay == timedelta(hours=1, minutes=30), options.forward["X-Api-Key"]
(True, 'k')

Every field accepts its typed value (``timedelta``, ``RetryDelay``, ...) or its header text,
which is parsed with the library's parser; invalid input raises pydantic's ``ValidationError``
wrapping the parser's :class:`~qstash_protocol.ProtocolError`. ``model_dump(mode="json")`` writes
every value in its canonical header form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

from qstash_protocol.publish.headers import (
    Headers,
    InvalidHeader,
    parse_header_name,
    validate_content_type,
)
from qstash_protocol.values.cron import validate_cron
from qstash_protocol.values.deduplication import (
    parse_content_based_deduplication,
    validate_deduplication_id,
)
from qstash_protocol.values.durations import MAX_DURATION, format_duration, parse_duration
from qstash_protocol.values.flow_control import (
    FlowControlValue,
    parse_flow_control_value,
    validate_flow_control_key,
)
from qstash_protocol.values.names import validate_queue_name, validate_schedule_id
from qstash_protocol.values.redact import RedactFields, parse_redact_fields
from qstash_protocol.values.retry_delay import RetryDelay, parse_retry_delay
from qstash_protocol.values.small import (
    format_labels,
    format_not_before,
    parse_header_forward,
    parse_labels,
    parse_method,
    parse_not_before,
    parse_retries,
)
from qstash_protocol.values.urls import parse_callback_url

__all__ = ["Callback", "FlowControl", "HttpMethod", "MessageOptions", "trusted_model"]

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]

_T = TypeVar("_T")
_ZERO: Final = timedelta(0)
#: How many checked texts each string field remembers before it starts afresh.
_SEEN_LIMIT: Final = 1024
_STRING_SCHEMA: Final = WithJsonSchema({"type": "string"})


def _typed_or_text(
    cls: type[_T] | tuple[type, ...], parse: Callable[[str], _T], what: str
) -> Callable[[Any], _T]:
    """A validator that keeps an instance of ``cls`` and parses text with ``parse``."""

    def validate(value: Any) -> _T:
        if isinstance(value, cls) and not isinstance(value, bool):
            return value  # type: ignore[return-value]
        if isinstance(value, str):
            return parse(value)
        msg = f"expected {what} or its header text, got {type(value).__name__}"
        raise ValueError(msg)

    return validate


def _duration(*, allow_bare_seconds: bool) -> Callable[[Any], timedelta]:
    def validate(value: Any) -> timedelta:
        if isinstance(value, timedelta):
            if not _ZERO <= value <= MAX_DURATION:
                format_duration(value)  # raises the error for negative and out-of-range values
            return value
        if isinstance(value, str):
            return parse_duration(value, allow_bare_seconds=allow_bare_seconds)
        msg = f"expected a timedelta or a duration such as '30s', got {type(value).__name__}"
        raise ValueError(msg)

    return validate


def _not_before(value: Any) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = "Upstash-Not-Before needs an aware datetime (a naive one has no fixed instant)"
            raise ValueError(msg)
        # The header holds whole Unix seconds: keep exactly what it can carry.
        value = value.astimezone(UTC).replace(microsecond=0)
        return parse_not_before(format_not_before(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_not_before(str(value))
    if isinstance(value, str):
        return parse_not_before(value)
    msg = f"expected an aware datetime, Unix seconds or their text, got {type(value).__name__}"
    raise ValueError(msg)


def _retries(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_retries(str(value))
    if isinstance(value, str):
        return parse_retries(value)
    msg = f"expected a whole number of retries, got {type(value).__name__}"
    raise ValueError(msg)


def _method(value: Any) -> str:
    if isinstance(value, str):
        return parse_method(value)
    msg = f"expected an HTTP method such as 'POST', got {type(value).__name__}"
    raise ValueError(msg)


def _labels(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return parse_labels(value)
    if isinstance(value, Iterable):
        items = tuple(value)
        if not items:
            return ()
        if not all(isinstance(item, str) for item in items):
            msg = "labels must be strings"
            raise ValueError(msg)
        labels = parse_labels(format_labels(items))
        if len(labels) != len(items):
            msg = f"a label cannot contain ',' (it separates labels): {items!r}"
            raise ValueError(msg)
        return labels
    msg = f"expected labels as a tuple of strings or 'a,b' text, got {type(value).__name__}"
    raise ValueError(msg)


def _content_based(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_content_based_deduplication(value)
    msg = f"expected a bool or 'true'/'false', got {type(value).__name__}"
    raise ValueError(msg)


def _header_forward(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_header_forward(value)
    msg = f"expected a bool or 'true'/'false', got {type(value).__name__}"
    raise ValueError(msg)


def _text(parse: Callable[[str], str], what: str) -> Callable[[Any], str]:
    # Texts already checked, and what they became: models are built again and again from the
    # same few keys, ids and URLs (every decode builds them), and parsing is pure.
    seen: dict[str, str] = {}

    def validate(value: Any) -> str:
        if isinstance(value, str):
            found = seen.get(value)
            if found is None:
                found = parse(value)
                if len(seen) >= _SEEN_LIMIT:
                    seen.clear()
                seen[value] = found
            return found
        msg = f"expected {what} as a string, got {type(value).__name__}"
        raise ValueError(msg)

    return validate


def _headers(value: Any) -> Headers:
    if isinstance(value, Headers):
        return value
    if isinstance(value, Mapping | Iterable) and not isinstance(value, str | bytes):
        try:
            return Headers(value)
        except TypeError as error:
            raise ValueError(str(error)) from None
    msg = f"expected a header mapping or (name, value) pairs, got {type(value).__name__}"
    raise ValueError(msg)


def _extra_headers(value: Any) -> Headers:
    headers = _headers(value)
    for name in headers:
        parsed = parse_header_name(name)
        if parsed is None or parsed.scopes or parsed.kind != "unknown":
            msg = (
                f"extra headers are Upstash- headers this library does not model, written "
                f"unscoped; {name!r} is not one"
            )
            raise InvalidHeader(msg, code="header.not_in_scope", value=name, span=(0, len(name)))
    return headers


Method = Annotated[HttpMethod, PlainValidator(_method), _STRING_SCHEMA]
Delay = Annotated[
    timedelta,
    PlainValidator(_duration(allow_bare_seconds=False)),
    PlainSerializer(format_duration, return_type=str),
    _STRING_SCHEMA,
]
Timeout = Annotated[
    timedelta,
    PlainValidator(_duration(allow_bare_seconds=True)),
    PlainSerializer(format_duration, return_type=str),
    _STRING_SCHEMA,
]
Retries = Annotated[int, PlainValidator(_retries), WithJsonSchema({"type": "integer"})]
RetryDelayField = Annotated[
    RetryDelay,
    PlainValidator(_typed_or_text(RetryDelay, parse_retry_delay, "a RetryDelay")),
    PlainSerializer(str, return_type=str),
    _STRING_SCHEMA,
]
NotBefore = Annotated[
    datetime,
    PlainValidator(_not_before),
    PlainSerializer(format_not_before, return_type=str),
    _STRING_SCHEMA,
]
FlowControlKey = Annotated[
    str, PlainValidator(_text(validate_flow_control_key, "a flow-control key")), _STRING_SCHEMA
]
FlowControlValueField = Annotated[
    FlowControlValue,
    PlainValidator(
        _typed_or_text(FlowControlValue, parse_flow_control_value, "a FlowControlValue")
    ),
    PlainSerializer(str, return_type=str),
    _STRING_SCHEMA,
]
Labels = Annotated[
    tuple[str, ...],
    PlainValidator(_labels),
    PlainSerializer(list, return_type=list[str]),
    WithJsonSchema({"type": "array", "items": {"type": "string"}}),
]
DeduplicationId = Annotated[
    str, PlainValidator(_text(validate_deduplication_id, "a deduplication id")), _STRING_SCHEMA
]
ContentBasedDeduplication = Annotated[
    bool, PlainValidator(_content_based), WithJsonSchema({"type": "boolean"})
]
HeaderForward = Annotated[
    bool, PlainValidator(_header_forward), WithJsonSchema({"type": "boolean"})
]
Redact = Annotated[
    RedactFields,
    PlainValidator(_typed_or_text(RedactFields, parse_redact_fields, "RedactFields")),
    PlainSerializer(str, return_type=str),
    _STRING_SCHEMA,
]
Cron = Annotated[str, PlainValidator(_text(validate_cron, "a cron expression")), _STRING_SCHEMA]
QueueName = Annotated[
    str, PlainValidator(_text(validate_queue_name, "a queue name")), _STRING_SCHEMA
]
ScheduleId = Annotated[
    str, PlainValidator(_text(validate_schedule_id, "a schedule id")), _STRING_SCHEMA
]
CallbackUrl = Annotated[
    str, PlainValidator(_text(parse_callback_url, "a callback URL")), _STRING_SCHEMA
]
_HEADERS_SCHEMA: Final = WithJsonSchema(
    {"type": "object", "additionalProperties": {"type": "string"}}
)
HeaderMap = Annotated[
    Headers,
    PlainValidator(_headers),
    PlainSerializer(Headers.to_dict, return_type=dict[str, str]),
    _HEADERS_SCHEMA,
]
ExtraHeaderMap = Annotated[
    Headers,
    PlainValidator(_extra_headers),
    PlainSerializer(Headers.to_dict, return_type=dict[str, str]),
    _HEADERS_SCHEMA,
]
ContentType = Annotated[
    str, PlainValidator(_text(validate_content_type, "a media type")), _STRING_SCHEMA
]

_EMPTY_HEADERS: Final = Headers()

_MODEL_CONFIG: Final = ConfigDict(frozen=True, extra="forbid", validate_default=False)


class FlowControl(BaseModel):
    """``Upstash-Flow-Control-Key`` and ``Upstash-Flow-Control-Value``: they come together.

    >>> FlowControl(key="tenant-1", value="rate=10, period=1m").value.rate
    10
    """

    model_config = _MODEL_CONFIG

    key: FlowControlKey
    value: FlowControlValueField


class _Scope(BaseModel):
    """The settings every message scope has: the message itself and each of its callbacks."""

    model_config = _MODEL_CONFIG

    method: Method | None = None
    timeout: Timeout | None = None
    retries: Retries | None = None
    retry_delay: RetryDelayField | None = None
    delay: Delay | None = None
    not_before: NotBefore | None = None
    flow_control: FlowControl | None = None
    labels: Labels = ()
    deduplication_id: DeduplicationId | None = None
    content_based_deduplication: ContentBasedDeduplication | None = None
    redact: Redact | None = None
    header_forward: HeaderForward | None = None
    cron: Cron | None = None
    queue_name: QueueName | None = None
    schedule_id: ScheduleId | None = None
    forward: HeaderMap = _EMPTY_HEADERS
    callback: Callback | None = None
    failure_callback: Callback | None = None
    extra: ExtraHeaderMap = _EMPTY_HEADERS


class Callback(_Scope):
    """A callback or failure callback: its URL, and the settings of the callback message.

    ``Upstash-Callback-Retries: 2`` is ``Callback(url=..., retries=2)``; ``extra`` holds the
    unknown ``Upstash-Callback-X`` headers under their unscoped names (``Upstash-X``).

    >>> Callback(url="https://cb.example/hook", retries=2).retries
    2
    """

    url: CallbackUrl


class MessageOptions(_Scope):
    """Every option of a publish or enqueue request, as its headers give them.

    >>> MessageOptions(method="put", timeout="30").timeout.total_seconds()
    30.0
    """

    content_type: ContentType | None = None


_Scope.model_rebuild()
Callback.model_rebuild()
MessageOptions.model_rebuild()

_M = TypeVar("_M", bound=BaseModel)
_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}
# BaseModel's slots, set directly as pydantic's own model_construct does (frozen models refuse
# ordinary attribute assignment).
_FIELDS_SET: Final = BaseModel.__dict__["__pydantic_fields_set__"]
_EXTRA: Final = BaseModel.__dict__["__pydantic_extra__"]
_PRIVATE: Final = BaseModel.__dict__["__pydantic_private__"]
_new_object: Final = object.__new__


def trusted_model(cls: type[_M], fields: dict[str, Any]) -> _M:
    """Build ``cls`` from field values that are already valid, without validating them again.

    For the decoder, which has parsed every value with the same parsers the validators call:
    it builds the same object ``cls(**fields)`` would (equal, same hash), in a fraction of the
    time. Like pydantic's ``model_construct``, but only for models without private attributes
    or extra fields (all of this module's). Never call it with unchecked values.

    >>> trusted_model(FlowControl, {"key": "k", "value": FlowControlValue(rate=1)}) == FlowControl(
    ...     key="k", value="rate=1")
    True
    """
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = {
            name: info.default for name, info in cls.model_fields.items() if not info.is_required()
        }
    model = _new_object(cls)
    values = model.__dict__
    values.update(defaults)
    values.update(fields)
    _FIELDS_SET.__set__(model, set(fields))
    _EXTRA.__set__(model, None)
    _PRIVATE.__set__(model, None)
    return model
