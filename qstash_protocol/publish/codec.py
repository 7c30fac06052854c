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

Every refusal has evidence (an error text the service returned, an SDK change made because the
service refused it, a documented rule, or "no meaning"); what the service accepts but ignores,
or what is probably a slip, is a warning (:class:`~qstash_protocol.Finding`), raised only with
``strict=True`` and listed by :func:`~qstash_protocol.lint_headers`. The table of every code and
its evidence is ``docs/protocol/verdicts.md``.

- **A setting twice** (or a callback URL, or ``Content-Type``) is a warning
  (``header.duplicate``): the Go server reads one value with ``Header.Get``, the first, and so
  does the library; the repeated value has no effect and is not kept. Forwarded and unknown
  headers may repeat; their values are combined (``", "``, or ``"; "`` for ``Cookie``).
- **Not-Before and Delay** may both be given; Not-Before wins
  (https://upstash.com/docs/qstash/features/delay): a warning,
  ``delay.overridden_by_not_before``. :func:`first_delivery_time` computes the effect.
- **Timeouts** (``Upstash-Timeout`` and every scoped ``...-Timeout``) also accept bare whole
  seconds (``30``): the workflow SDK sends that form (``context.call`` with ``timeout: 30``,
  https://github.com/upstash/workflow-js/blob/main/src/context/steps.ts). ``Upstash-Delay`` does
  not: the server answered ``Upstash-Delay: 1`` with ``invalid Upstash-Delay header: time:
  missing unit in duration "1"`` (https://github.com/upstash/qstash-js/pull/9).
- **Booleans**: ``Upstash-Content-Based-Deduplication`` accepts ``true``/``false`` in any case
  (the Python SDK sends ``True``/``False``); it is written back as ``true``/``false``, and
  ``false`` is written rather than omitted, so a decoded value survives a round trip. Together
  with an explicit ``Upstash-Deduplication-Id`` it is a warning
  (``deduplication.id_and_content_based``).
- **Redact tokens**: both ``header``/``headers`` spellings are read; ``header`` is written (what
  the SDKs send and the live service is tested with). See :mod:`qstash_protocol.values.redact`.
- **Callbacks**: a scope's settings, forwarded or unknown headers without that scope's URL are
  accepted, as the service accepts them (the official Python workflow SDK,
  https://github.com/upstash/workflow-py, sends ``Upstash-Failure-Callback-Forward-*`` and
  ``-Retries`` without a failure URL on every step), and kept on the model as an
  :class:`~qstash_protocol.OrphanScope` (``orphan_callback``, ``orphan_failure_callback``), with
  the warning ``header.callback_without_url``. Their values are still parsed: a malformed value
  is refused wherever it appears.
- **Content-Type** belongs to the message (it is forwarded unprefixed,
  https://upstash.com/docs/qstash/howto/receiving); one that is not a media type is a warning
  (``header.invalid_content_type``): QStash forwards it as it is. Inside callback scopes
  ``Upstash-Callback-Content-Type`` is an unknown header like any other.
- **Unknown** ``Upstash-`` headers (workflow, telemetry, ...) are kept in ``extra`` of the scope
  they appear in, under their unscoped name, or reported (``header.unknown``) with
  ``unknown="error"``. One that is a slip away from a known header (``Upstash-Retry``,
  ``Upstash-Labels``) is a warning, ``header.misspelled``. Non-``Upstash-`` headers other than
  ``Content-Type`` (``Authorization``, ``Host``, ...) are not the message's and are left out.
- **Flow control** needs both headers (``header.flow_control_incomplete``): the server answers a
  key whose value names neither rate nor parallelism with ``Upstash-Flow-Control-Value should be
  either rate=X or parallelism=Y, or both as comma-separated values``
  (https://github.com/upstash/qstash-js/issues/240), and qstash-js refuses a key with no values
  ("Provide at least one of parallelism or ratePerSecond"); a value without a key limits nothing
  (no meaning).
- **Bounds** (library policy, named in :mod:`qstash_protocol.publish.headers`): at most
  :data:`~qstash_protocol.MAX_HEADERS` headers (refused before any is read, so 200,000 headers
  cost a millisecond), names of at most :data:`~qstash_protocol.MAX_HEADER_NAME_LENGTH` and
  values of at most :data:`~qstash_protocol.MAX_HEADER_VALUE_LENGTH` characters (checked before
  parsing), and :class:`InvalidHeaders` lists at most :data:`~qstash_protocol.MAX_ERRORS`
  problems and counts the rest (``errors_omitted``). Only the first ``MAX_SLIP_CHECKS`` (32)
  unknown ``Upstash-`` headers of a request are compared with the known directives for
  ``header.misspelled`` (difflib costs tens of microseconds a name; by position, so the
  findings do not depend on what was decoded before).
- **Speed without a second reading**: the names the official SDKs send (every setting in every
  scope, the workflow SDKs' headers, common HTTP headers) are read once per process with
  :func:`~qstash_protocol.publish.headers.parse_header_name` into a table keyed by lower case
  (an ASCII name only: ``str.lower`` folds some non-ASCII letters, such as the Kelvin sign,
  into ASCII); values and names are cached (bounded); a callback given by its URL alone and a
  flow-control pair are shared, frozen models. Requests are decoded by the *plan* of their
  header names (in order), made from the names alone the first time they are met: which
  header is a setting, a forwarded or unknown header, a callback or ``Content-Type`` is
  decided by the names, so only the values are read (each still parsed, with the same
  caches). The plan gives up, and the request is decoded the general way, on anything the
  general way would report but a callback scope without its URL; names that give a finding
  themselves (a duplicate, a slip, a name that is not a token) have no plan. At most 1,024
  shapes of at most 64 headers and 4,096 characters of names are kept.
  ``tests/test_fast_paths.py`` compares each fast path with the plain reading.
- **Input shapes**: a mapping, anything with ``.items()`` giving pairs (``http.client.HTTPMessage``,
  ``email.message.Message``, multi-dicts; repeated names kept), or an iterable of pairs. A
  ``str`` (a whole header block) or anything else raises ``TypeError``, with a hint.
- **Encoding checks what it writes**, whatever way the model was built (``model_construct``,
  ``model_copy(update=...)``, a plain ``dict`` for ``forward``): each distinct name is read with
  the prefix grammar once and remembered, each setting's value with its parser (cached as the
  decoder's), each value for control characters and length; an ``extra`` name must be an
  unscoped ``Upstash-`` header this library does not know (``X-Evil`` is refused with
  ``header.not_upstash``, not written as ``Upstash-eader``). Anything else wrong in a model
  built without validation is ``header.unencodable``. So ``encode_headers`` raises only
  :class:`~qstash_protocol.ProtocolError` (or ``TypeError`` for a non-model argument).
- **Injection**: names must be RFC 9110 tokens and values may not contain CR, LF, NUL or other
  control characters, on decode and on encode: Go's HTTP server answers such a request with
  ``400 Bad Request`` before QStash sees it (``httpguts.ValidHeaderFieldName`` and
  ``ValidHeaderFieldValue``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from itertools import islice
from operator import itemgetter
from typing import Any, ClassVar, Final, Literal, NamedTuple

from qstash_protocol._chars import TOKEN, canonical_token, new_tuple
from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.findings import Finding, closest_directive, misspelled
from qstash_protocol.publish.headers import (
    _LONG_VALUE,
    FORBIDDEN_IN_VALUE,
    MAX_ERRORS,
    MAX_HEADER_NAME_LENGTH,
    MAX_HEADER_VALUE_LENGTH,
    MAX_HEADERS,
    MAX_SCOPE_DEPTH,
    SETTINGS,
    HeaderName,
    Headers,
    InvalidHeader,
    has_forbidden_character,
    header_text,
    parse_header_name,
    validate_content_type,
    validate_header_value,
)
from qstash_protocol.publish.options import (
    _EMPTY_HEADERS,
    Callback,
    FlowControl,
    MessageOptions,
    OrphanScope,
    trusted_model,
)
from qstash_protocol.values.cron import validate_cron
from qstash_protocol.values.deduplication import (
    parse_content_based_deduplication,
    validate_deduplication_id,
)
from qstash_protocol.values.durations import format_duration, parse_duration
from qstash_protocol.values.flow_control import parse_flow_control_value, validate_flow_control_key
from qstash_protocol.values.names import validate_queue_name, validate_schedule_id
from qstash_protocol.values.redact import parse_redact_fields
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

__all__ = [
    "InvalidHeaders",
    "decode_headers",
    "decode_with_findings",
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
    #: How many problems there were beyond the :data:`~qstash_protocol.MAX_ERRORS` listed.
    errors_omitted: int

    def __init__(self, errors: Iterable[ProtocolError], *, omitted: int = 0) -> None:
        iterator = iter(errors)
        listed = list(islice(iterator, MAX_ERRORS))
        rest = sum(1 for _ in iterator)  # counted, not kept
        self.errors = tuple(listed)
        self.errors_omitted = omitted + rest
        count = len(self.errors) + self.errors_omitted
        summary = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{summary} in the request headers", code="headers.invalid")

    def __str__(self) -> str:
        lines = [self.message + ":"]
        for error in self.errors:
            first, *rest = str(error).split("\n")
            lines.append(f"- {first}")
            lines.extend(f"  {line}" for line in rest)
        if self.errors_omitted:
            lines.append(f"- ... and {self.errors_omitted} more (not listed)")
        return "\n".join(lines)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_invalid_headers, (type(self), self.errors, self.errors_omitted))

    def _key(self) -> tuple[Any, ...]:
        return (self.code, self.errors, self.errors_omitted)

    def to_dict(self) -> dict[str, Any]:
        """The error and every problem in it as JSON-ready data.

        >>> InvalidHeaders([]).to_dict()["errors"]
        []
        """
        return {
            **super().to_dict(),
            "errors": [error.to_dict() for error in self.errors],
            "errors_omitted": self.errors_omitted,
        }


def _rebuild_invalid_headers(
    cls: type[InvalidHeaders], errors: tuple[ProtocolError, ...], omitted: int
) -> InvalidHeaders:
    return cls(errors, omitted=omitted)


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
#: Longer header names are classified every time, not remembered, so the name cache holds at
#: most 4096 x 256 characters. Values need no such limit: only accepted values are remembered,
#: and each setting's parser refuses long ones (the longest accepted, Redact-Fields, is 4 KiB).
_MAX_CACHED_NAME: Final = 256
#: The longest (name, value) pair encode_headers remembers as checked, in characters.
_MAX_CACHED_PAIR: Final = 1024
#: Booleans as written; anything else in a constructed model is a KeyError, so header.unencodable.
_BOOLEAN_TEXT: Final = {True: "true", False: "false"}
_names: dict[str, HeaderName | None] = {}
#: Unknown directives: their unscoped header name, and whether they may be a slip (a cache;
#: the vocabulary's own are in _VOCABULARY_UNKNOWNS).
_unknown_cache: dict[str, tuple[str, bool | None]] = {}
#: Content types found valid (a cache).
_content_type_cache: dict[str, None] = {}
#: How many unknown ``Upstash-`` names of one request are compared with the known directives
#: (difflib, tens of microseconds each) for ``header.misspelled``; the rest are kept unchecked.
MAX_SLIP_CHECKS: Final = 32
_MISSING: Final[Any] = object()
_values: dict[tuple[str, str], Any] = {}
# Values that differ from message to message and are cheap to check: caching them would only
# push the settings that repeat (and cost more to parse) out of the cache.
_UNCACHED: Final = frozenset({"deduplication-id", "not-before", "label"})


class _Scope:
    """What the headers say about one scope, before its values are parsed.

    The URL of a callback scope is kept by its parent (``urls``), so that a callback given by
    its URL alone, the common case, needs no scope of its own.
    """

    __slots__ = ("children", "extra", "forward", "settings", "urls")

    def __init__(self) -> None:
        self.settings: dict[str, tuple[int, str, str]] = {}
        # (position, header name as sent, value, name within the scope)
        self.forward: list[tuple[int, str, str, str]] = []
        self.extra: list[tuple[int, str, str, str]] = []
        # the URL headers of the callback scopes within this one, by scope
        self.urls: dict[str, tuple[int, str, str]] = {}
        self.children: dict[str, _Scope] = {}

    def child(self, scope: str) -> _Scope:
        found = self.children.get(scope)
        if found is None:
            found = self.children[scope] = _Scope()
        return found

    def first_header(self) -> tuple[int, str, str] | None:
        """The first header (by position) that configures this scope."""
        entries = [*self.settings.values(), *self.urls.values()]
        entries += [(index, name, value) for index, name, value, _ in self.forward + self.extra]
        entries += [e for c in self.children.values() if (e := c.first_header())]
        return min(entries) if entries else None


def decode_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"] = "keep",
    strict: bool = False,
) -> MessageOptions:
    """Decode the headers of a publish or enqueue request into :class:`MessageOptions`.

    ``headers`` is a mapping or an iterable of ``(name, value)`` pairs (names may repeat), as
    ``str``, or as ``bytes`` the way ASGI servers hand them over (decoded as ISO-8859-1, which
    keeps every byte: encode the result with ``latin-1`` to get the same bytes back). Names are
    case-insensitive; surrounding whitespace of values is ignored. ``Upstash-`` headers the
    library does not know are kept in ``extra`` (``unknown="keep"``) or reported
    (``unknown="error"``). Only what the service refuses raises; with ``strict=True`` the
    warnings (:func:`~qstash_protocol.lint_headers`) raise too.

    >>> decode_headers([("upstash-method", "put"), ("Upstash-Timeout", "30")]).method
    'PUT'
    >>> decode_headers([(b"upstash-retries", b"3")]).retries
    3

    Callback settings without the callback's URL are ignored by the service, so they are
    accepted (and kept), and refused only in strict mode:

    >>> decode_headers({"Upstash-Failure-Callback-Retries": "3"}).orphan_failure_callback.retries
    3
    >>> decode_headers({"Upstash-Failure-Callback-Retries": "3"}, strict=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidHeaders: 1 problem in the request headers:
    - Upstash-Failure-Callback-Retries: this header configures a callback, but there is no ...
      3
      ^

    Raises:
        InvalidHeaders: with every problem in the request, each a ``ProtocolError``
            (with ``strict=True``, warnings as :class:`~qstash_protocol.Finding` too).
        TypeError: when a header name or value is neither ``str`` nor ``bytes``.

    """
    fields, errors, warnings = decode_fields(headers, unknown)
    if strict and warnings:
        errors.extend(warnings)
    if errors:
        errors.sort(key=lambda item: item[0])
        raise InvalidHeaders(error for _, error in errors)
    assert fields is not None
    # Every value was parsed by the parsers the model's validators call: no need to run them.
    return trusted_model(MessageOptions, fields)


def decode_with_findings(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    unknown: Literal["keep", "error"] = "keep",
) -> tuple[MessageOptions | None, list[Finding]]:
    """The decoded options (``None`` if there are errors) and every finding, in header order.

    >>> options, findings = decode_with_findings({"Upstash-Retries": "1", "Upstash-Retry": "2"})
    >>> options.retries, [f.code for f in findings]
    (1, ['header.misspelled'])
    """
    fields, errors, warnings = decode_fields(headers, unknown)
    everything = [(index, Finding.from_error(error)) for index, error in errors] + warnings
    everything.sort(key=lambda item: item[0])
    found = [finding for _, finding in everything]
    if errors or fields is None:
        return None, found
    return trusted_model(MessageOptions, fields), found


def decode_fields(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    unknown: Literal["keep", "error"],
    shape: tuple[Any, ...] | None = None,
    plan: Any = None,
) -> tuple[dict[str, Any] | None, list[tuple[int, ProtocolError]], list[tuple[int, Finding]]]:
    """Read the headers into model fields (``None`` on errors), the errors and the warnings.

    Each problem comes with the position of its header, so callers can merge and sort them.
    ``shape`` is the headers' names in order (:func:`_shape`), when the caller has read them,
    and ``plan`` what ``_plan_cache`` holds for them, when the caller has looked (``None``:
    look, and make the plan if there is none).
    For :mod:`qstash_protocol.publish.request`; use :func:`decode_headers` or
    :func:`decode_with_findings`.
    """
    # A request is decoded by the plan of its names (made the first time), if it can be.
    if unknown != "keep" or (shape is not None and len(shape) > _MAX_PLANNED):
        shape = None
    elif shape is None:
        shape = _shape(headers)
    if shape is not None:
        if plan is None:
            plan = _planned(shape)
        if plan is None:  # names not seen before: their plan, made from the names alone
            plan = _plan_of(shape)
            if plan is not None and sum(map(len, shape)) <= _MAX_PLANNED_NAMES:
                if len(_plan_cache) >= _PLAN_CACHE_SIZE:
                    _plan_cache.clear()
                _plan_cache[shape] = plan
        if plan.__class__ is _Plan:
            # The values of a dict, or of a list of pairs unpacked as the general way unpacks
            # them; bytes, values that are not text, or pairs that are not pairs: "\0".
            given: Any = headers
            joined = "\0"
            try:
                values = (
                    list(given.values())
                    if given.__class__ is dict
                    else [value for _, value in given]
                )
                joined = "".join(values)
            except (TypeError, ValueError):
                pass
            # Every forbidden character is unprintable (tab too): printable values need no
            # check but their length, and only spaces to strip.
            if len(joined) <= MAX_HEADER_VALUE_LENGTH and joined.isprintable():
                found: list[tuple[int, Finding]] = []
                planned = _run_plan(plan, shape, values, found)
                if planned is not None:
                    return planned, [], found
    errors: list[tuple[int, ProtocolError]] = []
    warnings: list[tuple[int, Finding]] = []
    root = _Scope()
    root_settings = root.settings
    content_type: tuple[int, str, str] | None = None
    pairs = _pairs(headers)
    size = _known_size(pairs)
    if size is not None and size > MAX_HEADERS:
        return None, [(0, _too_many(size))], []
    if size is None:  # one more than the bound at most, refused after the loop
        pairs = islice(pairs, MAX_HEADERS + 1)
    index = -1
    names = _names
    long_value = _LONG_VALUE
    forbidden = FORBIDDEN_IN_VALUE.search
    missing = _MISSING
    slip_checks = 0
    # This loop is the decoder's hot path: each header costs a few dictionary lookups.
    for index, pair in enumerate(pairs):
        try:
            name, value = pair
        except (TypeError, ValueError):
            msg = f"expected a (name, value) pair of str or bytes, got {_shown_type(pair)}"
            raise TypeError(msg) from None
        if name.__class__ is not str:
            name = header_text(name, "names")
        parsed = names.get(name, missing)
        if parsed is missing:
            try:
                parsed = _read_name(name)
            except ProtocolError as error:
                errors.append((index, error.with_header(name[:MAX_HEADER_NAME_LENGTH])))
                continue
        if value.__class__ is not str:
            value = header_text(value, "values")
        if parsed is None and name.lower() != "content-type":
            continue  # not the message's: Authorization, Host, ...
        # validate_header_value, inline: every forbidden character is unprintable, so most
        # values need no regex at all (has_forbidden_character's short case)
        if len(value) < long_value:
            value = value.strip(" \t")
            if not value.isprintable() and forbidden(value) is not None:
                _refuse_value(index, name, value, errors)
                continue
        elif len(value) > MAX_HEADER_VALUE_LENGTH:
            try:
                _raise_too_long(value, "value", MAX_HEADER_VALUE_LENGTH)
            except ProtocolError as error:
                errors.append((index, error.with_header(name)))
            continue
        else:
            value = value.strip(" \t")
            if has_forbidden_character(value):
                _refuse_value(index, name, value, errors)
                continue
        if parsed is None:
            if content_type is not None:
                warnings.append((index, _duplicate(name, value, content_type[1])))
            else:
                content_type = (index, name, value)
            continue
        scopes, kind, directive, forward_name = parsed
        if kind == "setting":
            settings = _walk(root, scopes).settings if scopes else root_settings
            if directive in settings:
                warnings.append((index, _duplicate(name, value, settings[directive][1])))
            else:
                settings[directive] = (index, name, value)
            continue
        if kind == "url":  # kept by the parent scope
            urls = (_walk(root, scopes[:-1]) if len(scopes) > 1 else root).urls
            step = scopes[-1]
            if step in urls:
                warnings.append((index, _duplicate(name, value, urls[step][1])))
            else:
                urls[step] = (index, name, value)
            continue
        scope = _walk(root, scopes) if scopes else root
        if kind == "forward":
            assert forward_name is not None
            scope.forward.append((index, name, value, forward_name))
        else:
            unknown_info = (
                _unknown_cache.get(directive)
                or _VOCABULARY_UNKNOWNS.get(directive)
                or _unknown_directive(directive)
            )
            unscoped, may_slip = unknown_info
            slip = None
            # Bounded: only the first MAX_SLIP_CHECKS unknown headers of a request are compared
            # with the known directives (difflib), so a flood of new names costs little.
            slip_checks += 1
            if slip_checks <= MAX_SLIP_CHECKS:
                if may_slip is None:  # not compared yet
                    may_slip = _may_slip(directive, unscoped)
                if may_slip:
                    slip = misspelled(name, directive)
            if unknown == "error":
                errors.append(
                    (
                        index,
                        InvalidHeader(
                            f"unknown QStash header {name!r}"
                            + (f" ({slip.message.rpartition('; ')[2]})" if slip else ""),
                            code="header.unknown",
                            value=name,
                            span=(0, len(name)),
                            header=name,
                        ),
                    )
                )
                continue
            if slip is not None:
                warnings.append((index, slip))
            scope.extra.append((index, name, value, unscoped))

    if index >= MAX_HEADERS:
        return None, [(index, _too_many(None))], []
    fields = _build(root, errors, warnings)
    if content_type is not None:
        index, name, value = content_type
        fields["content_type"] = value
        if value not in _content_type_cache:
            try:
                validate_content_type(value)
            except InvalidHeader as error:
                finding = Finding(
                    f"{error.message}: QStash forwards it as it is",
                    code="header.invalid_content_type",
                    value=value,
                    span=error.span,
                    header=name,
                )
                warnings.append((index, finding))
            else:
                _remember(_content_type_cache, value, None)
    return (None if errors else fields), errors, warnings


class _Plan(NamedTuple):
    """How to decode one scope of a request whose header names are these again.

    Made from the header names alone (see _plan_of); positions are indexes into the
    request's headers.
    """

    settings: tuple[tuple[int, str, str], ...]  # (position, directive, field)
    rules: bool  # a setting that _check_settings concerns is given
    forward: tuple[tuple[int, str], ...]  # (position, the forwarded header's name)
    extra: tuple[tuple[int, str], ...]  # (position, unscoped name) of unknown headers
    callbacks: tuple[tuple[int, str], ...]  # (position, field) of callbacks given by URL alone
    # (field, position of its URL or -1, its plan, its URL's header name, its first header)
    children: tuple[tuple[str, int, _Plan, str, int], ...]
    content_type: int  # its position, or -1 (the root scope's only)
    directives: Mapping[str, int]  # the positions of the settings, by directive


#: The header names of requests met before (a tuple, in order) and their _Plan, or
#: _UNPLANNED when the names themselves give a finding (a duplicate, a slip, a name that is not
#: a token): such requests are decoded the general way.
_plan_cache: dict[tuple[Any, ...], Any] = {}
_UNPLANNED: Final[Any] = object()
#: At most this many shapes are remembered (it starts afresh beyond), each of at most
#: _MAX_PLANNED names of at most _MAX_PLANNED_NAMES characters in all: at most 4 MiB of names.
_PLAN_CACHE_SIZE: Final = 1024
_MAX_PLANNED: Final = 64
_MAX_PLANNED_NAMES: Final = 4096
_first: Final = itemgetter(0)


def _planned(shape: tuple[Any, ...]) -> Any:
    """The plan of these names if there is one, ``_UNPLANNED``, or ``None`` (not met yet)."""
    try:
        return _plan_cache.get(shape)
    except TypeError:  # a name that is not hashable (bytearray): never planned
        return _UNPLANNED


def _shape(headers: Any) -> tuple[Any, ...] | None:
    """The names of a ``dict`` or a ``list`` of pairs, in order (the key of their plan)."""
    if headers.__class__ is dict:
        return tuple(headers) if len(headers) <= _MAX_PLANNED else None
    if headers.__class__ is not list or len(headers) > _MAX_PLANNED:
        return None
    try:
        return tuple(map(_first, headers))
    except (TypeError, LookupError):  # not pairs: decode_fields says what is wrong
        return None


class _Draft:
    """One scope of a _Plan being made: the positions of its headers, by what they are."""

    __slots__ = ("children", "extra", "first", "forward", "settings", "urls")

    def __init__(self, first: int) -> None:
        self.first = first  # the position of its first header (one of its own or its scopes')
        self.settings: dict[str, int] = {}
        self.forward: list[tuple[int, str]] = []  # (position, the forwarded header's name)
        self.extra: list[tuple[int, str]] = []  # (position, unscoped name)
        self.urls: dict[str, int] = {}  # the URL headers of its callback scopes, by scope
        self.children: dict[str, _Draft] = {}


def _plan_of(shape: tuple[Any, ...]) -> object:
    """The _Plan of requests with these header names, from the names alone (or why not).

    ``_UNPLANNED`` when the names themselves give a finding the general way reports (a name
    that is not a token, a setting, a callback URL or Content-Type twice, a slip from a known
    name), ``None`` when a name is not text: such requests are decoded the general way. The
    names are read as the general way reads them (:func:`decode_fields`), with the same caches.
    The root scope's parts are kept in local lists; a callback scope gets a _Draft when its
    first header is met (most requests have none).
    """
    slots = _slot_cache
    spelled = _VOCABULARY_SLOTS or _vocabulary_slots()
    settings: dict[str, int] = {}  # the root's, by directive
    planned: list[tuple[int, str, str]] = []  # the root's (position, directive, field)
    forward: list[tuple[int, str]] = []
    extra: list[tuple[int, str]] = []
    urls: dict[str, int] = {}  # the URL headers of the root's callback scopes, by scope
    drafts: dict[tuple[str, ...], _Draft] | None = None  # of callback scopes, () the root
    content_type = -1
    scoped_unknowns = 0  # the unknown headers of callback scopes (the root's: len(extra))
    for index, name in enumerate(shape):
        slot = spelled.get(name) or slots.get(name)
        if slot is None:
            if name.__class__ is not str:
                return None
            slot = _slot(name)
            if slot is None:
                return _UNPLANNED
        code, scopes, key, aux, may_slip = slot
        # The kinds of the root scope, the most frequent first; then the callback scopes'.
        if code is _UNKNOWN:
            # Only the first MAX_SLIP_CHECKS unknown headers are compared (as the general way).
            if (
                may_slip is not False
                and len(extra) + scoped_unknowns < MAX_SLIP_CHECKS
                and _slips(name, slot)
            ):
                return _UNPLANNED  # header.misspelled
            extra.append((index, aux))
        elif code is _SETTING:
            if key in settings:
                return _UNPLANNED
            settings[key] = index
            planned.append((index, key, aux))
        elif code is _FORWARD:
            forward.append((index, key))
        elif code is _OTHER:
            continue
        elif code is _CONTENT_TYPE:
            if content_type >= 0:
                return _UNPLANNED
            content_type = index
        elif code is _URL_SLOT:
            if key in urls:
                return _UNPLANNED
            urls[key] = index
        else:  # a header of a callback scope (of a URL: of its parent's)
            if drafts is None:
                drafts = {(): _Draft(-1)}
            draft = drafts.get(scopes) or _draft(drafts, scopes, index)
            if code is _SCOPED_SETTING:
                if key in draft.settings:
                    return _UNPLANNED
                draft.settings[key] = index
            elif code is _SCOPED_URL:
                if key in draft.urls:
                    return _UNPLANNED
                draft.urls[key] = index
            elif code is _SCOPED_FORWARD:
                draft.forward.append((index, key))
            else:  # _SCOPED_UNKNOWN
                if (
                    may_slip is not False
                    and len(extra) + scoped_unknowns < MAX_SLIP_CHECKS
                    and _slips(name, slot)
                ):
                    return _UNPLANNED
                scoped_unknowns += 1
                draft.extra.append((index, aux))
    scoped = {} if drafts is None else drafts[()].children
    return _assemble(planned, settings, forward, extra, urls, scoped, content_type, "Upstash-")


def _slips(name: str, slot: tuple[str, tuple[str, ...], str, str, bool | None]) -> bool:
    """Whether an unknown header may be a slip (its slot's answer, else difflib's, kept)."""
    code, scopes, key, aux, may_slip = slot
    if may_slip is None:  # not compared yet
        may_slip = _may_slip(key, aux)
        _remember(_slot_cache, name, (code, scopes, key, aux, may_slip))
    return may_slip


def _may_slip(directive: str, unscoped: str) -> bool:
    """Whether an unknown directive is one slip from a known one (difflib), remembered."""
    may_slip = closest_directive(directive) is not None
    _remember(_unknown_cache, directive, (unscoped, may_slip))
    return may_slip


#: What _plan_of needs of each header name it has read (see _slot); bounded as _names.
_slot_cache: dict[str, tuple[str, tuple[str, ...], str, str, bool | None]] = {}
_SETTING: Final = "setting"
_FORWARD: Final = "forward"
_URL_SLOT: Final = "url"
_UNKNOWN: Final = "unknown"
_CONTENT_TYPE: Final = "content-type"
_OTHER: Final = "other"
# The same kinds in a callback scope (of a URL: with a parent that is one)
_SCOPED_SETTING: Final = "scoped setting"
_SCOPED_FORWARD: Final = "scoped forward"
_SCOPED_URL: Final = "scoped url"
_SCOPED_UNKNOWN: Final = "scoped unknown"


def _slot(name: str) -> tuple[str, tuple[str, ...], str, str, bool | None] | None:
    """What a header name is, for _plan_of (``None``: it gives a finding), remembered.

    ``(kind, scopes, key, aux, may_slip)``: the kind (_SETTING, _FORWARD, _URL_SLOT,
    _UNKNOWN, _CONTENT_TYPE, or _OTHER for a header that is not the message's; the _SCOPED_
    kinds for a callback scope's settings, forwarded and unknown headers and nested URLs);
    the scopes it configures (of a URL: the parent's, which keeps it); the directive, the forwarded
    header's name or the callback's scope; of a setting its field, of an unknown header its
    unscoped name; and whether an unknown header may be a slip (``None``: not compared yet).
    Read as decode_fields reads it.
    """
    if name.isascii():  # a name of the vocabulary (as decode_fields reads it)
        lower = name.lower()
        slot = (_VOCABULARY_SLOTS or _vocabulary_slots()).get(lower)
        if slot is None:
            # A forwarded header (of the root or a callback scope), the commonest name not in
            # the vocabulary: read as parse_header_name reads it (tests/test_fast_paths.py
            # compares the two).
            head, found, forwarded = lower.partition("forward-")
            scopes = _FORWARD_SCOPES.get(head) if found and forwarded else None
            if scopes is not None and len(name) <= MAX_HEADER_NAME_LENGTH and TOKEN.fullmatch(name):
                forward_name = canonical_token(name[len(head) + len(found) :])
                slot = (_SCOPED_FORWARD if scopes else _FORWARD, scopes, forward_name, "", None)
        if slot is not None:
            _remember(_slot_cache, name, slot)
            return slot
    try:
        parsed = _meaning(name)
    except ProtocolError:
        return None
    slot = _slot_of(name, parsed)
    _remember(_slot_cache, name, slot)
    return slot


#: The scopes of a forwarded header by what comes before its ``forward-`` (lower case).
_FORWARD_SCOPES: Final[Mapping[str, tuple[str, ...]]] = {
    "upstash-": (),
    "upstash-callback-": ("callback",),
    "upstash-failure-callback-": ("failure_callback",),
}


def _slot_of(
    name: str, parsed: HeaderName | None
) -> tuple[str, tuple[str, ...], str, str, bool | None]:
    """The slot (see _slot) of a name read as ``parsed``."""
    if parsed is None:
        kind = _CONTENT_TYPE if name.lower() == "content-type" else _OTHER
        slot: tuple[str, tuple[str, ...], str, str, bool | None] = (kind, (), "", "", None)
    else:
        scopes, kind, directive, forward_name = parsed
        if kind == "setting":
            code = _SCOPED_SETTING if scopes else _SETTING
            slot = (code, scopes, directive, SETTINGS[directive], None)
        elif kind == "forward":
            assert forward_name is not None
            slot = (_SCOPED_FORWARD if scopes else _FORWARD, scopes, forward_name, "", None)
        elif kind == "url":
            code = _SCOPED_URL if len(scopes) > 1 else _URL_SLOT
            slot = (code, scopes[:-1], scopes[-1], "", None)
        else:
            unscoped, may_slip = (
                _unknown_cache.get(directive)
                or _VOCABULARY_UNKNOWNS.get(directive)
                or _unknown_directive(directive)
            )
            slot = (_SCOPED_UNKNOWN if scopes else _UNKNOWN, scopes, directive, unscoped, may_slip)
    return slot


_VOCABULARY_SLOTS: dict[str, tuple[str, tuple[str, ...], str, str, bool | None]] = {}


def _vocabulary_slots() -> dict[str, tuple[str, tuple[str, ...], str, str, bool | None]]:
    """The slot of every name of :func:`_vocabulary`, by lower case (once per process).

    Also by the name as the SDKs spell it and in Go's canonical case (the spellings of
    real requests, besides lower case), for :func:`_plan_of` to find a name as it comes,
    without remembering it in ``_slot_cache``. A spelling is a key only if its lower case is.
    """
    if not _VOCABULARY_SLOTS:
        table = {name: _slot_of(name, parsed) for name, parsed in _vocabulary().items()}
        for name in _vocabulary_names():
            table[name] = table[canonical_token(name)] = table[name.lower()]
        _VOCABULARY_SLOTS.update(table)
    return _VOCABULARY_SLOTS


def _draft(drafts: dict[tuple[str, ...], _Draft], scopes: tuple[str, ...], index: int) -> _Draft:
    """The draft of the (nested) scope ``scopes``, made with its parents at header ``index``."""
    draft = drafts.get(scopes)
    if draft is None:
        parent = _draft(drafts, scopes[:-1], index)
        draft = drafts[scopes] = parent.children[scopes[-1]] = _Draft(index)
    return draft


def _assemble(
    planned: list[tuple[int, str, str]],
    settings: dict[str, int],
    forward: list[tuple[int, str]],
    extra: list[tuple[int, str]],
    urls: dict[str, int],
    scoped: dict[str, _Draft],
    content_type: int,
    prefix: str,
) -> _Plan:
    """The _Plan of a scope whose headers start with ``prefix``, from its parts.

    ``planned`` holds its settings as (position, directive, field), ``settings`` their
    positions by directive; ``urls`` the URL headers of its callback scopes and ``scoped`` the
    drafts of those it configures (the others are callbacks given by their URL alone).
    """
    children: list[tuple[str, int, _Plan, str, int]] = []
    callbacks: tuple[tuple[int, str], ...] = ()
    if scoped:  # most scopes configure none
        for field, child in scoped.items():
            url_header = prefix + _SCOPE_WORDS[field]
            plan = _assemble(
                [(index, key, SETTINGS[key]) for key, index in child.settings.items()],
                child.settings,
                child.forward,
                child.extra,
                child.urls,
                child.children,
                -1,
                url_header + "-",
            )
            children.append((field, urls.get(field, -1), plan, url_header, child.first))
    if urls:
        callbacks = tuple([(index, field) for field, index in urls.items() if field not in scoped])
    return new_tuple(
        _Plan,
        (
            tuple(planned),
            not _NO_RULES.issuperset(settings),
            tuple(forward),
            tuple(extra),
            callbacks,
            tuple(children),
            content_type,
            settings,
        ),
    )


def _run_plan(
    plan: _Plan, names: tuple[str, ...], values: Any, warnings: list[tuple[int, Finding]]
) -> dict[str, Any] | None:
    """The fields of a scope decoded by ``plan``, or ``None``: decode it the general way.

    Anything the general way would report but a callback without its URL (a value that is not
    text, too long, has a forbidden character or does not parse; a rule between settings; an
    odd Content-Type) makes this give up, so the general way finds it and reports it.
    ``values`` are known to be printable text of a valid length (see decode_fields).
    """
    fields: dict[str, Any] = {}
    cache = _values
    for index, directive, field in plan.settings:
        value = values[index].strip(" ")
        parsed = cache.get((directive, value))
        if parsed is None:
            try:
                parsed = _parse_new(directive, value)
            except ProtocolError:
                return None
        fields[field] = parsed
    if plan.rules:
        settings = {
            directive: (index, names[index], values[index].strip(" "))
            for index, directive, _ in plan.settings
        }
        problems: list[Any] = []
        _check_settings(settings, fields, problems, problems)
        if problems:
            return None
    if plan.forward:
        pairs = [(name, values[index].strip(" ")) for index, name in plan.forward]
        fields["forward"] = Headers._canonical(pairs)
    if plan.extra:
        pairs = [(name, values[index].strip(" ")) for index, name in plan.extra]
        fields["extra"] = Headers._canonical(pairs)
    for index, field in plan.callbacks:
        try:
            fields[field] = _url_only_callback(values[index].strip(" "))
        except ProtocolError:
            return None
    for field, url_index, child_plan, url_header, first in plan.children:
        child_fields = _run_plan(child_plan, names, values, warnings)
        if child_fields is None:
            return None
        if url_index < 0:  # an orphan scope: the general way's warning (_build)
            warnings.append((first, _orphan(url_header, names[first], values[first].strip(" "))))
            fields["orphan_" + field] = trusted_model(OrphanScope, child_fields)
            continue
        try:
            child_fields["url"] = _parse_value(_URL, values[url_index].strip(" "))
        except ProtocolError:
            return None
        fields[field] = trusted_model(Callback, child_fields)
    if plan.content_type >= 0:
        value = values[plan.content_type].strip(" ")
        if value not in _content_type_cache:
            try:
                validate_content_type(value)
            except InvalidHeader:
                return None
            _remember(_content_type_cache, value, None)
        fields["content_type"] = value
    return fields


def _refuse_value(
    index: int, name: str, value: str, errors: list[tuple[int, ProtocolError]]
) -> None:
    """Append the error of a value with a forbidden character (validate_header_value's)."""
    try:
        validate_header_value(value)
    except ProtocolError as error:
        errors.append((index, error.with_header(name)))
    else:  # pragma: no cover - has_forbidden_character and validate_header_value agree
        raise AssertionError(value)


def _walk(root: _Scope, scopes: tuple[str, ...]) -> _Scope:
    """The (nested) callback scope ``scopes`` of ``root``, created on the way."""
    scope = root
    for step in scopes:
        scope = scope.child(step)
    return scope


def _remember(cache: dict[str, Any], key: str, value: Any) -> None:
    """Remember ``key`` in ``cache`` if it is short (see _MAX_CACHED_NAME)."""
    if len(key) <= _MAX_CACHED_NAME:
        _store(cache, key, value)


def _store(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """Set ``cache[key]``; a full cache starts afresh (no recency kept: a hit is one lookup)."""
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value


def _unknown_directive(directive: str) -> tuple[str, bool | None]:
    """An unknown directive's unscoped header name, remembered.

    Whether it may be a slip is left for the caller (``None``: not known yet).
    """
    info = (_unscoped(directive), None)
    _remember(_unknown_cache, directive, info)
    return info


def _unscoped(directive: str) -> str:
    """The unscoped header name of an unknown directive (part of a valid name: a token)."""
    return "Upstash-" + canonical_token(directive)


_VOCABULARY: dict[str, HeaderName | None] = {}
_VOCABULARY_UNKNOWNS: dict[str, tuple[str, bool | None]] = {}


def _vocabulary() -> dict[str, HeaderName | None]:
    """The meaning of every name in :data:`_SDK_NAMES` and of every setting in each scope.

    Keyed by lower case, read with :func:`parse_header_name` once per process: the decoder's
    table of common names (as Go's ``textproto`` has one), so that a fresh process or a stream
    of new values classifies the common names without the grammar.
    """
    if not _VOCABULARY:
        table = {name.lower(): parse_header_name(name) for name in _vocabulary_names()}
        for parsed in table.values():
            if parsed is not None and parsed.kind == "unknown":
                directive = parsed.directive
                slip = closest_directive(directive) is not None
                _VOCABULARY_UNKNOWNS[directive] = (_unscoped(directive), slip)
        _VOCABULARY.update(table)
    return _VOCABULARY


def _vocabulary_names() -> list[str]:
    """The names of :func:`_vocabulary` as the SDKs spell them."""
    names = [*_SDK_NAMES]
    for prefix in _SENT_SCOPES:
        names += [prefix + directive for directive in SETTINGS]
        names += [prefix + "Callback", prefix + "Failure-Callback"]
    return names


#: Names that the official SDKs send besides the settings (https://github.com/upstash/qstash-js,
#: https://github.com/upstash/workflow-js/blob/main/src/constants.ts, and the workflow SDKs'
#: forwarded step headers), and common HTTP headers that are not the message's.
#: The Python workflow SDK also configures the failure callback of a ``context.call``'s
#: callback (``Upstash-Callback-Failure-Callback-*``, tests/vectors/workflow_py.json).
_SENT_SCOPES: Final = (
    "Upstash-",
    "Upstash-Callback-",
    "Upstash-Failure-Callback-",
    "Upstash-Callback-Failure-Callback-",
)
_SDK_NAMES: Final = (
    *(
        scope + name
        for scope in _SENT_SCOPES
        for name in (
            "Workflow-RunId",
            "Workflow-Init",
            "Workflow-Url",
            "Workflow-CallType",
            "Workflow-Sdk-Version",
            "Workflow-Invoke",
            "Feature-Set",
            "Telemetry-Sdk",
            "Telemetry-Framework",
            "Telemetry-Runtime",
            "Forward-Content-Type",
            "Forward-Authorization",
            "Forward-Upstash-Workflow-Sdk-Version",
            "Forward-Upstash-Workflow-Callback",
            "Forward-Upstash-Workflow-Concurrent",
            "Forward-Upstash-Workflow-ContentType",
            "Forward-Upstash-Workflow-StepId",
            "Forward-Upstash-Workflow-StepName",
            "Forward-Upstash-Workflow-StepType",
            "Forward-Upstash-Workflow-Is-Failure",
            "Forward-Upstash-Workflow-Failure-Callback",
            "Forward-Upstash-Workflow-Invoke-Count",
        )
    ),
    "Content-Type",
    "Authorization",
    "Host",
    "User-Agent",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Connection",
    "Content-Length",
    "Transfer-Encoding",
    "Cache-Control",
    "Cookie",
    "Origin",
    "Referer",
    "Traceparent",
    "Tracestate",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Real-Ip",
)


def _pairs(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
) -> Iterable[Any]:
    """The (name, value) pairs of a mapping, a multi-map with ``.items()``, or an iterable."""
    if headers.__class__ is dict:
        return headers.items()
    if headers.__class__ is list:
        return headers
    if isinstance(headers, Mapping):
        return headers.items()
    if isinstance(headers, str | bytes | bytearray):
        msg = (
            "expected a mapping or (name, value) pairs, got one text: split a header block "
            "into pairs first (e.g. http.client.parse_headers, or h11)"
        )
        raise TypeError(msg)
    items = getattr(headers, "items", None)
    if callable(items):  # http.client.HTTPMessage, email.message.Message, multidicts
        return items()  # type: ignore[no-any-return]
    if not isinstance(headers, Iterable):
        msg = f"expected a mapping or (name, value) pairs, got {_shown_type(headers)}"
        raise TypeError(msg)
    return headers


def _known_size(pairs: Iterable[Any]) -> int | None:
    try:
        return len(pairs)  # type: ignore[arg-type]
    except TypeError:
        return None


def _shown_type(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def _too_many(size: int | None) -> InvalidHeader:
    count = "more" if size is None else str(size)
    return InvalidHeader(
        f"a request may have at most {MAX_HEADERS} headers, this one has {count}",
        code="header.too_many",
    )


def _raise_too_long(text: str, what: str, limit: int) -> None:
    shown = text[:limit]
    raise InvalidHeader(
        f"a header {what} may be at most {limit} characters long, this one has {len(text)}",
        code="header.too_long",
        value=shown,
        span=(limit, limit),
    )


def _meaning(name: str) -> HeaderName | None:
    """A header name read as the decoder reads it: from its caches, else with the grammar.

    Raises :class:`~qstash_protocol.ProtocolError` for a name that is not one (too long, not a
    token, scopes too deep), as :func:`~qstash_protocol.publish.headers.parse_header_name` does.
    """
    parsed = _names.get(name, _MISSING)
    return _read_name(name) if parsed is _MISSING else parsed


def _read_name(name: str) -> HeaderName | None:
    """:func:`_meaning` of a name not in ``_names`` (where it is then kept)."""
    # An ASCII name whose lower case is in the vocabulary is a valid token: no checks.
    vocabulary = _VOCABULARY or _vocabulary()
    parsed = vocabulary.get(name.lower(), _MISSING) if name.isascii() else _MISSING
    if parsed is _MISSING:  # refused if too long, else read with the grammar
        if len(name) > MAX_HEADER_NAME_LENGTH:
            _raise_too_long(name, "name", MAX_HEADER_NAME_LENGTH)
        parsed = parse_header_name(name)
    _remember(_names, name, parsed)
    return parsed  # type: ignore[no-any-return]


def _orphan(url_header: str, name: str, value: str) -> Finding:
    """The warning on the first header of a callback scope without its URL (``url_header``)."""
    return Finding(
        f"this header configures a callback, but there is no {url_header} header with its "
        "URL: the service ignores it",
        code="header.callback_without_url",
        value=value,
        span=(0, len(value)),
        header=name,
    )


def _duplicate(name: str, value: str, first_name: str) -> Finding:
    return Finding(
        f"{first_name} is given again as {name!r}: the first value applies, this one is ignored",
        code="header.duplicate",
        value=value,
        span=(0, len(value)),
        header=name,
    )


def _parse_value(directive: str, value: str) -> Any:
    parsed = _values.get((directive, value))
    return _parse_new(directive, value) if parsed is None else parsed


def _parse_new(directive: str, value: str) -> Any:
    """Parse a value not in the cache (and remember it, unless it is one of _UNCACHED)."""
    key = (directive, value)
    parsed = parse_callback_url(value) if directive == _URL else _PARSERS[directive](value)
    if directive not in _UNCACHED:
        _store(_values, key, parsed)
    return parsed


def _build(
    scope: _Scope,
    errors: list[tuple[int, ProtocolError]],
    warnings: list[tuple[int, Finding]],
    prefix: str = "Upstash-",
) -> dict[str, Any]:
    """Parse one scope's values into model fields, appending every problem to the lists.

    ``prefix`` is the scope's header prefix (``Upstash-``, ``Upstash-Callback-``, ...).
    """
    fields: dict[str, Any] = {}
    settings = scope.settings
    if settings:
        cache = _values
        field_names = SETTINGS
        for directive, (index, name, value) in settings.items():
            parsed = cache.get((directive, value))  # _parse_value's cache, looked up inline
            if parsed is None:
                try:
                    parsed = _parse_new(directive, value)
                except ProtocolError as error:
                    errors.append((index, error.with_header(name)))
                    continue
            fields[field_names[directive]] = parsed
        if not _NO_RULES.issuperset(settings):
            _check_settings(settings, fields, errors, warnings)
    if scope.forward:
        fields["forward"] = Headers._canonical(
            [(name, value) for _, _, value, name in scope.forward]
        )
    if scope.extra:
        fields["extra"] = Headers._canonical([(name, value) for _, _, value, name in scope.extra])
    children = scope.children
    for child_name, (index, name, value) in scope.urls.items():
        if child_name not in children:  # the common case: a callback given by its URL alone
            try:
                fields[child_name] = _url_only_callback(value)
            except ProtocolError as error:
                errors.append((index, error.with_header(name)))
    for child_name, child in children.items():
        url_header = prefix + _SCOPE_WORDS[child_name]
        child_fields = _build(child, errors, warnings, url_header + "-")
        url = scope.urls.get(child_name)
        if url is None:
            first = child.first_header()
            if first is None:
                continue
            index, name, value = first
            warnings.append((index, _orphan(url_header, name, value)))
            if not errors:  # otherwise decode_headers raises, and a model is not needed
                fields["orphan_" + child_name] = trusted_model(OrphanScope, child_fields)
            continue
        index, name, value = url
        try:
            child_fields["url"] = _parse_value(_URL, value)
        except ProtocolError as error:
            errors.append((index, error.with_header(name)))
            continue
        if not errors:  # otherwise decode_headers raises, and a model is not needed
            fields[child_name] = trusted_model(Callback, child_fields)
    return fields


_callback_cache: dict[str, Callback] = {}
_flow_control_cache: dict[tuple[str, str], FlowControl] = {}


def _url_only_callback(value: str) -> Callback:
    """The :class:`Callback` of a URL alone (frozen, so one instance serves every request)."""
    found = _callback_cache.get(value)
    if found is None:
        found = trusted_model(Callback, {"url": _parse_value(_URL, value)})
        _remember(_callback_cache, value, found)
    return found


#: Settings that no rule between settings concerns: every setting but those _check_settings
#: reads (keep the two together).
_NO_RULES: Final = frozenset(SETTINGS) - {
    "flow-control-key",
    "flow-control-value",
    "label",
    "delay",
    "not-before",
    "deduplication-id",
    "content-based-deduplication",
}


def _check_settings(
    settings: dict[str, tuple[int, str, str]],
    fields: dict[str, Any],
    errors: list[tuple[int, ProtocolError]],
    warnings: list[tuple[int, Finding]],
) -> None:
    """The rules between one scope's settings (flow control pairs, labels, delay, dedup)."""
    has_key = "flow-control-key" in settings
    has_value = "flow-control-value" in settings
    if has_key and has_value:
        key = fields.pop("flow_control_key", None)
        flow_value = fields.pop("flow_control_value", None)
        if key is not None and flow_value is not None:
            # keyed by the texts, whose hashes are cached (a parsed value hashes field by field)
            pair = (settings["flow-control-key"][2], settings["flow-control-value"][2])
            flow_control = _flow_control_cache.get(pair)
            if flow_control is None:  # frozen, so one instance serves every request
                flow_control = trusted_model(FlowControl, {"key": key, "value": flow_value})
                _store(_flow_control_cache, pair, flow_control)
            fields["flow_control"] = flow_control
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
    labels = fields.get("labels")
    if labels is not None and len(set(labels)) < len(labels):
        index, name, value = settings["label"]
        seen: set[str] = set()
        start = 0
        for label in labels:
            if label in seen:
                break
            seen.add(label)
            start += len(label) + 1
        finding = Finding(
            f"the label {label!r} is given twice",
            code="label.duplicate",
            value=value,
            span=(start, start + len(label)),
            header=name,
        )
        warnings.append((index, finding))
    if "delay" in fields and "not_before" in fields:
        index, name, value = settings["delay"]
        warnings.append(
            (
                index,
                Finding(
                    f"the delay is ignored: {name[:-5]}Not-Before is given too, and it wins",
                    code="delay.overridden_by_not_before",
                    value=value,
                    span=(0, len(value)),
                    header=name,
                ),
            )
        )
    if "deduplication_id" in fields and fields.get("content_based_deduplication") is True:
        index, name, value = settings["content-based-deduplication"]
        warnings.append(
            (
                index,
                Finding(
                    "an explicit deduplication id and content-based deduplication are "
                    "alternatives: give one",
                    code="deduplication.id_and_content_based",
                    value=value,
                    span=(0, len(value)),
                    header=name,
                ),
            )
        )


_formatted: dict[Any, str] = {}


def _format(value: Any, formatter: Callable[[Any], str]) -> str:
    try:
        return _formatted[value]
    except KeyError:
        pass
    text = formatter(value)
    _store(_formatted, value, text)
    return text


#: Parsed values whose hash is Python code (dataclasses), and their text, by identity: the
#: decoder's caches hand out the same objects again, and each entry keeps its object alive, so
#: its id is not reused while it is here.
_formatted_objects: dict[int, tuple[Any, str]] = {}


def _format_object(value: Any) -> str:
    text = str(value)
    _store(_formatted_objects, id(value), (value, text))
    return text


def encode_headers(options: MessageOptions) -> dict[str, str]:
    """Encode :class:`MessageOptions` as canonical QStash request headers.

    Names are in canonical case, values in canonical form, in a fixed order: ``Content-Type``,
    the settings, the forwarded headers, the callback and its headers, the failure callback and
    its headers, the orphan callback scopes' headers, then the unknown headers.
    ``decode_headers(encode_headers(o)) == o``.

    >>> encode_headers(MessageOptions(retries=3, retry_delay="pow(2,retried)*1000"))
    {'Upstash-Retries': '3', 'Upstash-Retry-Delay': 'pow(2, retried) * 1000'}

    Whatever way the model was built (validated, or with ``model_construct``,
    ``model_copy(update=...)``), every header written is one :func:`decode_headers` reads back:
    each distinct name is checked once (then remembered), each setting's value with its parser
    (cached as the decoder's), every value for control characters and length.

    Raises:
        InvalidHeader: ``header.forbidden_character`` if a value holds a control character,
            ``header.invalid_name``, ``header.too_deep``, ``header.too_long``,
            ``header.not_upstash`` or ``header.not_in_scope`` for a name the decoder would
            refuse or read otherwise, ``header.unencodable`` for a value of the wrong type
            (all possible only for models built without validation).
        ProtocolError: the parser's error for a setting's value the decoder would refuse.
        TypeError: ``options`` is not a :class:`MessageOptions`.

    """
    if options.__class__ is not MessageOptions and not isinstance(options, MessageOptions):
        msg = f"encode_headers takes MessageOptions, not {type(options).__name__}"
        raise TypeError(msg)
    out: dict[str, str] = {}
    try:
        content_type = options.__dict__.get("content_type")
        if content_type is not None:
            out["Content-Type"] = content_type
        _encode_scope(options, "Upstash-", out, 0)
    except ProtocolError:
        raise
    except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as error:
        raise InvalidHeader(
            f"the model holds a value the encoder cannot write ({error}); build it with "
            "validation (MessageOptions(...), model_validate) rather than model_construct",
            code="header.unencodable",
        ) from None
    _check_encoded(out)
    return out


#: (name, value) pairs encode_headers has checked and found readable by the decoder.
_checked_pairs: set[tuple[str, str]] = set()


def _check_encoded(out: dict[str, str]) -> None:
    """Refuse any header the decoder would refuse or read differently (see encode_headers).

    Each (name, value) pair that passed is remembered: the checks are pure, and SDKs encode the
    same few headers again and again, so most calls check nothing but set membership.
    """
    checked = _checked_pairs
    try:
        if checked.issuperset(out.items()):  # the common case, in one call
            return
        fresh = [item for item in out.items() if item not in checked]
    except TypeError:  # an unhashable value, so not text: found below
        fresh = list(out.items())
    if not fresh:
        return
    try:
        joined: str | None = "".join([value for _, value in fresh])
    except TypeError:  # a value that is not text: found below
        joined = None
    if joined is None or has_forbidden_character(joined):
        for name, value in fresh:
            if value.__class__ is not str:
                raise InvalidHeader(
                    f"the model holds a value of type {type(value).__name__} where the "
                    "header needs text",
                    code="header.unencodable",
                    header=name,
                )
            try:
                validate_header_value(value)
            except InvalidHeader as error:
                raise error.with_header(name) from None
    names = _names
    cache = _values
    for name, value in fresh:
        parsed = names.get(name, _MISSING)
        if parsed is _MISSING:
            try:
                parsed = _read_name(name)
            except ProtocolError as error:
                raise error.with_header(name[:MAX_HEADER_NAME_LENGTH]) from None
        if len(value) > MAX_HEADER_VALUE_LENGTH:
            try:
                _raise_too_long(value, "value", MAX_HEADER_VALUE_LENGTH)
            except ProtocolError as error:
                raise error.with_header(name) from None
        if parsed is None or parsed.kind not in ("setting", "url"):
            continue
        directive = _URL if parsed.kind == "url" else parsed.directive
        if (directive, value) not in cache:
            try:
                _parse_value(directive, value)
            except ProtocolError as error:
                raise error.with_header(name) from None
    if len(checked) >= 4 * _CACHE_SIZE:
        checked.clear()
    # Only short pairs are remembered, so the set holds at most 16,384 x 1 KiB of text (values
    # may be 1 MiB long: re-checking a long one costs little next to building it).
    checked.update(item for item in fresh if len(item[0]) + len(item[1]) <= _MAX_CACHED_PAIR)


_extra_names: dict[str, None] = {}


def _check_extra_name(name: str) -> None:
    """An ``extra`` name must be an unscoped ``Upstash-`` header the library does not know."""
    if name in _extra_names:
        return
    if not name.lower().startswith("upstash-"):
        raise InvalidHeader(
            f"extra headers are Upstash- headers this library does not model; {name!r} does "
            "not start with Upstash-",
            code="header.not_upstash",
            value=name,
            span=(0, len(name)),
        )
    parsed = _names.get(name, _MISSING)
    if parsed is _MISSING:
        parsed = parse_header_name(name)
    if parsed is None or parsed.scopes or parsed.kind != "unknown":
        raise InvalidHeader(
            f"extra headers are Upstash- headers this library does not model, written "
            f"unscoped; {name!r} is not one",
            code="header.not_in_scope",
            value=name,
            span=(0, len(name)),
        )
    _remember(_extra_names, name, None)


def _encode_scope(
    scope: MessageOptions | Callback | OrphanScope, prefix: str, out: dict[str, str], depth: int
) -> None:
    # Field values straight from the model's __dict__, and cached formatting inline: encoding
    # is the hot path of an SDK, and attribute access on a model is several dict lookups.
    if depth > MAX_SCOPE_DEPTH:
        raise InvalidHeader(
            f"callback scopes nest at most {MAX_SCOPE_DEPTH} deep",
            code="header.too_deep",
            value=prefix,
            span=(0, len(prefix)),
        )
    fields = scope.__dict__
    values = _simple_settings(fields)
    if values != _NO_SIMPLE_SETTINGS:
        _encode_settings(values, prefix, out)
    forwarded = fields["forward"]
    forwarded = forwarded._items if forwarded.__class__ is Headers else _items(forwarded)
    if forwarded:
        forward = prefix + "Forward-"
        for name, text in forwarded.items():
            out[forward + name] = text
    callback = fields["callback"]
    if callback is not None:
        out[prefix + "Callback"] = callback.url
        if depth >= MAX_SCOPE_DEPTH or not _is_bare(callback):
            _encode_scope(callback, prefix + "Callback-", out, depth + 1)  # more than its URL
    callback = fields["failure_callback"]
    if callback is not None:
        out[prefix + "Failure-Callback"] = callback.url
        if depth >= MAX_SCOPE_DEPTH or not _is_bare(callback):
            _encode_scope(callback, prefix + "Failure-Callback-", out, depth + 1)
    orphan = fields["orphan_callback"]
    if orphan is not None:
        _encode_scope(orphan, prefix + "Callback-", out, depth + 1)
    orphan = fields["orphan_failure_callback"]
    if orphan is not None:
        _encode_scope(orphan, prefix + "Failure-Callback-", out, depth + 1)
    extra = fields["extra"]
    extra = extra._items if extra.__class__ is Headers else _items(extra)
    if extra:
        for name, text in extra.items():
            _check_extra_name(name)
            out[prefix + name[8:]] = text  # name[8:] drops "Upstash-"


#: The settings held as plain values (None when unset), read in one call: a scope that sets
#: none of them (a callback given by its URL alone, most often) skips them all at once.
_SIMPLE_FIELDS: Final = (
    "method",
    "timeout",
    "retries",
    "retry_delay",
    "delay",
    "not_before",
    "flow_control",
    "labels",
    "deduplication_id",
    "content_based_deduplication",
    "header_forward",
    "redact",
    "cron",
    "queue_name",
    "schedule_id",
)
_simple_settings: Final = itemgetter(*_SIMPLE_FIELDS)
_NO_SIMPLE_SETTINGS: Final = tuple(() if name == "labels" else None for name in _SIMPLE_FIELDS)
#: Every field of a scope but a callback's URL, and their values in a scope that sets none (a
#: callback given by its URL alone writes nothing more, and is not walked).
_SCOPE_FIELDS: Final = (
    *_SIMPLE_FIELDS,
    "forward",
    "callback",
    "failure_callback",
    "orphan_callback",
    "orphan_failure_callback",
    "extra",
)
_scope_fields: Final = itemgetter(*_SCOPE_FIELDS)
_BARE_SCOPE: Final = (*_NO_SIMPLE_SETTINGS, _EMPTY_HEADERS, None, None, None, None, _EMPTY_HEADERS)


#: Callbacks found to be given by their URL alone, by identity (frozen models: the decoder
#: shares one per URL); each entry keeps its model alive, so its id is not reused.
_bare_callbacks: dict[int, Callback] = {}


def _is_bare(callback: Callback) -> bool:
    """Whether a callback sets nothing but its URL (so its scope writes nothing more)."""
    if _bare_callbacks.get(id(callback)) is callback:
        return True
    if callback.__class__ is not Callback or _scope_fields(callback.__dict__) != _BARE_SCOPE:
        return False
    _store(_bare_callbacks, id(callback), callback)
    return True


def _encode_settings(values: tuple[Any, ...], prefix: str, out: dict[str, str]) -> None:
    """Write a scope's settings (``values``: the fields in _SIMPLE_FIELDS), in a fixed order."""
    formatted = _formatted
    names = _setting_names.get(prefix) or _names_with(prefix)
    (
        method,
        timeout,
        retries,
        retry_delay,
        delay,
        not_before,
        flow_control,
        labels,
        deduplication_id,
        content_based_deduplication,
        header_forward,
        redact,
        cron,
        queue_name,
        schedule_id,
    ) = values
    if method is not None:
        out[names[0]] = method
    if timeout is not None:
        out[names[1]] = formatted.get(timeout) or _format(timeout, format_duration)
    if retries is not None:
        out[names[2]] = str(retries)
    if retry_delay is not None:  # its canonical text is kept on it (str() is a Python call)
        out[names[3]] = (retry_delay.__class__ is RetryDelay and retry_delay._canonical) or str(
            retry_delay
        )
    if delay is not None:
        out[names[4]] = formatted.get(delay) or _format(delay, format_duration)
    if not_before is not None:
        out[names[5]] = format_not_before(not_before)
    if flow_control is not None:
        out[names[6]] = flow_control.key
        flow = flow_control.value
        known = _formatted_objects.get(id(flow))
        out[names[7]] = known[1] if known is not None and known[0] is flow else _format_object(flow)
    if labels is not None and len(labels):  # len: no truth value of a foreign object
        out[names[8]] = format_labels(labels)
    if deduplication_id is not None:
        out[names[9]] = deduplication_id
    if content_based_deduplication is not None:
        out[names[10]] = _BOOLEAN_TEXT[content_based_deduplication]
    if header_forward is not None:
        out[names[11]] = _BOOLEAN_TEXT[header_forward]
    if redact is not None:
        known = _formatted_objects.get(id(redact))
        out[names[12]] = (
            known[1] if known is not None and known[0] is redact else _format_object(redact)
        )
    if cron is not None:
        out[names[13]] = cron
    if queue_name is not None:
        out[names[14]] = queue_name
    if schedule_id is not None:
        out[names[15]] = schedule_id


#: The header name of each setting, after a scope's prefix, in the order written.
_SETTING_SUFFIXES: Final = (
    "Method",
    "Timeout",
    "Retries",
    "Retry-Delay",
    "Delay",
    "Not-Before",
    "Flow-Control-Key",
    "Flow-Control-Value",
    "Label",
    "Deduplication-Id",
    "Content-Based-Deduplication",
    "Header-Forward",
    "Redact-Fields",
    "Cron",
    "Queue-Name",
    "Schedule-Id",
)
#: Scope prefix -> its settings' header names (at most one entry per nesting of scopes).
_setting_names: dict[str, tuple[str, ...]] = {}


def _names_with(prefix: str) -> tuple[str, ...]:
    names = tuple(prefix + suffix for suffix in _SETTING_SUFFIXES)
    _store(_setting_names, prefix, names)
    return names


def _items(headers: Any) -> dict[str, str]:
    """The plain dict inside a Headers (no Mapping protocol per item); checked if not one."""
    if headers.__class__ is Headers:
        return headers._items
    return Headers(headers)._items  # a plain dict from model_construct: names, values checked


def first_delivery_time(options: MessageOptions, now: datetime) -> datetime:
    """When the message is first delivered, given the time ``now`` it was published.

    ``Upstash-Not-Before`` wins over ``Upstash-Delay`` when both are given; a Not-Before in the
    past means now. ``now`` must be an aware ``datetime`` (a naive one raises ``TypeError``).

    >>> from datetime import UTC
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> first_delivery_time(MessageOptions(delay="1h"), now).isoformat()
    '2026-01-01T01:00:00+00:00'
    >>> first_delivery_time(MessageOptions(delay="1h", not_before=1767225600 + 60), now).isoformat()
    '2026-01-01T00:01:00+00:00'
    """
    if not isinstance(now, datetime) or now.tzinfo is None:
        msg = "now must be an aware datetime"
        raise TypeError(msg)
    if not isinstance(options, MessageOptions):
        msg = f"first_delivery_time takes MessageOptions, not {type(options).__name__}"
        raise TypeError(msg)
    if options.not_before is not None:
        return max(now, options.not_before)
    return now + (options.delay or timedelta(0))
