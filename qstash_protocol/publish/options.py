"""Typed, immutable models of what a publish or enqueue request's headers say.

:class:`MessageOptions` holds every setting of the message, its forwarded headers, its
``callback`` and ``failure_callback`` (each a :class:`Callback` with its URL, its own settings,
forwarded headers and nested callbacks), ``orphan_callback`` and ``orphan_failure_callback``
(an :class:`OrphanScope`: a callback scope's headers sent without its URL, which the service
ignores), and ``extra``: the ``Upstash-`` headers this library does not know. Both are kept
rather than dropped, so encoding gives back every ``Upstash-`` header a request carried.

>>> from datetime import timedelta
>>> options = MessageOptions(retries=3, delay="1h30m", forward={"x-api-key": "k"})
>>> options.delay == timedelta(hours=1, minutes=30), options.forward["X-Api-Key"]
(True, 'k')

Every field accepts its typed value (``timedelta``, ``RetryDelay``, ...) or its header text,
which is parsed with the library's parser. ``model_dump(mode="json")`` writes every value in its
canonical header form.

Facts
-----
- **Errors are the library's.** An invalid value raises the parser's own
  :class:`~qstash_protocol.ProtocolError` (``InvalidRetries``, ``InvalidDuration``, ...), its
  ``header`` naming the header the field is sent in (``Upstash-Callback-Retries`` for
  ``callback.retries``); several invalid values raise :class:`InvalidOptions` with each in
  ``errors``. A value of the wrong Python type (``retries=[3]``), a missing or an unknown
  argument raises ``TypeError``, as a function call would. Pydantic's ``ValidationError`` never
  leaves the models: construction, ``model_validate``, ``model_validate_json`` and
  ``model_validate_strings`` convert it. (Assigning to an attribute of these frozen models
  still raises pydantic's error: that is a programming error, not protocol input.)
- **Typing without a plugin.** Each model has an explicit ``__init__(self, **data:
  Unpack[...Input])`` whose ``TypedDict`` (:class:`MessageOptionsInput`, :class:`CallbackInput`,
  :class:`ScopeInput`, :class:`FlowControlInput`) lists what construction accepts: the typed
  value or its header text (``retries: int | str``, ``delay: timedelta | str``). Pydantic's
  ``dataclass_transform`` would otherwise make type checkers read the attribute types
  (``timedelta``) as the parameters, so the documented ``MessageOptions(retries=3,
  delay="1m")`` failed ``mypy --strict`` and pyright strict unless the pydantic mypy plugin was
  on. The alternative, typing the fields as their inputs (``timedelta | str``) with validators
  producing the canonical type, would make every attribute read a union that users must
  narrow. ``**data`` passes only the arguments given, so ``model_fields_set`` and validation are
  exactly pydantic's; the models stay frozen pydantic models. ``tests/typing/user_script.py`` is
  checked by both checkers in the tests.
- **Nesting** is bounded as the decoder bounds it: a model whose callbacks nest deeper than
  :data:`~qstash_protocol.MAX_SCOPE_DEPTH` scopes is refused (``header.too_deep``), so every
  validated model encodes to headers :func:`~qstash_protocol.decode_headers` reads back.
- **Not-before** near ``datetime.min`` or ``max`` in a non-UTC zone is refused with
  ``InvalidNotBefore`` (no ``OverflowError``): the instant is computed without ``astimezone``.
- **JSON Schema** (``model_json_schema()``): the JSON form ``model_dump(mode="json")`` writes,
  each header value with the pattern (or ``format``) of its grammar, the method an enum, defaults
  as JSON; descriptions are the docstrings' prose. Validation accepts more spellings than the
  schema describes (a lower-case method, typed values), never less.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import (
    Annotated,
    Any,
    ClassVar,
    Final,
    Literal,
    Required,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
)

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.headers import (
    MAX_SCOPE_DEPTH,
    SETTINGS,
    Headers,
    InvalidHeader,
    parse_header_name,
    validate_header_value,
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
    InvalidLabel,
    format_labels,
    format_not_before,
    parse_header_forward,
    parse_labels,
    parse_method,
    parse_not_before,
    parse_retries,
)
from qstash_protocol.values.urls import parse_callback_url

__all__ = [
    "Callback",
    "CallbackInput",
    "FlowControl",
    "FlowControlInput",
    "HttpMethod",
    "InvalidOptions",
    "MessageOptions",
    "MessageOptionsInput",
    "OrphanScope",
    "ScopeInput",
    "trusted_model",
]

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]

_T = TypeVar("_T")
_ZERO: Final = timedelta(0)
#: How many checked texts each string field remembers before it starts afresh.
_SEEN_LIMIT: Final = 1024

# JSON Schema patterns (ECMA-262 and Python ``re`` alike) of each header value's JSON form.
#: A header value: no control character but HTAB (RFC 9110 §5.5, Go's httpguts).
_VALUE_PATTERN: Final = r"^[^\x00-\x08\x0a-\x1f\x7f]*$"
_NAME_TOKEN_PATTERN: Final = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"  # noqa: S105 (not a password)
#: A duration as the parser reads it: number-unit pairs, fractions allowed, or a lone 0.
_DURATION_PATTERN: Final = (
    r"^(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h|d))+)$"
)
_TIMEOUT_PATTERN: Final = r"^[0-9]+$|" + _DURATION_PATTERN
_REDACT_ITEM: Final = r"(?:body|headers?(?:\[[!#$%&'*+.^_`|~0-9A-Za-z-]+\])?)"
_FLOW_ITEM: Final = r"(?:rate|parallelism|period)[ \t]*=[ \t]*[0-9A-Za-z.\u00b5\u03bc]+"
_NAME_PATTERN: Final = r"^[A-Za-z0-9._-]{1,256}$"


def _string(pattern: str | None = None, **more: Any) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", **more}
    if pattern is not None:
        schema["pattern"] = pattern
    return WithJsonSchema(schema)


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
        raise TypeError(msg)

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
        raise TypeError(msg)

    return validate


def _not_before(value: Any) -> datetime:
    if isinstance(value, datetime):
        # The header holds whole Unix seconds: keep exactly what it can carry. No astimezone:
        # it overflows near datetime.min/max; format_not_before refuses naive datetimes and
        # times out of range with its own errors.
        return parse_not_before(format_not_before(value.replace(microsecond=0)))
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_not_before(str(value))
    if isinstance(value, str):
        return parse_not_before(value)
    msg = f"expected an aware datetime, Unix seconds or their text, got {type(value).__name__}"
    raise TypeError(msg)


def _retries(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return parse_retries(str(value))
    if isinstance(value, str):
        return parse_retries(value)
    msg = f"expected a whole number of retries, got {type(value).__name__}"
    raise TypeError(msg)


def _method(value: Any) -> str:
    if isinstance(value, str):
        return parse_method(value)
    msg = f"expected an HTTP method such as 'POST', got {type(value).__name__}"
    raise TypeError(msg)


def _labels(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return parse_labels(value)
    if isinstance(value, Iterable):
        items = tuple(value)
        if not items:
            return ()
        if not all(isinstance(item, str) for item in items):
            msg = "labels must be strings"
            raise TypeError(msg)
        text = format_labels(items)
        labels = parse_labels(text)
        if len(labels) != len(items):
            comma = next(item for item in items if "," in item)
            start = text.index(comma) + comma.index(",")
            raise InvalidLabel(
                f"a label cannot contain ',' (it separates labels): {comma!r}",
                code="label.invalid_character",
                value=text,
                span=(start, start + 1),
            )
        return labels
    msg = f"expected labels as a tuple of strings or 'a,b' text, got {type(value).__name__}"
    raise TypeError(msg)


def _content_based(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return parse_content_based_deduplication(value)
    msg = f"expected a bool or 'true'/'false', got {type(value).__name__}"
    raise TypeError(msg)


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
        raise TypeError(msg)

    return validate


def _headers(value: Any) -> Headers:
    if isinstance(value, Headers):
        return value
    if isinstance(value, Mapping | Iterable) and not isinstance(value, str | bytes):
        try:
            return Headers(value)
        except ValueError as error:
            if isinstance(error, ProtocolError):
                raise
            # A pair that is not a pair: ("a",) or "ab" unpacked.
            msg = f"expected (name, value) pairs, got {value!r:.80}"
            raise TypeError(msg) from None
    msg = f"expected a header mapping or (name, value) pairs, got {type(value).__name__}"
    raise TypeError(msg)


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


Method = Annotated[
    HttpMethod,
    PlainValidator(_method),
    WithJsonSchema({"type": "string", "enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]}),
]
Delay = Annotated[
    timedelta,
    PlainValidator(_duration(allow_bare_seconds=False)),
    PlainSerializer(format_duration, return_type=str),
    _string(_DURATION_PATTERN, maxLength=64),
]
Timeout = Annotated[
    timedelta,
    PlainValidator(_duration(allow_bare_seconds=True)),
    PlainSerializer(format_duration, return_type=str),
    _string(_TIMEOUT_PATTERN, maxLength=64),
]
Retries = Annotated[
    int,
    PlainValidator(_retries),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 2**31 - 1}),
]
RetryDelayField = Annotated[
    RetryDelay,
    PlainValidator(_typed_or_text(RetryDelay, parse_retry_delay, "a RetryDelay")),
    PlainSerializer(str, return_type=str),
    _string(_VALUE_PATTERN, minLength=1, maxLength=1024),
]
NotBefore = Annotated[
    datetime,
    PlainValidator(_not_before),
    PlainSerializer(format_not_before, return_type=str),
    _string(r"^[0-9]{1,12}$"),
]
FlowControlKey = Annotated[
    str,
    PlainValidator(_text(validate_flow_control_key, "a flow-control key")),
    _string(r"^[\x21-\x7e]{1,256}$"),
]
FlowControlValueField = Annotated[
    FlowControlValue,
    PlainValidator(
        _typed_or_text(FlowControlValue, parse_flow_control_value, "a FlowControlValue")
    ),
    PlainSerializer(str, return_type=str),
    _string(rf"^[ \t]*{_FLOW_ITEM}(?:[ \t]*,[ \t]*{_FLOW_ITEM})*[ \t]*$", maxLength=256),
]
Labels = Annotated[
    tuple[str, ...],
    PlainValidator(_labels),
    PlainSerializer(list, return_type=list[str]),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "string", "pattern": r"^[\x21-\x2b\x2d-\x7e]+$"},
            "uniqueItems": True,
        }
    ),
]
DeduplicationId = Annotated[
    str,
    PlainValidator(_text(validate_deduplication_id, "a deduplication id")),
    _string(r"^[\x21-\x39\x3b-\x7e]{1,256}$"),
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
    _string(rf"^[ \t]*{_REDACT_ITEM}(?:[ \t]*,[ \t]*{_REDACT_ITEM})*[ \t]*$", maxLength=4096),
]
Cron = Annotated[
    str,
    PlainValidator(_text(validate_cron, "a cron expression")),
    _string(_VALUE_PATTERN, minLength=1),
]
QueueName = Annotated[
    str, PlainValidator(_text(validate_queue_name, "a queue name")), _string(_NAME_PATTERN)
]
ScheduleId = Annotated[
    str, PlainValidator(_text(validate_schedule_id, "a schedule id")), _string(_NAME_PATTERN)
]
CallbackUrl = Annotated[
    str,
    PlainValidator(_text(parse_callback_url, "a callback URL")),
    _string(r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f]+$", format="uri", maxLength=2048),
]
_HEADERS_SCHEMA: Final = WithJsonSchema(
    {
        "type": "object",
        "propertyNames": {"pattern": _NAME_TOKEN_PATTERN},
        "additionalProperties": {"type": "string", "pattern": _VALUE_PATTERN},
    }
)
_EXTRA_HEADERS_SCHEMA: Final = WithJsonSchema(
    {
        "type": "object",
        "propertyNames": {"pattern": r"^[Uu][Pp][Ss][Tt][Aa][Ss][Hh]-[!#$%&'*+.^_`|~0-9A-Za-z-]+$"},
        "additionalProperties": {"type": "string", "pattern": _VALUE_PATTERN},
    }
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
    _EXTRA_HEADERS_SCHEMA,
]
# Any header value: QStash forwards Content-Type as it is (a value that is not a media type is
# a warning of the linter, header.invalid_content_type, not an error).
ContentType = Annotated[
    str,
    PlainValidator(_text(validate_header_value, "a Content-Type value")),
    _string(_VALUE_PATTERN),
]

_EMPTY_HEADERS: Final = Headers()

_MODEL_CONFIG: Final = ConfigDict(
    frozen=True, extra="forbid", validate_default=False, defer_build=True
)


class InvalidOptions(ProtocolError):
    """Values given to a model that do not fit together, or several invalid values at once.

    One invalid value raises the parser's own error (:class:`~qstash_protocol.InvalidDuration`,
    :class:`~qstash_protocol.InvalidRetries`, ...) with ``header`` naming the header it would be
    sent in; several raise this error, with each of them in ``errors``.

    >>> try:
    ...     MessageOptions(retries="x", delay="5")
    ... except InvalidOptions as err:
    ...     print([(e.header, e.code) for e in err.errors])
    [('Upstash-Retries', 'retries.not_an_integer'), ('Upstash-Delay', 'duration.missing_unit')]
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "options.invalid": "several values of a model are invalid (see .errors)",
        "options.conflict": "callback and orphan_callback (or the failure pair) both given",
    }

    errors: tuple[ProtocolError, ...]

    def __init__(
        self,
        message: str,
        *,
        code: str,
        value: str | None = None,
        span: tuple[int, int] | None = None,
        header: str | None = None,
        errors: Iterable[ProtocolError] = (),
    ) -> None:
        super().__init__(message, code=code, value=value, span=span, header=header)
        self.errors = tuple(errors)

    def __str__(self) -> str:
        if not self.errors:
            return super().__str__()
        lines = [self.message + ":"]
        for error in self.errors:
            first, *rest = str(error).split("\n")
            lines.append(f"- {first}")
            lines.extend(f"  {line}" for line in rest)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_invalid_options, (self.message, self.code, self.header, self.errors))

    def _key(self) -> tuple[Any, ...]:
        return (*super()._key(), self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The error and every problem in it as JSON-ready data.

        >>> InvalidOptions("m", code="options.conflict").to_dict()["errors"]
        []
        """
        return {**super().to_dict(), "errors": [error.to_dict() for error in self.errors]}


def _rebuild_invalid_options(
    message: str, code: str, header: str | None, errors: tuple[ProtocolError, ...]
) -> InvalidOptions:
    return InvalidOptions(message, code=code, header=header, errors=errors)


_SCOPE_WORDS: Final = {
    "callback": "Callback",
    "failure_callback": "Failure-Callback",
    "orphan_callback": "Callback",
    "orphan_failure_callback": "Failure-Callback",
}
_FIELD_DIRECTIVES: Final = {
    field: "-".join(word.capitalize() for word in directive.split("-"))
    for directive, field in SETTINGS.items()
}


def _header_of(loc: tuple[str | int, ...]) -> str | None:
    """The header a model field at ``loc`` (pydantic's error location) is sent in."""
    prefix = "Upstash-"
    parts = [part for part in loc if isinstance(part, str)]
    if parts[:1] == ["options"]:  # PublishRequest.options
        parts = parts[1:]
    while parts and parts[0] in _SCOPE_WORDS:
        word = _SCOPE_WORDS[parts.pop(0)]
        if not parts or parts == ["url"]:
            return prefix + word
        prefix += word + "-"
    if not parts:
        return None
    field = parts[0]
    if field == "content_type":
        return "Content-Type"
    if field == "flow_control":
        return prefix + ("Flow-Control-Value" if parts[1:2] == ["value"] else "Flow-Control-Key")
    directive = _FIELD_DIRECTIVES.get(field)
    return None if directive is None else prefix + directive


def _library_error(error: ValidationError, where: tuple[str, ...]) -> Exception:
    """The library's error for pydantic's ``ValidationError``: a ProtocolError or a TypeError."""
    problems: list[ProtocolError] = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, ProtocolError):
            if cause.header is None:
                cause = cause.with_header(_header_of((*where, *item["loc"])))
            problems.append(cause)
            continue
        # Pydantic's own checks: a missing or unknown argument, a wrong type for a nested model.
        loc = ".".join(str(part) for part in item["loc"]) or error.title
        return TypeError(f"{error.title}: {loc}: {item['msg']}")
    if len(problems) == 1:
        return problems[0]
    return InvalidOptions(
        f"{len(problems)} invalid values for {error.title}", code="options.invalid", errors=problems
    )


class _JsonSchema(GenerateJsonSchema):
    """Pydantic's generator, writing a ``Headers`` default as the object it is in JSON."""

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, Headers):
            return dft.to_dict()
        return super().encode_default(dft)


