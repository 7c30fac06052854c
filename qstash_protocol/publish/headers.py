"""HTTP header names and values as the QStash server sees them, and the ``Upstash-`` prefix grammar.

>>> canonical_header_name("upstash-forward-x-api-key")
'Upstash-Forward-X-Api-Key'
>>> parse_header_name("Upstash-Callback-Failure-Callback-Retries").scopes
('callback', 'failure_callback')

Facts
-----
- Header names are case-insensitive (RFC 9110 §5.1). The TypeScript SDK sends lower case, the Go
  SDK Go's canonical case, the Python SDK whatever the user wrote. The server is written in Go and
  delivers forwarded headers under Go's canonical name (``textproto.CanonicalMIMEHeaderKey``:
  upper-case the first letter and every letter after ``-``, lower-case the rest). So does this
  library: :func:`canonical_header_name`.
- A name is an RFC 9110 ``token``: ``1*tchar``, ``tchar = "!" / "#" / "$" / "%" / "&" / "'" /
  "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA``.
- A value may not contain CR, LF or NUL (RFC 9110 §5.5: they allow header injection), nor any
  other control character but horizontal tab (Go's ``httpguts.ValidHeaderFieldValue`` refuses
  them too). Surrounding spaces and tabs are not part of a value and are removed.
- The prefix grammar (https://upstash.com/docs/qstash/features/callbacks: "the
  ``Upstash-Callback``/``Upstash-Failure-Callback`` prefix can be used" instead of ``Upstash-``;
  the workflow SDKs nest it), matched case-insensitively, longest match first::

      name      := "Upstash-" scope* directive
      scope     := "Callback-" | "Failure-Callback-"
      directive := "Forward-" field-name         (forwarded to that scope's destination)
                 | "Callback" | "Failure-Callback" (the URL of a nested callback)
                 | setting                        (Method, Timeout, Retries, Retry-Delay, ...)
                 | anything else                  (a header this library does not know)

  So ``Upstash-Failure-Callback-Forward-X`` forwards ``X`` to the failure callback, and
  ``Upstash-Callback-Failure-Callback-Retries`` sets the retries of the failure callback of the
  callback message. At most :data:`MAX_SCOPE_DEPTH` scopes may nest.
- Repeated forwarded headers are combined into one value with ``", "`` (RFC 9110 §5.3), or with
  ``"; "`` for ``Cookie`` (RFC 6265 §5.4); empty values are dropped from the combination, as the
  empty list elements a recipient ignores (RFC 9110 §5.6.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar, Final, Literal, NamedTuple

from qstash_protocol._chars import canonical_header_name, canonical_token, new_tuple
from qstash_protocol.errors import ProtocolError

__all__ = [
    "MAX_ERRORS",
    "MAX_HEADERS",
    "MAX_HEADER_NAME_LENGTH",
    "MAX_HEADER_VALUE_LENGTH",
    "MAX_SCOPE_DEPTH",
    "SETTINGS",
    "HeaderName",
    "Headers",
    "InvalidHeader",
    "canonical_header_name",
    "header_text",
    "join_header_values",
    "parse_header_name",
    "validate_content_type",
    "validate_header_name",
    "validate_header_value",
]

#: How deep ``Callback-`` / ``Failure-Callback-`` scopes may nest. The workflow SDKs use two
#: (``Upstash-Callback-Failure-Callback-...``); eight leaves room and bounds the work.
MAX_SCOPE_DEPTH: Final = 8

#: How many headers a request may have. Go's server (QStash's) bounds the whole header block
#: at 1 MiB (``http.DefaultMaxHeaderBytes``), which still lets 260,000 tiny headers through;
#: no client sends more than a few dozen (a workflow step about 30). The decoder refuses more
#: than this before reading any of them (``header.too_many``), so a hostile request costs
#: milliseconds, not seconds and megabytes.
MAX_HEADERS: Final = 1000
#: The longest header name, in characters. Names are RFC 9110 tokens with no length rule of
#: their own; the longest the prefix grammar produces is about 200 (eight nested scopes and a
#: forwarded name). Longer names are refused before they are parsed or remembered
#: (``header.too_long``); the decoder keeps a cache of names it has seen.
MAX_HEADER_NAME_LENGTH: Final = 1024
#: The longest header value, in characters: 1 MiB, the whole header block Go's server (and
#: so QStash) accepts (``http.DefaultMaxHeaderBytes``), so a longer value cannot reach the
#: service. Refused before parsing (``header.too_long``).
MAX_HEADER_VALUE_LENGTH: Final = 1 << 20
#: The most problems an :class:`~qstash_protocol.InvalidHeaders` lists; the rest are counted
#: (``errors_omitted``) and its text says how many more. A thousand bad headers would
#: otherwise make a message of hundreds of kilobytes that nobody reads to the end.
MAX_ERRORS: Final = 100

#: The settings a scope may carry, by their header directive (lower case) and their field name.
SETTINGS: Final[Mapping[str, str]] = {
    "method": "method",
    "timeout": "timeout",
    "retries": "retries",
    "retry-delay": "retry_delay",
    "delay": "delay",
    "not-before": "not_before",
    "flow-control-key": "flow_control_key",
    "flow-control-value": "flow_control_value",
    "label": "labels",
    "deduplication-id": "deduplication_id",
    "content-based-deduplication": "content_based_deduplication",
    "redact-fields": "redact",
    "cron": "cron",
    "queue-name": "queue_name",
    "schedule-id": "schedule_id",
    "header-forward": "header_forward",
}

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Control characters a value may not hold: everything below 0x20 but HTAB, and DEL. The codec
#: uses it too, inline in its hot loop.
FORBIDDEN_IN_VALUE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
#: Every byte but the forbidden ones (all ASCII, so UTF-8 keeps them as they are).
_ALLOWED_BYTES: Final = bytes(sorted(set(range(256)) - {*range(0x09), *range(0x0A, 0x20), 0x7F}))
#: From this length on, a value is checked in bytes: ``re`` scans about 5 ns a character,
#: ``bytes.translate`` under 1 ns a byte (a 1 MiB value: 6 ms against 1 ms).
_LONG_VALUE: Final = 64
_new_object: Final = object.__new__


def has_forbidden_character(value: str) -> bool:
    r"""Whether ``value`` holds a control character a header value may not hold.

    >>> has_forbidden_character("a\tb"), has_forbidden_character("a\r\nb")
    (False, True)
    """
    if len(value) < _LONG_VALUE:  # every forbidden character is unprintable
        return not value.isprintable() and FORBIDDEN_IN_VALUE.search(value) is not None
    # What is left after deleting every allowed byte is the forbidden characters.
    return bool(value.encode("utf-8", "surrogatepass").translate(None, _ALLOWED_BYTES))


class InvalidHeader(ProtocolError):
    r"""One header of a request is malformed or misplaced.

    >>> validate_header_value("a\r\nX-Injected: 1")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidHeader: header values may not contain CR (header injection)
      a\r\nX-Injected: 1
       ^^^^
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "header.invalid_name": "a header name that is not an RFC 9110 token",
        "header.forbidden_character": "CR, LF, NUL or another control character in a value",
        "header.missing_forward_name": "Upstash-Forward- with no header name after it",
        "header.too_deep": "more nested Callback-/Failure-Callback- scopes than MAX_SCOPE_DEPTH",
        "header.unknown": "an Upstash- header this library does not know (when asked to refuse)",
        "header.flow_control_incomplete": "Flow-Control-Key without -Value, or the reverse",
        "header.not_in_scope": "a header that has no meaning inside a callback scope",
        "header.invalid_content_type": "a Content-Type that is not a media type",
        "header.too_many": "more headers than MAX_HEADERS",
        "header.too_long": "a name longer than MAX_HEADER_NAME_LENGTH or a value longer "
        "than MAX_HEADER_VALUE_LENGTH",
        "header.not_upstash": "an extra (unknown) header whose name does not start with Upstash-",
        "header.unencodable": "a model value of a type the encoder cannot write (a model built "
        "without validation)",
    }


