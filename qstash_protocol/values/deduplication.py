"""Deduplication: ``Upstash-Deduplication-Id`` and ``Upstash-Content-Based-Deduplication``.

>>> validate_deduplication_id("order-1234")
'order-1234'
>>> parse_content_based_deduplication("True")
True
>>> format_content_based_deduplication(True)
'true'

Facts
-----
The rule (https://upstash.com/docs/qstash/features/deduplication): a message whose deduplication
id was seen in the last 10 minutes is accepted (HTTP 202) but not enqueued again (API v1: 90
days). With ``Upstash-Content-Based-Deduplication: true`` the server derives the id from the
message.

Where the sources disagree, this module reads them so:

- **Deduplication id characters**: the server refuses ``:`` today ("DeduplicationId cannot
  contain ':'", HTTP 400, seen in public issues in 2026); the API v1 reference also said
  "Deduplication ids must not contain ``:`` or whitespace" (upstash/docs,
  https://github.com/upstash/docs/blob/4c50878cb1da886eea8fb0bcc643d6df38ae9207/qstash/api/publish.mdx).
  Both are refused (``deduplication.colon``, ``deduplication.whitespace``). So are control and
  non-ASCII characters (``deduplication.invalid_character``): header values are bytes, and an id
  with non-ASCII characters decodes differently in every framework, so it would not be the same
  id everywhere. An id is 1 to :data:`MAX_DEDUPLICATION_ID_LENGTH` visible ASCII characters
  other than ``:``; case matters. No length limit is documented; 256 holds any generated id with
  a readable prefix.
- **Content-based id inputs**: four descriptions exist (the v1 reference above: "All headers
  prefixed with Upstash this includes all custom headers you are sending; the entire raw request
  body; the destination from the url path"; the current feature page: destination, body,
  ``Content-Type`` and the forwarded headers; the OpenAPI document: the body; the qstash-js
  docstring: all headers but authorization). The server's hash is not public, so no client can
  reproduce it. :func:`content_deduplication_id` follows the v1 description: every header whose
  name starts with ``Upstash`` (ASCII case-insensitively, so custom ``Upstash-Forward-*``
  headers count and ``Authorization`` does not), the raw body, and the destination.
- **Normalisation, so that one call made through any SDK gets one id**. The official SDKs send
  the same message differently (https://github.com/upstash/qstash-py/blob/main/qstash/message.py,
  https://github.com/upstash/qstash-js/blob/main/src/client/utils.ts): Python sends the flag as
  ``True`` and JS as ``true``, JS adds ``Upstash-Telemetry-Sdk`` / ``-Runtime`` / ``-Framework``
  and sends ``Upstash-Method: POST`` on every publish, and names come in any case. So, of the
  ``Upstash`` headers, these do not count, since none of them is content of the message:
  ``Upstash-Content-Based-Deduplication`` itself (it asks for the id; it is not content),
  ``Upstash-Telemetry-*`` (they describe the sending SDK), and ``Upstash-Method`` when it is
  ``POST`` in any case (the service's default: sending it changes nothing). Names count in lower
  case and values without surrounding spaces and tabs (not part of a field value, RFC 9110
  §5.5). Every other value counts exactly as given: spellings that differ in meaning are not
  guessed at.
- **Content-based id encoding** (reproducible in any language): the lowercase hex SHA-256 of ::

      field("qstash-content-dedup/v1")
      field(destination)
      field(body)
      u64(n)                                       the number of counted headers
      field(name_1) field(value_1) ... field(name_n) field(value_n)

  where ``field(b)`` is the byte length of ``b`` as an 8-byte big-endian unsigned integer
  followed by ``b``; ``u64(n)`` is ``n`` as 8 bytes big-endian; text is UTF-8 (a lone surrogate
  as in WTF-8); names are lower-cased (ASCII letters only); and the counted headers are sorted
  by (name bytes, value bytes), so header order and name case never matter and repeated names
  are all counted. The destination and the body are taken exactly as given. The result is 64
  hex characters, itself a valid deduplication id.
- **The boolean**: the OpenAPI document enumerates ``true`` / ``false``; the Python SDK sends
  ``str(bool)``, ``True`` / ``False``; JS and Go send ``true``. ``true`` and ``false`` are
  accepted in any case (``TRUE``, ``True``); Go's other ``strconv.ParseBool`` spellings (``1``,
  ``t``, ``F``) and anything else are refused, since no source sends them. The canonical form is
  ``true`` / ``false`` (:func:`format_content_based_deduplication`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import ClassVar, Final, NoReturn

from qstash_protocol._chars import (
    ascii_lower,
    bad_char_reason,
    check_str,
    first_not_vchar,
    preview,
    utf8,
)
from qstash_protocol.errors import ProtocolError

__all__ = [
    "CONTENT_DEDUPLICATION_HEADER_PREFIX",
    "MAX_DEDUPLICATION_ID_LENGTH",
    "InvalidDeduplicationId",
    "content_deduplication_id",
    "format_content_based_deduplication",
    "parse_content_based_deduplication",
    "validate_deduplication_id",
]


class InvalidDeduplicationId(ProtocolError):
    """A deduplication id, or the content-based deduplication flag, is invalid.

    >>> try:
    ...     validate_deduplication_id("user:42")
    ... except InvalidDeduplicationId as err:
    ...     print(err.code, err.span)
    deduplication.colon (4, 5)
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "deduplication.empty": "the deduplication id is empty",
        "deduplication.too_long": "the id is longer than MAX_DEDUPLICATION_ID_LENGTH",
        "deduplication.colon": "the id contains ':', which the server refuses",
        "deduplication.whitespace": "the id contains whitespace",
        "deduplication.invalid_character": "the id contains a control or non-ASCII character",
        "deduplication.invalid_boolean": "the content-based flag is not true or false",
    }