_ROLE: Final = re.compile(r":[a-z]+:`~?(?:[\w.]*\.)?([^`]+)`")


def _clean_description(text: str) -> str:
    """A docstring as a schema description: the prose before the examples, without markup."""
    kept: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith(">>>"):
            break
        kept.append(line)
    prose = "\n".join(kept).strip()
    return _ROLE.sub(r"\1", prose).replace("``", "`")


def _clean_descriptions(schema: Any) -> None:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "description" and isinstance(value, str):
                schema[key] = _clean_description(value)
            else:
                _clean_descriptions(value)
    elif isinstance(schema, list):
        for item in schema:
            _clean_descriptions(item)


_F = TypeVar("_F", bound=Callable[..., None])


def _validating_init(init: _F) -> _F:
    """Mark a model's typed ``__init__`` as pydantic marks its own ``BaseModel.__init__``.

    Pydantic calls a *custom* ``__init__`` for every nested model it validates; these only
    type the arguments and convert errors, so pydantic's validation runs as it would without
    them, and errors are converted once, at the top, where the full location is known.
    """
    init.__pydantic_base_init__ = True  # type: ignore[attr-defined]
    return init


class _Model(BaseModel):
    """A frozen model whose invalid input raises the library's errors, not ``ValidationError``.

    Every public model derives from it. Construction (``__init__``), ``model_validate``,
    ``model_validate_json`` and ``model_validate_strings`` raise a
    :class:`~qstash_protocol.ProtocolError` for an invalid value, and ``TypeError`` for a value of
    the wrong Python type, a missing or an unknown argument.
    """

    model_config = _MODEL_CONFIG

    #: Where the model sits in a request, for the header names in its errors.
    _error_scope: ClassVar[tuple[str, ...]] = ()

    @_validating_init
    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise _library_error(error, self._error_scope) from None

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The JSON Schema of the model's JSON form, as ``model_dump(mode="json")`` writes it.

        Each header value has the pattern (or format) of its grammar, the method an enum, the
        defaults their JSON value; descriptions are the docstrings' prose, without examples.
        Loading JSON with ``model_validate_json`` accepts more than the schema describes (a
        lower-case method, typed values), never less.
        """
        kwargs.setdefault("schema_generator", _JsonSchema)
        schema = super().model_json_schema(*args, **kwargs)
        _clean_descriptions(schema)
        return schema

    @classmethod
    def model_validate(cls, *args: Any, **kwargs: Any) -> Self:
        """Validate an object (a mapping, a model) into this model; see the class docstring."""
        try:
            return super().model_validate(*args, **kwargs)
        except ValidationError as error:
            raise _library_error(error, cls._error_scope) from None

    @classmethod
    def model_validate_json(cls, *args: Any, **kwargs: Any) -> Self:
        """Validate JSON text into this model; see the class docstring."""
        try:
            return super().model_validate_json(*args, **kwargs)
        except ValidationError as error:
            raise _library_error(error, cls._error_scope) from None

    @classmethod
    def model_validate_strings(cls, *args: Any, **kwargs: Any) -> Self:
        """Validate a mapping of strings into this model; see the class docstring."""
        try:
            return super().model_validate_strings(*args, **kwargs)
        except ValidationError as error:
            raise _library_error(error, cls._error_scope) from None


class FlowControlInput(TypedDict):
    """What :class:`FlowControl` accepts, as a ``dict`` (both keys required)."""

    key: str
    value: FlowControlValue | str


class FlowControl(_Model):
    """``Upstash-Flow-Control-Key`` and ``Upstash-Flow-Control-Value``: they come together.

    >>> FlowControl(key="tenant-1", value="rate=10, period=1m").value.rate
    10
    """

    _error_scope: ClassVar[tuple[str, ...]] = ("flow_control",)

    key: FlowControlKey
    value: FlowControlValueField

    @_validating_init
    def __init__(self, *, key: str, value: FlowControlValue | str) -> None:
        super().__init__(key=key, value=value)


_Headers = Mapping[str, str] | Iterable[tuple[str, str]]


class ScopeInput(TypedDict, total=False):
    """The keyword arguments every scope accepts: each value typed, or as its header text.

    The model's attributes hold the canonical types (``timedelta``, ``RetryDelay``, ...); these
    are what construction accepts, so ``MessageOptions(retries=3, delay="1m")`` type-checks as
    it is (plain ``mypy --strict`` or pyright strict, no plugin).
    """

    method: str | None
    timeout: timedelta | str | None
    retries: int | str | None
    retry_delay: RetryDelay | str | None
    delay: timedelta | str | None
    not_before: datetime | int | str | None
    flow_control: FlowControl | FlowControlInput | None
    labels: Iterable[str] | str
    deduplication_id: str | None
    content_based_deduplication: bool | str | None
    redact: RedactFields | str | None
    cron: str | None
    queue_name: str | None
    schedule_id: str | None
    header_forward: bool | str | None
    forward: _Headers
    callback: Callback | CallbackInput | None
    failure_callback: Callback | CallbackInput | None
    orphan_callback: OrphanScope | ScopeInput | None
    orphan_failure_callback: OrphanScope | ScopeInput | None
    extra: _Headers


class CallbackInput(ScopeInput):
    """What :class:`Callback` accepts: a scope's settings and its (required) ``url``."""

    url: Required[str]


