"""Redact fields: ``Upstash-Redact-Fields``, and the ``REDACTED:<sha256>`` form of a value.

>>> fields = parse_redact_fields("body, header[authorization]")
>>> fields
RedactFields(body=True, all_headers=False, headers=('Authorization',))
>>> str(fields)
'body,header[Authorization]'
>>> redact_value("Bearer my-token")
'REDACTED:89561152c3f595f91dee15b0d8bf91457346c37c09fb804d2a9da1c5a3b481c1'

Facts
-----
The rule (specified in ``docs/protocol/redact.md``;
https://upstash.com/docs/qstash/howto/redact-fields): the value lists what the server hides in logs,
the DLQ and schedule responses (the destination still receives the originals). It is a
comma-separated list of tokens::

    value := OWS item ( OWS "," OWS item )* OWS
    item  := "body"                           redact the body
           | "header" | "headers"             redact every header
           | ( "header" | "headers" ) "[" field-name "]"    redact one header

Where the sources disagree, this module reads them so:

- **``header`` versus ``headers``**: ``openapi.yaml`` and the how-to page write ``headers`` for
  "all headers" and the how-to page writes ``headers[name]``; both SDKs send ``header`` and
  ``header[Name]``, and the JS live end-to-end test proves the server honours ``header``. All
  four spellings are accepted; the canonical form is the SDKs'.
- **Separator**: the docs write ``body, header[Authorization]``, the SDKs ``body,header``. Spaces
  and tabs around items are optional; the canonical separator is ``,`` (the SDKs').
- **Case**: undocumented. Tokens are matched case-insensitively (``BODY``, ``Header``), and
  header names case-insensitively, as HTTP field names are (RFC 9110 §5.1) and as the Go server
  canonicalises them. ``field-name`` is an RFC 9110 ``token``; ``header[]``, spaces and other
  characters inside the brackets are refused.
- **Canonical form**: ``body``, then ``header``, then ``header[Name]`` items, joined by ``,``.
  Names are written in Go's canonical case (``textproto.CanonicalMIMEHeaderKey``: upper case
  at the start and after each ``-``, lower case elsewhere, so ``x-api-key`` is ``X-Api-Key``, as
  the SDKs' examples spell them), without duplicates, in ASCII order. ``header`` (all headers)
  covers every name, so names given with it are dropped: ``header,header[A]`` is ``header``.
  So two values that redact the same things are equal.
- **Errors**: an empty value, an empty item (``body,,header``), an unknown token and a bad
  header name are refused with the span of the offending item; a repeated token is merged.
- **Rendering** (:func:`redact_value`): the dashboard shows ``REDACTED:`` and the lowercase hex
  SHA-256 of the raw value, no salt. Checked against the docs' screenshots:
  ``sha256("Bearer my-token")`` is ``89561152c3f5...b481c1`` and ``sha256("Bearer secret")`` is
  ``bffde20413347b7a...``. A ``str`` is hashed as UTF-8 (pass ``bytes`` for other encodings).
  How the server renders a header with several values is unknown; :meth:`RedactFields.apply`
  renders each value on its own.
- **Length**: a value longer than :data:`MAX_REDACT_FIELDS_LENGTH` is refused before it is
  looked at.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, AnyStr, ClassVar, Final, NoReturn, TypeVar, overload

from qstash_protocol._chars import (
    TOKEN,
    ascii_lower,
    canonical_header_name,
    canonical_token,
    check_str,
    describe,
    first_not_tchar,
    preview,
    split_items,
    utf8,
)
from qstash_protocol.errors import ProtocolError

__all__ = [
    "MAX_REDACT_FIELDS_LENGTH",
    "REDACTED_PREFIX",
    "InvalidRedactFields",
    "RedactFields",
    "parse_redact_fields",
    "redact_value",
]


class InvalidRedactFields(ProtocolError):
    """An ``Upstash-Redact-Fields`` value is invalid.

    >>> try:
    ...     parse_redact_fields("body,,header")
    ... except InvalidRedactFields as err:
    ...     print(err.code, err.span)
    redact.empty_item (5, 5)
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "redact.empty": "the value is empty: nothing to redact",
        "redact.too_long": "the value is longer than MAX_REDACT_FIELDS_LENGTH",
        "redact.empty_item": "an empty item between commas, or a trailing comma",
        "redact.unknown_field": "an item that is not body, header, headers or header[Name]",
        "redact.unclosed_bracket": "header[ without a closing ] at the end of the item",
        "redact.invalid_header_name": "the name in header[...] is empty or not an HTTP field name",
    }


