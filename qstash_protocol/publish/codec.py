"""Decode the headers of a publish or enqueue request into :class:`MessageOptions`, and back.

>>> options = decode_headers({
...     "Content-Type": "application/json",
...     "Upstash-Retries": "3",
...     "Upstash-Delay": "90s",
...     "upstash-forward-x-api-key": "k",
...     "Upstash-Callback": "https://cb.example/hook",
...     "Upstash-Callback-Retries": "1",
... })
>>> options.retries, options.callback.retries, options.forward["X-Api-Key"]
(3, 1, 'k')
>>> encode_headers(options)["Upstash-Delay"]
'1m30s'

Facts
-----
The rule: header names are read with the prefix grammar of :mod:`qstash_protocol.publish.headers`
(``Upstash-`` scope* directive); each setting's value with its own parser (durations,
retry-delay expressions, flow control, redact fields, ...). Every problem in the request is
collected and reported at once in one :class:`InvalidHeaders`. Readings taken where the sources
disagree or say nothing:

- **A setting twice** is an error (``header.duplicate``), not a list: the Go server reads one
  value with ``Header.Get`` and would silently drop the rest. Forwarded and unknown headers may
  repeat; their values are combined (``", "``, or ``"; "`` for ``Cookie``).
- **Not-Before and Delay** may both be given; Not-Before wins (``delay.mdx``, ``openapi.yaml``).
  :func:`first_delivery_time` computes the effect.
- **Timeouts** (``Upstash-Timeout`` and every scoped ``...-Timeout``) also accept bare whole
  seconds (``30``): the workflow SDK sends that form. ``Upstash-Delay`` does not: the server
  answered ``Upstash-Delay: 1`` with ``missing unit in duration "1"``.
- **Booleans**: ``Upstash-Content-Based-Deduplication`` accepts ``true``/``false`` in any case
  (the Python SDK sends ``True``/``False``); it is written back as ``true``/``false``, and
  ``false`` is written rather than omitted, so a decoded value survives a round trip.
- **Redact tokens**: both ``header``/``headers`` spellings are read; ``header`` is written (what
  the SDKs send and the live service is tested with). See :mod:`qstash_protocol.values.redact`.
- **Callbacks**: a scope's settings, forwarded or unknown headers without that scope's URL are
  errors (``header.callback_without_url``): the server would have nowhere to send them.
- **Content-Type** belongs to the message (it is forwarded unprefixed); inside callback scopes
  ``Upstash-Callback-Content-Type`` is an unknown header like any other.
- **Unknown** ``Upstash-`` headers (workflow, telemetry, ...) are kept in ``extra`` of the scope
  they appear in, under their unscoped name, or reported (``header.unknown``) with
  ``unknown="error"``. Non-``Upstash-`` headers other than ``Content-Type`` (``Authorization``,
  ``Host``, ...) are not the message's and are left out.
- **Injection**: names must be RFC 9110 tokens and values may not contain CR, LF, NUL or other
  control characters, on decode and on encode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, Final, Literal

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.headers import (
    FORBIDDEN_IN_VALUE,
    SETTINGS,
    HeaderName,
    Headers,
    InvalidHeader,
    canonical_header_name,
    header_text,
    parse_header_name,
    validate_content_type,
    validate_header_value,
)
from qstash_protocol.publish.options import Callback, FlowControl, MessageOptions, trusted_model
from qstash_protocol.values.cron import validate_cron
from qstash_protocol.values.deduplication import (
    parse_content_based_deduplication,
    validate_deduplication_id,
)
from qstash_protocol.values.durations import format_duration, parse_duration
from qstash_protocol.values.flow_control import parse_flow_control_value, validate_flow_control_key
from qstash_protocol.values.names import validate_queue_name, validate_schedule_id
from qstash_protocol.values.redact import parse_redact_fields
from qstash_protocol.values.retry_delay import parse_retry_delay
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

__all__ = [
    "InvalidHeaders",
    "decode_headers",
    "encode_headers",
    "first_delivery_time",
]


class InvalidHeaders(ProtocolError):
    """Every problem found in a request's headers, in the order of the headers.

    ``errors`` holds one :class:`~qstash_protocol.ProtocolError` per problem, each naming its
    ``header``, ``value``, ``code`` and ``span``; ``str()`` lists them all.

    >>> try:
    ...     decode_headers({"Upstash-Retries": "-1", "Upstash-Delay": "30"})
    ... except InvalidHeaders as err:
    ...     print([e.code for e in err.errors])
    ['retries.negative', 'duration.missing_unit']
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "headers.invalid": "one or more headers are invalid (see .errors)",
    }

    errors: tuple[ProtocolError, ...]

    def __init__(self, errors: Iterable[ProtocolError]) -> None:
        self.errors = tuple(errors)
        count = len(self.errors)
        summary = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{summary} in the request headers", code="headers.invalid")

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

        >>> InvalidHeaders([]).to_dict()["errors"]
        []
        """
        return {**super().to_dict(), "errors": [error.to_dict() for error in self.errors]}


# directive -> parser of its (stripped) header value
_PARSERS: Final[Mapping[str, Callable[[str], Any]]] = {
    "method": parse_method,
    "timeout": lambda text: parse_duration(text, allow_bare_seconds=True),
    "retries": parse_retries,
    "retry-delay": parse_retry_delay,
    "delay": parse_duration,
    "not-before": parse_not_before,
    "flow-control-key": validate_flow_control_key,
    "flow-control-value": parse_flow_control_value,
    "label": parse_labels,
    "deduplication-id": validate_deduplication_id,
    "content-based-deduplication": parse_content_based_deduplication,
    "redact-fields": parse_redact_fields,
    "cron": validate_cron,
    "queue-name": validate_queue_name,
    "schedule-id": validate_schedule_id,
    "header-forward": parse_header_forward,
}
assert set(_PARSERS) == set(SETTINGS)
_URL: Final = "url"  # the cache key of callback URLs, parsed by parse_callback_url
_SCOPE_WORDS: Final = {"callback": "Callback", "failure_callback": "Failure-Callback"}

#: How many distinct header names and values the decoder remembers (it starts afresh beyond).
_CACHE_SIZE: Final = 4096
_names: dict[str, HeaderName | None] = {}
_values: dict[tuple[str, str], Any] = {}
# Values that differ from message to message and are cheap to check: caching them would only
# push the settings that repeat (and cost more to parse) out of the cache.
_UNCACHED: Final = frozenset({"deduplication-id", "not-before", "label"})


class _Scope:
    """What the headers say about one scope, before its values are parsed."""

    __slots__ = ("children", "extra", "forward", "settings", "url")

    def __init__(self) -> None:
        self.settings: dict[str, tuple[int, str, str]] = {}
        # (position, header name as sent, value, name within the scope)
        self.forward: list[tuple[int, str, str, str]] = []
        self.extra: list[tuple[int, str, str, str]] = []
        self.url: tuple[int, str, str] | None = None
        self.children: dict[str, _Scope] = {}

    def child(self, scope: str) -> _Scope:
        found = self.children.get(scope)
        if found is None:
            found = self.children[scope] = _Scope()
        return found

    def first_header(self) -> tuple[int, str, str] | None:
        """The first header (by position) that configures this scope, url excluded."""
        entries = [*self.settings.values()]
        entries += [(index, name, value) for index, name, value, _ in self.forward + self.extra]
        entries += [e for c in self.children.values() for e in [c.url, c.first_header()] if e]
        return min(entries) if entries else None


def decode_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"] = "keep",
) -> MessageOptions:
    """Decode the headers of a publish or enqueue request into :class:`MessageOptions`.

    ``headers`` is a mapping or an iterable of ``(name, value)`` pairs (names may repeat), as
    ``str``, or as ``bytes`` the way ASGI servers hand them over (decoded as ISO-8859-1, which
    keeps every byte: encode the result with ``latin-1`` to get the same bytes back). Names are
    case-insensitive; surrounding whitespace of values is ignored. ``Upstash-`` headers the
    library does not know are kept in ``extra`` (``unknown="keep"``) or reported
    (``unknown="error"``).

    >>> decode_headers([("upstash-method", "put"), ("Upstash-Timeout", "30")]).method
    'PUT'
    >>> decode_headers([(b"upstash-retries", b"3")]).retries
    3

    Raises:
        InvalidHeaders: with every problem in the request, each a ``ProtocolError``.
        TypeError: when a header name or value is neither ``str`` nor ``bytes``.

    """
    errors: list[tuple[int, ProtocolError]] = []
    root = _Scope()
    content_type: tuple[int, str, str] | None = None
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for index, (raw_name, raw_value) in enumerate(pairs):
        name = raw_name if raw_name.__class__ is str else header_text(raw_name, "names")
        try:
            parsed = _names[name]
        except KeyError:
            try:
                parsed = _classify(name)
            except ProtocolError as error:
                errors.append((index, error.with_header(name)))
                continue
        value = raw_value if raw_value.__class__ is str else header_text(raw_value, "values")
        if parsed is None and name.lower() != "content-type":
            continue  # not the message's: Authorization, Host, ...
        # validate_header_value, inline: this loop is the decoder's hot path.
        value = value.strip(" \t")
        if FORBIDDEN_IN_VALUE.search(value) is not None:
            try:
                validate_header_value(value)
            except ProtocolError as error:
                errors.append((index, error.with_header(name)))
            continue
        if parsed is None:
            if content_type is not None:
                errors.append((index, _duplicate(name, value, content_type[1])))
            else:
                content_type = (index, name, value)
            continue
        scopes, kind, directive, forward_name = parsed
        scope = root
        for step in scopes:
            scope = scope.child(step)
        if kind == "setting":
            previous = scope.settings.get(directive)
            if previous is not None:
                errors.append((index, _duplicate(name, value, previous[1])))
            else:
                scope.settings[directive] = (index, name, value)
        elif kind == "forward":
            assert forward_name is not None
            scope.forward.append((index, name, value, forward_name))
        elif kind == "url":
            if scope.url is not None:
                errors.append((index, _duplicate(name, value, scope.url[1])))
            else:
                scope.url = (index, name, value)
        elif unknown == "error":
            errors.append(
                (
                    index,
                    InvalidHeader(
                        f"unknown QStash header {name!r}",
                        code="header.unknown",
                        value=name,
                        span=(0, len(name)),
                        header=name,
                    ),
                )
            )
        else:
            unscoped = "Upstash-" + canonical_header_name(directive)
            scope.extra.append((index, name, value, unscoped))

    fields = _build(root, errors)
    if content_type is not None:
        index, name, value = content_type
        try:
            fields["content_type"] = validate_content_type(value)
        except ProtocolError as error:
            errors.append((index, error.with_header(name)))
    if errors:
        errors.sort(key=lambda item: item[0])
        raise InvalidHeaders(error for _, error in errors)
    # Every value was parsed by the parsers the model's validators call: no need to run them.
    return trusted_model(MessageOptions, fields)


def _classify(name: str) -> HeaderName | None:
    parsed = parse_header_name(name)
    if len(_names) >= _CACHE_SIZE:
        _names.clear()
    _names[name] = parsed
    return parsed


def _duplicate(name: str, value: str, first_name: str) -> InvalidHeader:
    return InvalidHeader(
        f"{first_name} may appear once; it appears again as {name!r}",
        code="header.duplicate",
        value=value,
        span=(0, len(value)),
        header=name,
    )


def _parse_value(directive: str, value: str) -> Any:
    key = (directive, value)
    try:
        return _values[key]
    except KeyError:
        pass
    parsed = parse_callback_url(value) if directive == _URL else _PARSERS[directive](value)
    if directive not in _UNCACHED:
        if len(_values) >= _CACHE_SIZE:
            _values.clear()
        _values[key] = parsed
    return parsed


def _build(
    scope: _Scope, errors: list[tuple[int, ProtocolError]], prefix: str = "Upstash-"
) -> dict[str, Any]:
    """Parse one scope's values into model fields, appending every problem to ``errors``.

    ``prefix`` is the scope's header prefix (``Upstash-``, ``Upstash-Callback-``, ...).
    """
    fields: dict[str, Any] = {}
    settings = scope.settings
    cache = _values
    for directive, (index, name, value) in settings.items():
        parsed = cache.get((directive, value))  # _parse_value's cache, looked up inline
        if parsed is None:
            try:
                parsed = _parse_value(directive, value)
            except ProtocolError as error:
                errors.append((index, error.with_header(name)))
                continue
        fields[SETTINGS[directive]] = parsed
    has_key = "flow-control-key" in settings
    has_value = "flow-control-value" in settings
    if has_key and has_value:
        key = fields.pop("flow_control_key", None)
        flow_value = fields.pop("flow_control_value", None)
        if key is not None and flow_value is not None:
            fields["flow_control"] = trusted_model(FlowControl, {"key": key, "value": flow_value})
    elif has_key or has_value:
        present, suffix, partner = (
            ("flow-control-key", 3, "Value") if has_key else ("flow-control-value", 5, "Key")
        )
        fields.pop(SETTINGS[present], None)
        index, name, value = settings[present]
        errors.append(
            (
                index,
                InvalidHeader(
                    f"this header needs {name[:-suffix]}{partner} too: the two come together",
                    code="header.flow_control_incomplete",
                    value=value,
                    span=(0, len(value)),
                    header=name,
                ),
            )
        )
    if scope.forward:
        fields["forward"] = Headers._trusted([(name, value) for _, _, value, name in scope.forward])
    if scope.extra:
        fields["extra"] = Headers._trusted([(name, value) for _, _, value, name in scope.extra])
    for child_name, child in scope.children.items():
        url_header = prefix + _SCOPE_WORDS[child_name]
        child_fields = _build(child, errors, url_header + "-")
        if child.url is None:
            first = child.first_header()
            if first is not None:
                index, name, value = first
                errors.append(
                    (
                        index,
                        InvalidHeader(
                            f"this header configures a callback, but there is no {url_header} "
                            "header with its URL",
                            code="header.callback_without_url",
                            value=value,
                            span=(0, len(value)),
                            header=name,
                        ),
                    )
                )
            continue
        index, name, value = child.url
        try:
            child_fields["url"] = _parse_value(_URL, value)
        except ProtocolError as error:
            errors.append((index, error.with_header(name)))
            continue
        if not errors:  # otherwise decode_headers raises, and a model is not needed
            fields[child_name] = trusted_model(Callback, child_fields)
    return fields


_formatted: dict[Any, str] = {}


def _format(value: Any, formatter: Callable[[Any], str]) -> str:
    try:
        return _formatted[value]
    except KeyError:
        pass
    text = formatter(value)
    if len(_formatted) >= _CACHE_SIZE:
        _formatted.clear()
    _formatted[value] = text
    return text


def encode_headers(options: MessageOptions) -> dict[str, str]:
    """Encode :class:`MessageOptions` as canonical QStash request headers.

    Names are in canonical case, values in canonical form, in a fixed order: ``Content-Type``,
    the settings, the forwarded headers, the callback and its headers, the failure callback and
    its headers, then the unknown headers. ``decode_headers(encode_headers(o)) == o``.

    >>> encode_headers(MessageOptions(retries=3, retry_delay="pow(2,retried)*1000"))
    {'Upstash-Retries': '3', 'Upstash-Retry-Delay': 'pow(2, retried) * 1000'}

    Raises:
        InvalidHeader: ``header.forbidden_character`` if a value holds a control character
            (possible only for models built without validation, e.g. ``model_construct``).

    """
    out: dict[str, str] = {}
    if options.content_type is not None:
        out["Content-Type"] = options.content_type
    _encode_scope(options, "Upstash-", out)
    if FORBIDDEN_IN_VALUE.search("".join(out.values())):
        for name, value in out.items():
            try:
                validate_header_value(value)
            except InvalidHeader as error:
                raise error.with_header(name) from None
    return out


def _encode_scope(scope: MessageOptions | Callback, prefix: str, out: dict[str, str]) -> None:
    # Field values straight from the model's __dict__, and cached formatting inline: encoding
    # is the hot path of an SDK, and attribute access on a model is several dict lookups.
    fields = scope.__dict__
    formatted = _formatted
    value = fields["method"]
    if value is not None:
        out[prefix + "Method"] = value
    value = fields["timeout"]
    if value is not None:
        out[prefix + "Timeout"] = formatted.get(value) or _format(value, format_duration)
    value = fields["retries"]
    if value is not None:
        out[prefix + "Retries"] = str(value)
    value = fields["retry_delay"]
    if value is not None:
        out[prefix + "Retry-Delay"] = str(value)
    value = fields["delay"]
    if value is not None:
        out[prefix + "Delay"] = formatted.get(value) or _format(value, format_duration)
    value = fields["not_before"]
    if value is not None:
        out[prefix + "Not-Before"] = format_not_before(value)
    value = fields["flow_control"]
    if value is not None:
        out[prefix + "Flow-Control-Key"] = value.key
        flow = value.value
        out[prefix + "Flow-Control-Value"] = formatted.get(flow) or _format(flow, str)
    value = fields["labels"]
    if value:
        out[prefix + "Label"] = format_labels(value)
    value = fields["deduplication_id"]
    if value is not None:
        out[prefix + "Deduplication-Id"] = value
    value = fields["content_based_deduplication"]
    if value is not None:
        out[prefix + "Content-Based-Deduplication"] = "true" if value else "false"
    value = fields["header_forward"]
    if value is not None:
        out[prefix + "Header-Forward"] = "true" if value else "false"
    value = fields["redact"]
    if value is not None:
        out[prefix + "Redact-Fields"] = formatted.get(value) or _format(value, str)
    value = fields["cron"]
    if value is not None:
        out[prefix + "Cron"] = value
    value = fields["queue_name"]
    if value is not None:
        out[prefix + "Queue-Name"] = value
    value = fields["schedule_id"]
    if value is not None:
        out[prefix + "Schedule-Id"] = value
    forwarded = fields["forward"]._items  # the plain dict inside: no Mapping protocol per item
    if forwarded:
        forward = prefix + "Forward-"
        for name, text in forwarded.items():
            out[forward + name] = text
    callback = fields["callback"]
    if callback is not None:
        out[prefix + "Callback"] = callback.url
        _encode_scope(callback, prefix + "Callback-", out)
    callback = fields["failure_callback"]
    if callback is not None:
        out[prefix + "Failure-Callback"] = callback.url
        _encode_scope(callback, prefix + "Failure-Callback-", out)
    extra = fields["extra"]._items
    if extra:
        for name, text in extra.items():
            out[prefix + name[8:]] = text  # name[8:] drops "Upstash-"


def first_delivery_time(options: MessageOptions, now: datetime) -> datetime:
    """When the message is first delivered, given the time ``now`` it was published.

    ``Upstash-Not-Before`` wins over ``Upstash-Delay`` when both are given; a Not-Before in the
    past means now. ``now`` must be an aware ``datetime``.

    >>> from datetime import UTC
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> first_delivery_time(MessageOptions(delay="1h"), now).isoformat()
    '2026-01-01T01:00:00+00:00'
    >>> first_delivery_time(MessageOptions(delay="1h", not_before=1767225600 + 60), now).isoformat()
    '2026-01-01T00:01:00+00:00'
    """
    if now.tzinfo is None:
        msg = "now must be an aware datetime"
        raise ValueError(msg)
    if options.not_before is not None:
        return max(now, options.not_before)
    return now + (options.delay or timedelta(0))