class MessageOptionsInput(ScopeInput, total=False):
    """What :class:`MessageOptions` accepts: a scope's settings and ``content_type``."""

    content_type: str | None


def _depth(scope: _Scope) -> int:
    """How many callback scopes nest below ``scope`` (0 for none), counted up to one too many."""
    depth = 0
    level: list[_Scope] = [scope]
    while level and depth <= MAX_SCOPE_DEPTH:
        level = [
            child
            for parent in level
            for child in (
                parent.callback,
                parent.failure_callback,
                parent.orphan_callback,
                parent.orphan_failure_callback,
            )
            if isinstance(child, _Scope)
        ]
        depth += bool(level)
    return depth


class _Scope(_Model):
    """The settings every message scope has: the message itself and each of its callbacks."""

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
    orphan_callback: OrphanScope | None = None
    orphan_failure_callback: OrphanScope | None = None
    extra: ExtraHeaderMap = _EMPTY_HEADERS

    @model_validator(mode="after")
    def _one_kind_of_each_scope(self) -> Self:
        """A scope is either a callback (with its URL) or an orphan, not both; nesting bounded."""
        if self.callback is not None and self.orphan_callback is not None:
            msg = "callback and orphan_callback exclude each other: a URL makes the scope live"
            raise InvalidOptions(msg, code="options.conflict")
        if self.failure_callback is not None and self.orphan_failure_callback is not None:
            msg = "failure_callback and orphan_failure_callback exclude each other"
            raise InvalidOptions(msg, code="options.conflict")
        # The decoder refuses headers nested deeper than MAX_SCOPE_DEPTH scopes; a callback is
        # itself one scope deep, so its own callbacks may nest one level less.
        limit = MAX_SCOPE_DEPTH - (0 if isinstance(self, MessageOptions) else 1)
        if _depth(self) > limit:
            raise InvalidHeader(
                f"callback scopes nest at most {MAX_SCOPE_DEPTH} deep",
                code="header.too_deep",
            )
        return self