#: The longest value :func:`parse_redact_fields` looks at: room for over a hundred
#: ``header[Name]`` items, far more than any message carries.
MAX_REDACT_FIELDS_LENGTH: Final = 4096

#: What a redacted value starts with, before the hex SHA-256.
REDACTED_PREFIX: Final = "REDACTED:"

_V = TypeVar("_V", str, list[str])
_B = TypeVar("_B", str, bytes)


@dataclass(frozen=True, slots=True)
class RedactFields:
    """A parsed ``Upstash-Redact-Fields`` value: redact the body, all headers, or some headers.

    ``str()`` is the canonical header value and ``parse_redact_fields(str(f)) == f``. On
    construction ``headers`` is normalised (canonical case, no duplicates, sorted; empty when
    ``all_headers`` is set), so equal values redact the same things. At least one thing must be
    redacted.

    >>> f = RedactFields(headers=("x-api-key", "Authorization", "X-API-KEY"))
    >>> f.headers
    ('Authorization', 'X-Api-Key')
    >>> str(f)
    'header[Authorization],header[X-Api-Key]'
    >>> str(RedactFields(body=True, all_headers=True, headers=("Authorization",)))
    'body,header'
    """

    body: bool = False
    all_headers: bool = False
    headers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for flag in ("body", "all_headers"):
            if not isinstance(getattr(self, flag), bool):
                msg = f"{flag} must be a bool, not {type(getattr(self, flag)).__name__}"
                raise TypeError(msg)
        if isinstance(self.headers, str):
            msg = "headers must be a tuple of header names, not a str"
            raise TypeError(msg)
        names = tuple(self.headers)
        for name in names:
            check_str(name, "a header name")
            _check_header_name(name, None, None)
        object.__setattr__(self, "headers", _normalised(self.all_headers, names))
        if not (self.body or self.all_headers or self.headers):
            _fail(
                "redact.empty", "nothing to redact: give body, header or header[Name]", None, None
            )

    @classmethod
    def _create(cls, body: bool, all_headers: bool, headers: tuple[str, ...]) -> RedactFields:
        """The value of fields the parser has checked and normalised (no __post_init__)."""
        self = object.__new__(cls)
        object.__setattr__(self, "body", body)
        object.__setattr__(self, "all_headers", all_headers)
        object.__setattr__(self, "headers", headers)
        return self

    def __str__(self) -> str:
        parts = []
        if self.body:
            parts.append("body")
        if self.all_headers:
            parts.append("header")
        parts.extend(f"header[{name}]" for name in self.headers)
        return ",".join(parts)

    def redacts_header(self, name: str) -> bool:
        """Whether the header ``name`` (any case) is redacted.

        >>> parse_redact_fields("header[Authorization]").redacts_header("authorization")
        True
        >>> parse_redact_fields("body").redacts_header("Authorization")
        False
        """
        return self.all_headers or canonical_header_name(name) in self.headers

    @overload
    def apply(self, body: AnyStr, headers: Mapping[str, _V]) -> tuple[AnyStr, dict[str, _V]]: ...

    @overload
    def apply(
        self, body: AnyStr, headers: Iterable[tuple[_B, _B]]
    ) -> tuple[AnyStr, list[tuple[_B, _B]]]: ...

    def apply(self, body: AnyStr, headers: object) -> tuple[AnyStr, Any]:
        """Return copies of ``body`` and ``headers`` with the redacted parts replaced.

        ``headers`` is a mapping (a value may be a list of values) or an iterable of
        ``(name, value)`` pairs, as :func:`~qstash_protocol.decode_headers` and
        :func:`~qstash_protocol.content_deduplication_id` take them; pairs come back as a new
        list of pairs in the same order, names repeated as given, and may be ``bytes`` (an
        ASGI scope's headers, names read as ISO-8859-1). A redacted body or header value becomes
        :func:`redact_value` of it (``bytes`` in, ``bytes`` out). Header names are matched
        case-insensitively and kept as given. Nothing given is modified: the result is a new
        dict or list (with new lists).

        >>> fields = parse_redact_fields("header[Authorization]")
        >>> body, headers = fields.apply(b"hi", {"authorization": "Bearer my-token", "X": "1"})
        >>> body
        b'hi'
        >>> headers["authorization"][:24], headers["X"]
        ('REDACTED:89561152c3f595f', '1')
        >>> _, pairs = fields.apply("", [(b"authorization", b"Bearer my-token"), (b"x", b"1")])
        >>> [(name, value[:24]) for name, value in pairs]
        [(b'authorization', b'REDACTED:89561152c3f595f'), (b'x', b'1')]

        Raises:
            TypeError: ``headers`` is neither a mapping nor pairs, or a name or value is not
                ``str`` or ``bytes`` (a mapping's value may also be a list of them).

        """
        new_body = _redact_like(body) if self.body else body
        if isinstance(headers, Mapping):
            result: dict[object, object] = {}
            for name, value in headers.items():
                hide = self._hides(_name_text(name))
                if isinstance(value, (str, bytes)):
                    result[name] = _redact_one(value) if hide else value
                elif isinstance(value, (list, tuple)):
                    result[name] = [_redact_one(v) if hide else _check_value(v) for v in value]
                else:
                    _bad_value(value)
            return new_body, result
        if isinstance(headers, (str, bytes, bytearray, memoryview)) or not isinstance(
            headers, Iterable
        ):
            msg = f"headers must be a mapping or (name, value) pairs, not {type(headers).__name__}"
            raise TypeError(msg)
        pairs: list[tuple[object, object]] = []
        for index, pair in enumerate(headers):
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                msg = f"header {index} must be a (name, value) pair, not {type(pair).__name__}"
                raise TypeError(msg)
            name, value = pair
            hide = self._hides(_name_text(name))
            _check_value(value)
            pairs.append((name, _redact_one(value) if hide else value))
        return new_body, pairs

    def _hides(self, name: str) -> bool:
        return (self.all_headers or bool(self.headers)) and self.redacts_header(name)