def validate_header_name(name: str) -> str:
    """Return ``name`` if it is a valid HTTP field name (an RFC 9110 token).

    >>> validate_header_name("X-Api-Key")
    'X-Api-Key'
    >>> validate_header_name("X Api")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidHeader: invalid character ' ' in a header name
      X Api
       ^
    """
    if not isinstance(name, str):
        msg = f"a header name must be a str, not {type(name).__name__}"
        raise TypeError(msg)
    if _TOKEN.fullmatch(name):
        return name
    if not name:
        raise InvalidHeader(
            "a header name cannot be empty", code="header.invalid_name", value=name, span=(0, 0)
        )
    index = next(i for i, char in enumerate(name) if not _TOKEN.fullmatch(char))
    raise InvalidHeader(
        f"invalid character {name[index]!r} in a header name",
        code="header.invalid_name",
        value=name,
        span=(index, index + 1),
    )


_CONTROL_NAMES: Final = {"\r": "CR", "\n": "LF", "\x00": "NUL"}


def validate_header_value(value: str) -> str:
    """Return ``value`` without surrounding spaces and tabs, refusing control characters.

    >>> validate_header_value("  Bearer t ")
    'Bearer t'

    Raises:
        InvalidHeader: ``header.forbidden_character``.
        TypeError: ``value`` is not a ``str``.

    """
    if not isinstance(value, str):
        msg = f"a header value must be a str, not {type(value).__name__}"
        raise TypeError(msg)
    stripped = value.strip(" \t")
    if not has_forbidden_character(stripped):
        return stripped
    found = FORBIDDEN_IN_VALUE.search(stripped)
    assert found is not None  # has_forbidden_character saw it
    char = found.group()
    name = _CONTROL_NAMES.get(char)
    message = (
        f"header values may not contain {name} (header injection)"
        if name
        else f"header values may not contain the control character {char!r}"
    )
    end = found.end()
    while end < len(stripped) and stripped[end] in _CONTROL_NAMES:
        end += 1
    raise InvalidHeader(
        message, code="header.forbidden_character", value=stripped, span=(found.start(), end)
    )