class Callback(_Scope):
    """A callback or failure callback: its URL, and the settings of the callback message.

    ``Upstash-Callback-Retries: 2`` is ``Callback(url=..., retries=2)``; ``extra`` holds the
    unknown ``Upstash-Callback-X`` headers under their unscoped names (``Upstash-X``).

    >>> Callback(url="https://cb.example/hook", retries=2).retries
    2
    """

    _error_scope: ClassVar[tuple[str, ...]] = ("callback",)

    url: CallbackUrl

    @_validating_init
    def __init__(self, **data: Unpack[CallbackInput]) -> None:
        super().__init__(**data)


class OrphanScope(_Scope):
    """The settings and forwarded headers of a callback scope sent without the scope's URL.

    ``Upstash-Failure-Callback-Retries: 3`` without ``Upstash-Failure-Callback`` is
    ``MessageOptions(orphan_failure_callback=OrphanScope(retries=3))``. The service accepts such
    headers and ignores them (there is no callback to apply them to); the official Python
    workflow SDK sends them on every step. They are kept, as ``extra`` keeps unknown headers, so
    that encoding gives back every header the request carried; :func:`~qstash_protocol.lint_headers`
    reports them (``header.callback_without_url``).

    >>> OrphanScope(retries=3, forward={"x-run": "1"}).forward["X-Run"]
    '1'
    """

    _error_scope: ClassVar[tuple[str, ...]] = ("orphan_callback",)

    @_validating_init
    def __init__(self, **data: Unpack[ScopeInput]) -> None:
        super().__init__(**data)