#: The longest deduplication id :func:`validate_deduplication_id` accepts. None is documented;
#: 256 holds any generated id (a UUID is 36, a SHA-256 hex digest 64) with a readable prefix,
#: and catches a body pasted into the wrong header.
MAX_DEDUPLICATION_ID_LENGTH: Final = 256

# 1 to MAX_DEDUPLICATION_ID_LENGTH visible ASCII characters (0x21-0x7E) but ':' (0x3A).
_VALID_ID: Final = re.compile(rf"[\x21-\x39\x3b-\x7e]{{1,{MAX_DEDUPLICATION_ID_LENGTH}}}")

#: Headers whose name starts with this (ASCII case-insensitively) count in a content-based id.
CONTENT_DEDUPLICATION_HEADER_PREFIX: Final = "upstash"

#: ``Upstash`` headers that are not content of the message (lower case): they do not count.
_NOT_CONTENT: Final = frozenset({"upstash-content-based-deduplication"})
_TELEMETRY: Final = "upstash-telemetry-"

#: The first field of the hashed encoding; a later encoding gets a new tag.
_TAG: Final = b"qstash-content-dedup/v1"


def _fail(code: str, message: str, text: str, span: tuple[int, int]) -> NoReturn:
    raise InvalidDeduplicationId(message, code=code, value=text, span=span)


def validate_deduplication_id(text: str) -> str:
    """Check an ``Upstash-Deduplication-Id`` and return it unchanged.

    An id is 1 to :data:`MAX_DEDUPLICATION_ID_LENGTH` visible ASCII characters other than
    ``:``.

    >>> validate_deduplication_id("abc-123")
    'abc-123'
    >>> try:
    ...     validate_deduplication_id("msg 1")
    ... except InvalidDeduplicationId as err:
    ...     print(err)
    a deduplication id may not contain whitespace ' ' (SPACE)
      msg 1
         ^

    Raises:
        InvalidDeduplicationId: ``deduplication.empty``, ``.too_long``, ``.colon``,
            ``.whitespace`` or ``.invalid_character``.

    """
    if isinstance(text, str) and _VALID_ID.fullmatch(text) is not None:
        return text  # the common case, in one regular-expression match
    check_str(text, "a deduplication id")
    if not text:
        _fail("deduplication.empty", "the deduplication id is empty", text, (0, 0))
    if len(text) > MAX_DEDUPLICATION_ID_LENGTH:
        _fail(
            "deduplication.too_long",
            f"a deduplication id is at most {MAX_DEDUPLICATION_ID_LENGTH} characters, "
            f"got {len(text)}",
            text,
            (MAX_DEDUPLICATION_ID_LENGTH, len(text)),
        )
    bad = first_not_vchar(text)
    colon = text.find(":", 0, len(text) if bad is None else bad)
    if colon >= 0:
        _fail(
            "deduplication.colon",
            "a deduplication id may not contain ':' (the server refuses it)",
            text,
            (colon, colon + 1),
        )
    if bad is not None:
        char = text[bad]
        _fail(
            "deduplication.whitespace" if char.isspace() else "deduplication.invalid_character",
            f"a deduplication id may not contain {bad_char_reason(char)}",
            text,
            (bad, bad + 1),
        )
    return text