_MEDIA_TYPE_PART: Final = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
# type "/" subtype, then parameters (RFC 9110 §8.3.1), which are passed through as written.
_MEDIA_TYPE: Final = re.compile(rf"{_MEDIA_TYPE_PART}/{_MEDIA_TYPE_PART}(?:[ \t]*;.*)?")


def validate_content_type(value: str) -> str:
    """Return a ``Content-Type`` value (a media type), stripped of surrounding whitespace.

    Only the ``type/subtype`` shape is checked; parameters are passed through as written.

    >>> validate_content_type(" application/json; charset=utf-8")
    'application/json; charset=utf-8'
    >>> validate_content_type("json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidHeader: expected a media type such as ..., got 'json'
      json
      ^^^^
    """
    text = validate_header_value(value)
    if not _MEDIA_TYPE.fullmatch(text):
        raise InvalidHeader(
            f"expected a media type such as 'application/json', got {text!r}",
            code="header.invalid_content_type",
            value=text,
            span=(0, len(text)),
        )
    return text


class HeaderName(NamedTuple):
    """The meaning of one ``Upstash-`` header name under the prefix grammar.

    - ``scopes``: the callback scopes, outermost first (``"callback"``, ``"failure_callback"``).
    - ``kind``: ``"setting"`` (``directive`` is a key of :data:`SETTINGS`), ``"forward"``
      (``forward_name`` is the forwarded header's name, canonical case), ``"url"`` (the URL of
      the scope named last in ``scopes``), or ``"unknown"`` (``directive`` is the rest of the
      name, lower case).
    """

    scopes: tuple[str, ...]
    kind: Literal["setting", "forward", "url", "unknown"]
    directive: str
    forward_name: str | None = None


_SCOPE_PREFIXES: Final = (("callback-", "callback"), ("failure-callback-", "failure_callback"))
_SCOPE_STARTS: Final = tuple(prefix for prefix, _ in _SCOPE_PREFIXES)
_URL_DIRECTIVES: Final = {"callback": "callback", "failure-callback": "failure_callback"}