class MessageOptions(_Scope):
    """Every option of a publish or enqueue request, as its headers give them.

    >>> MessageOptions(method="put", timeout="30").timeout.total_seconds()
    30.0
    """

    content_type: ContentType | None = None

    @_validating_init
    def __init__(self, **data: Unpack[MessageOptionsInput]) -> None:
        super().__init__(**data)


# No model_rebuild() here: the models are built on first validation (defer_build), when their
# forward references resolve, so importing the package builds no pydantic schema (about half of
# its import time). Decoding never validates: it builds models with trusted_model.

_M = TypeVar("_M", bound=BaseModel)
_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}
_new_object: Final = object.__new__
# BaseModel's slots, set directly as pydantic's own model_construct does (frozen models refuse
# ordinary attribute assignment); the setters bound once, as trusted_model is on the hot path.
_set_dict: Final = BaseModel.__dict__["__dict__"].__set__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__


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
        # Every field in the class's order (a required one given None until ``fields`` sets
        # it), so that the values are in the order validation gives them: repr and dumps agree.
        defaults = _DEFAULTS[cls] = {
            name: None if info.is_required() else info.default
            for name, info in cls.model_fields.items()
        }
    model = _new_object(cls)
    _set_dict(model, defaults | fields)
    _set_fields_set(model, set(fields))
    _set_extra(model, None)
    _set_private(model, None)
    return model