def _name_text(name: object) -> str:
    """A header name as text: ``bytes`` (ASGI) are read as ISO-8859-1, as HTTP allows."""
    if isinstance(name, str):
        return name
    if isinstance(name, bytes):
        return name.decode("latin-1")
    msg = f"a header name must be str or bytes, not {type(name).__name__}"
    raise TypeError(msg)


def _check_value(value: object) -> str | bytes:
    if not isinstance(value, (str, bytes)):
        _bad_value(value)
    return value


def _redact_one(value: object) -> str | bytes:
    """:func:`redact_value` of a header value, as ``bytes`` when it came as ``bytes``."""
    if isinstance(value, bytes):
        return redact_value(value).encode("ascii")
    return redact_value(_check_value(value))


def _bad_value(value: object) -> NoReturn:
    msg = f"a header value must be str or bytes, not {type(value).__name__}"
    raise TypeError(msg)


def _redact_like(body: AnyStr) -> AnyStr:
    if isinstance(body, str):
        return redact_value(body)
    return redact_value(body).encode("ascii")


def redact_value(value: str | bytes) -> str:
    """Return the redacted form of one value: ``REDACTED:`` and its lowercase hex SHA-256.

    ``bytes`` are hashed as they are; a ``str`` is hashed as UTF-8.

    >>> redact_value("Bearer my-token")
    'REDACTED:89561152c3f595f91dee15b0d8bf91457346c37c09fb804d2a9da1c5a3b481c1'
    >>> redact_value(b"")
    'REDACTED:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    if isinstance(value, str):
        data = utf8(value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    else:
        msg = f"redact_value takes str or bytes, not {type(value).__name__}"
        raise TypeError(msg)
    return REDACTED_PREFIX + hashlib.sha256(data).hexdigest()


def _fail(code: str, message: str, text: str | None, span: tuple[int, int] | None) -> NoReturn:
    raise InvalidRedactFields(message, code=code, value=text, span=span)


def _check_header_name(name: str, text: str | None, offset: int | None) -> None:
    """``field-name := token`` (RFC 9110 §5.1); ``offset`` is where ``name`` starts in ``text``."""
    if not name:
        span = None if offset is None else (offset - 1, offset + 1)
        _fail(
            "redact.invalid_header_name",
            "the header name in brackets is empty; write e.g. 'header[Authorization]'",
            text,
            span,
        )
    bad = first_not_tchar(name)
    if bad is not None:
        span = None if offset is None else (offset + bad, offset + bad + 1)
        _fail(
            "redact.invalid_header_name",
            f"{describe(name[bad])} cannot appear in a header name {preview(name)}",
            text,
            span,
        )


def parse_redact_fields(text: str) -> RedactFields:
    """Parse an ``Upstash-Redact-Fields`` value such as ``body,header[Authorization]``.

    Accepts ``body``, ``header`` / ``headers`` (all headers) and ``header[Name]`` /
    ``headers[Name]``, in any case, separated by ``,`` with optional spaces.

    >>> parse_redact_fields("body, headers")
    RedactFields(body=True, all_headers=True, headers=())
    >>> str(parse_redact_fields("HEADERS[x-api-key], header[Authorization], body"))
    'body,header[Authorization],header[X-Api-Key]'
    >>> try:
    ...     parse_redact_fields("body,header[Authorization")
    ... except InvalidRedactFields as err:
    ...     print(err)
    expected ']' to close 'header[' at the end of the item
      body,header[Authorization
                 ^^^^^^^^^^^^^^

    Raises:
        InvalidRedactFields: with one of the codes in ``InvalidRedactFields.CODES``.

    """
    check_str(text, "a redact-fields value")
    if len(text) > MAX_REDACT_FIELDS_LENGTH:
        _fail(
            "redact.too_long",
            f"a redact-fields value is at most {MAX_REDACT_FIELDS_LENGTH} characters, "
            f"got {len(text)}",
            text,
            (MAX_REDACT_FIELDS_LENGTH, len(text)),
        )
    return _parse_cached(text)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> RedactFields:
    items = split_items(text)
    if len(items) == 1 and items[0].empty:
        _fail(
            "redact.empty",
            "expected fields to redact such as 'body,header[Authorization]', got an empty value",
            text,
            (0, len(text)),
        )
    body = all_headers = False
    names: list[str] = []
    for item in items:
        if item.empty:
            where = "a trailing comma" if item.raw_end == len(text) else "an empty item"
            _fail(
                "redact.empty_item",
                f"{where}; separate fields with single commas",
                text,
                (item.raw_start, item.raw_end),
            )
        raw = text[item.start : item.end]
        lower = ascii_lower(raw)
        if lower == "body":
            body = True
        elif lower in ("header", "headers"):
            all_headers = True
        elif lower.startswith(("header[", "headers[")):
            bracket = item.start + raw.index("[")
            if not raw.endswith("]"):
                _fail(
                    "redact.unclosed_bracket",
                    f"expected ']' to close '{raw[: bracket - item.start + 1]}' "
                    "at the end of the item",
                    text,
                    (bracket, item.end),
                )
            name = text[bracket + 1 : item.end - 1]
            _check_header_name(name, text, bracket + 1)
            names.append(name)
        else:
            _fail("redact.unknown_field", _unknown_message(raw), text, (item.start, item.end))
    # Every name is a token (checked above) and an item was given: made without __post_init__
    # checking that again, and normalised as it normalises.
    return RedactFields._create(body, all_headers, _normalised(all_headers, names))


def _normalised(all_headers: bool, names: Iterable[str]) -> tuple[str, ...]:
    """The ``headers`` of a value: canonical case, no duplicates, sorted (checked tokens).

    None with ``all_headers``, which covers them all.
    """
    return () if all_headers else tuple(sorted({canonical_token(name) for name in names}))


def _unknown_message(raw: str) -> str:
    hint = ""
    lower = ascii_lower(raw)
    if lower in ("all", "*", "all_headers", "all-headers"):
        hint = " (did you mean 'header', all headers?)"
    elif lower.startswith("body") or lower in ("payload", "data"):
        hint = " (did you mean 'body'?)"
    elif TOKEN.fullmatch(raw):
        hint = f" (did you mean 'header[{raw}]'?)"
    return (
        f"unknown field {preview(raw)}{hint}; "
        "fields are body, header (all headers) and header[Name]"
    )