def content_deduplication_id(
    destination: str,
    body: bytes,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> str:
    """Compute a content-based deduplication id from the destination, body and headers.

    Only headers whose name starts with ``Upstash`` (any case) count, but for the content-based
    flag itself, ``Upstash-Telemetry-*`` and ``Upstash-Method: POST``; their order, name case
    and surrounding whitespace do not matter. The encoding is documented in the module docstring
    so that other languages can reproduce it. The result (64 lowercase hex characters) is a
    valid deduplication id.

    >>> content_deduplication_id(
    ...     "https://example.com/api",
    ...     b'{"hello":"world"}',
    ...     {"Upstash-Forward-X-Api-Key": "k", "Authorization": "Bearer t"},
    ... )
    '80f5e41c07108eae04bbceb48075240b8ce774f11e3b639f1fd7f1512a16ba25'

    Raises:
        TypeError: when the destination or a header name or value is not a ``str``, or the
            body is not bytes.

    """
    check_str(destination, "the destination")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        msg = f"the body must be bytes, not {type(body).__name__}"
        raise TypeError(msg)
    if isinstance(headers, (str, bytes)):
        msg = f"headers must be a mapping or pairs, not {type(headers).__name__}"
        raise TypeError(msg)
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    counted = []
    for name, value in pairs:
        check_str(name, "a header name")
        check_str(value, "a header value")
        lower = ascii_lower(name)
        if not lower.startswith(CONTENT_DEDUPLICATION_HEADER_PREFIX):
            continue
        text = value.strip(" \t")
        if (
            lower in _NOT_CONTENT
            or lower.startswith(_TELEMETRY)
            or (lower == "upstash-method" and ascii_lower(text) == "post")
        ):
            continue
        counted.append((utf8(lower), utf8(text)))
    counted.sort()
    digest = hashlib.sha256()
    for part in (_TAG, utf8(destination), bytes(body)):
        digest.update(_field(part))
    digest.update(len(counted).to_bytes(8, "big"))
    for name_bytes, value_bytes in counted:
        digest.update(_field(name_bytes))
        digest.update(_field(value_bytes))
    return digest.hexdigest()


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def parse_content_based_deduplication(text: str) -> bool:
    """Parse ``Upstash-Content-Based-Deduplication``: ``true`` or ``false``, in any case.

    >>> parse_content_based_deduplication("true"), parse_content_based_deduplication("False")
    (True, False)
    >>> parse_content_based_deduplication("1")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidDeduplicationId: expected 'true' or 'false', got '1'
      1
      ^

    Raises:
        InvalidDeduplicationId: ``deduplication.invalid_boolean``.

    """
    check_str(text, "a content-based deduplication flag")
    if len(text) <= len("false"):
        lower = ascii_lower(text)
        if lower == "true":
            return True
        if lower == "false":
            return False
    _fail(
        "deduplication.invalid_boolean",
        f"expected 'true' or 'false', got {preview(text)}",
        text,
        (0, len(text)),
    )


def format_content_based_deduplication(value: bool) -> str:
    """Write the ``Upstash-Content-Based-Deduplication`` value: ``true`` or ``false``.

    >>> format_content_based_deduplication(False)
    'false'
    """
    if not isinstance(value, bool):
        msg = f"format_content_based_deduplication takes a bool, not {type(value).__name__}"
        raise TypeError(msg)
    return "true" if value else "false"