def parse_header_name(name: str) -> HeaderName | None:
    """Read an ``Upstash-`` header name with the prefix grammar; ``None`` for any other name.

    >>> parse_header_name("upstash-forward-x-api-key")
    HeaderName(scopes=(), kind='forward', directive='forward', forward_name='X-Api-Key')
    >>> parse_header_name("Upstash-Failure-Callback")[:2]
    (('failure_callback',), 'url')
    >>> parse_header_name("Upstash-Workflow-RunId")
    HeaderName(scopes=(), kind='unknown', directive='workflow-runid', forward_name=None)
    >>> parse_header_name("Content-Type") is None
    True

    Raises:
        InvalidHeader: ``header.invalid_name``, ``header.missing_forward_name`` or
            ``header.too_deep``.

    """
    if name.__class__ is not str or _TOKEN.fullmatch(name) is None:
        validate_header_name(name)  # raises
    lower = name.lower()
    if not lower.startswith("upstash-"):
        return None
    pos = len("upstash-")
    scopes: list[str] = []
    while True:
        rest = lower[pos:]
        if rest in _URL_DIRECTIVES:
            # "Callback" / "Failure-Callback" alone: the URL of that (nested) scope.
            return _checked_depth(name, HeaderName((*scopes, _URL_DIRECTIVES[rest]), "url", rest))
        if rest.startswith("forward") and (len(rest) == 7 or rest[7] == "-"):
            forward = name[pos + len("forward-") :]
            if not forward:
                raise InvalidHeader(
                    "expected a header name after 'Forward-'",
                    code="header.missing_forward_name",
                    value=name,
                    span=(len(name), len(name)),
                )
            # forward is part of a token: its canonical case needs no token check again
            header = new_tuple(
                HeaderName, (tuple(scopes), "forward", "forward", canonical_token(forward))
            )
            return _checked_depth(name, header)
        if not rest.startswith(_SCOPE_STARTS):
            kind: Literal["setting", "unknown"] = "setting" if rest in SETTINGS else "unknown"
            if not scopes:  # the common case, built without NamedTuple's __new__
                return new_tuple(HeaderName, ((), kind, rest, None))
            return _checked_depth(name, HeaderName(tuple(scopes), kind, rest))
        for prefix, scope in _SCOPE_PREFIXES:
            if rest.startswith(prefix) and len(rest) > len(prefix):
                scopes.append(scope)
                pos += len(prefix)
                if len(scopes) > MAX_SCOPE_DEPTH:
                    _raise_too_deep(name)
                break
        else:
            kind = "setting" if rest in SETTINGS else "unknown"
            return _checked_depth(name, HeaderName(tuple(scopes), kind, rest))


def _checked_depth(name: str, header: HeaderName) -> HeaderName:
    if len(header.scopes) > MAX_SCOPE_DEPTH:
        _raise_too_deep(name)
    return header


def _raise_too_deep(name: str) -> None:
    raise InvalidHeader(
        f"callback scopes nest at most {MAX_SCOPE_DEPTH} deep",
        code="header.too_deep",
        value=name,
        span=(0, len(name)),
    )


def join_header_values(name: str, first: str, second: str) -> str:
    """Combine two values of a repeated header into one (RFC 9110 §5.3; ``; `` for ``Cookie``).

    Empty values are list elements a recipient ignores (RFC 9110 §5.6.1), so they are dropped.

    >>> join_header_values("X-A", "1", "2"), join_header_values("cookie", "a=1", "b=2")
    ('1, 2', 'a=1; b=2')
    >>> join_header_values("X-A", "", "2")
    '2'
    """
    if not first or not second:
        return first or second
    return f"{first}; {second}" if name.lower() == "cookie" else f"{first}, {second}"


def _str_pair(pair: tuple[str, str]) -> tuple[str, str]:
    name, value = pair
    if not isinstance(name, str) or not isinstance(value, str):
        msg = f"header names and values must be str, got {name!r}: {value!r}"
        raise TypeError(msg)
    return name, value


def header_text(raw: object, what: str) -> str:
    """A header name or value as ``str``; ``bytes`` (as ASGI servers give them) as ISO-8859-1.

    ISO-8859-1 maps every byte to one character, so nothing is lost: encoding the result with
    ``latin-1`` gives the same bytes back.

    >>> header_text(b"upstash-retries", "names")
    'upstash-retries'
    """
    if isinstance(raw, str):
        return str(raw)
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("latin-1")
    msg = f"header {what} must be str or bytes, got {raw!r}"
    raise TypeError(msg)


class Headers(Mapping[str, str]):
    """An immutable, ordered, case-insensitive header map with names in canonical case.

    Built from a mapping or from ``(name, value)`` pairs; repeated names are combined into one
    value with ``", "`` (``"; "`` for ``Cookie``). Names must be tokens and values may not
    contain control characters (:func:`validate_header_name`, :func:`validate_header_value`).

    >>> h = Headers([("x-api-key", "k"), ("Accept", "a"), ("accept", "b")])
    >>> h["X-API-KEY"], h["Accept"]
    ('k', 'a, b')
    >>> list(h)
    ['X-Api-Key', 'Accept']
    >>> h == {"x-api-key": "k", "accept": "a, b"}
    True
    """

    __slots__ = ("_hash", "_items", "_lower")

    _items: dict[str, str]
    _lower: dict[str, str] | None  # lower case -> name; None until first needed
    _hash: int | None

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        self._combine(
            (canonical_header_name(validate_header_name(name)), validate_header_value(value))
            for name, value in map(_str_pair, pairs)
        )

    @classmethod
    def _trusted(cls, pairs: Iterable[tuple[str, str]]) -> Headers:
        """Build from names already canonical and values already checked (no checks again)."""
        self = cls.__new__(cls)
        self._combine(pairs)
        return self

    @classmethod
    def _canonical(cls, pairs: list[tuple[str, str]]) -> Headers:
        """Like :meth:`_trusted`, for names already in canonical case.

        Two canonical names differ only in case only if they are equal, so a name repeats in
        any case only if it repeats exactly, and the lower-case index waits until a lookup.
        """
        self = _new_object(cls)
        items = dict(pairs)
        if len(items) == len(pairs):
            self._items = items
            self._lower = None
            self._hash = None
        else:
            self._combine(pairs)
        return self

    def _folded_names(self) -> dict[str, str]:
        lower = self._lower = {name.lower(): name for name in self._items}
        return lower

    def _combine(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Set the items from checked pairs, combining repeated names (any case) in order."""
        pairs = pairs if isinstance(pairs, list) else list(pairs)
        items = dict(pairs)
        if len(items) == len(pairs):  # the common case: no name repeats, in any case
            folded = {name.lower(): name for name in items}
            if len(folded) == len(items):
                self._items = items
                self._lower = folded
                self._hash = None
                return
        items = {}
        lower: dict[str, str] = {}
        repeated: dict[str, list[str]] = {}
        for name, value in pairs:
            key = name.lower()
            existing = lower.get(key)
            if existing is None:
                lower[key] = name
                items[name] = value
            else:  # collected, and joined once below: joining pair by pair is quadratic
                parts = repeated.get(existing)
                if parts is None:
                    parts = repeated[existing] = [items[existing]]
                parts.append(value)
        for name, parts in repeated.items():
            # join_header_values over the whole list: empty values dropped, "; " for Cookie
            separator = "; " if name.lower() == "cookie" else ", "
            items[name] = separator.join([part for part in parts if part])
        self._items = items
        self._lower = lower
        self._hash = None

    def __getitem__(self, name: str) -> str:
        return self._items[(self._lower or self._folded_names())[name.lower()]]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in (self._lower or self._folded_names())

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._folded() == other._folded()
        if isinstance(other, Mapping):
            try:
                return self == Headers(other)
            except (TypeError, ProtocolError):
                return False
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._folded().items()))
        return self._hash

    def _folded(self) -> dict[str, str]:
        return {name.lower(): value for name, value in self._items.items()}

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"

    def to_dict(self) -> dict[str, str]:
        """Return the headers as a plain ``dict`` in order, names in canonical case.

        >>> Headers({"x-a": "1"}).to_dict()
        {'X-A': '1'}
        """
        return dict(self._items)
