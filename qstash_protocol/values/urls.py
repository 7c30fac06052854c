"""URLs: callback URLs (``Upstash-Callback``, ``Upstash-Failure-Callback``) and destinations.

>>> parse_callback_url("https://example.com/callback")
'https://example.com/callback'
>>> parse_destination("https://example.com/api?x=1&y=2")
Destination(value='https://example.com/api?x=1&y=2', kind='url')
>>> parse_destination("my-group").kind
'url_group'

Facts
-----
The rule (specified in ``docs/protocol/urls.md``;
https://github.com/upstash/docs/blob/main/qstash/openapi.yaml; "Destination URLs must always include
the protocol", https://upstash.com/docs/qstash/howto/publishing): callback URLs are absolute
``http://`` or ``https://`` URLs. A publish destination (the ``{destination}`` of
``/v2/publish/{destination}``, a batch item's ``destination``, a schedule's destination) is such a
URL or a URL-group name. The server's errors for bad ones are "invalid destination url: endpoint has
invalid scheme, add http:// or https://" and "endpoint resolves to a loopback address".

What :func:`parse_callback_url` checks, with :func:`urllib.parse.urlsplit` and explicit rules:

- 1 to :data:`MAX_URL_LENGTH` characters, all visible ASCII: whitespace, control and non-ASCII
  characters are refused (``url.invalid_character``); percent-encode them, and write
  international domain names in their ``xn--`` form. Header values are bytes, and the SDKs
  put destinations into the request path unencoded (``docs/protocol/requests.md``).
- The scheme is ``http`` or ``https`` (any case, as RFC 3986 §3.1 allows), followed by ``//``.
- The host is present: a registered name (RFC 3986 ``reg-name``: letters, digits,
  ``-._~!$&'()*+,;=`` and ``%XX``) or a bracketed IPv6 address (no zone id).
- A port, when present, is 1 to 65535 in ASCII digits (an empty port, ``host:``, is allowed, as
  RFC 3986 allows).

What is not checked: the path, query and fragment beyond their characters; user information;
whether the host resolves, and to what (the server's loopback and private-address checks need
DNS, and the local development server accepts ``localhost``); top-level domains
(``https://cb``, which the SDKs' own tests use, is accepted). The URL is returned unchanged,
not normalised: the server receives it as written.

Destinations (:func:`parse_destination`), where the sources leave a gap:

- Text containing ``:`` or ``/`` is read as a URL, so ``example.com/api`` and
  ``localhost:3000/api`` get the server's "add http:// or https://" error
  (``url.invalid_scheme``). Other text is a URL-group name ("alphanumeric, underscore, hyphen
  and dot", :func:`~qstash_protocol.validate_url_group_name`), even when it looks like a host:
  ``example.com`` is a group name, as the server would take it.
- ``api/<name>`` (kind ``"api"``): the JS SDK publishes Upstash-hosted LLM calls to
  ``/v2/publish/api/llm`` (``getRequestPath`` in
  https://github.com/upstash/qstash-js/blob/main/src/client/utils.ts), and the docs say the publish
  and enqueue paths accept "``api/llm`` and similar". It is accepted with ``<name>`` following the
  URL-group name rule; which API names exist is the server's business.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Final, Literal, NoReturn
from urllib.parse import urlsplit

from qstash_protocol._chars import (
    DIGITS,
    ascii_lower,
    bad_char_reason,
    check_str,
    describe,
    first_not_vchar,
    preview,
)
from qstash_protocol.errors import ProtocolError
from qstash_protocol.values.names import InvalidName, validate_url_group_name

__all__ = [
    "MAX_URL_LENGTH",
    "Destination",
    "DestinationKind",
    "InvalidUrl",
    "parse_callback_url",
    "parse_destination",
]


class InvalidUrl(ProtocolError):
    """A callback URL or URL destination is not an absolute ``http(s)://`` URL.

    >>> try:
    ...     parse_callback_url("example.com/callback")
    ... except InvalidUrl as err:
    ...     print(err.code)
    url.invalid_scheme
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "url.empty": "the value is empty",
        "url.too_long": "the value is longer than MAX_URL_LENGTH",
        "url.invalid_character": "whitespace, a control character or a non-ASCII character",
        "url.invalid_scheme": "no scheme, or a scheme other than http and https",
        "url.missing_host": "no '//' and host after the scheme, or an empty host",
        "url.invalid_host": "a host that is not a registered name or a bracketed IPv6 address",
        "url.invalid_port": "a port that is not 1 to 65535",
    }


#: The longest URL accepted: 2048, the de-facto limit of browsers, CDNs and many proxies.
#: RFC 9110 §4.1 recommends that URLs of at least 8000 octets be supported; no QStash limit
#: is documented.
MAX_URL_LENGTH: Final = 2048

#: What a destination is: an ``http(s)`` URL, a URL-group name, or an ``api/<name>`` path.
DestinationKind = Literal["url", "url_group", "api"]

_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_REG_NAME_CHAR: Final = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=]")
_PCT_ESCAPE: Final = re.compile(r"%[0-9A-Fa-f]{2}")
_API_PREFIX: Final = "api/"


def _fail(code: str, message: str, text: str, span: tuple[int, int]) -> NoReturn:
    raise InvalidUrl(message, code=code, value=text, span=span)


#: URLs every check below accepts, in one match: http(s), a host of letters, digits, dots and
#: hyphens, a port of at most four digits, then visible ASCII. Anything else takes the checks.
_PLAIN_URL: Final = re.compile(
    r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9.\-]+(?::[1-9][0-9]{0,3})?(?:[/?#][\x21-\x7e]*)?"
)


def _check_url(text: str, what: str) -> None:
    """Raise :class:`InvalidUrl` unless ``text`` is an absolute http(s) URL (module docstring)."""
    if len(text) <= MAX_URL_LENGTH and _PLAIN_URL.fullmatch(text) is not None:
        return  # the common case
    if not text:
        _fail("url.empty", f"the {what} is empty; expected an https:// URL", text, (0, 0))
    if len(text) > MAX_URL_LENGTH:
        _fail(
            "url.too_long",
            f"a {what} is at most {MAX_URL_LENGTH} characters, got {len(text)}",
            text,
            (MAX_URL_LENGTH, len(text)),
        )
    bad = first_not_vchar(text)
    if bad is not None:
        _fail(
            "url.invalid_character",
            f"a {what} may not contain {bad_char_reason(text[bad])}; percent-encode it",
            text,
            (bad, bad + 1),
        )
    scheme_match = _SCHEME.match(text)
    if scheme_match is None or not text.startswith(":", scheme_match.end()):
        _fail(
            "url.invalid_scheme",
            f"the {what} has no scheme; add http:// or https://",
            text,
            (0, 0),
        )
    scheme = scheme_match.group()
    after = scheme_match.end() + 1
    if ascii_lower(scheme) not in ("http", "https"):
        if DIGITS.match(text, after):  # "localhost:3000/api": a host and port, no scheme
            _fail(
                "url.invalid_scheme",
                f"the {what} has no scheme; add http:// or https://",
                text,
                (0, 0),
            )
        _fail(
            "url.invalid_scheme",
            f"the {what} must use http:// or https://, not {preview(scheme)}",
            text,
            (0, len(scheme)),
        )
    if not text.startswith("//", after):
        _fail(
            "url.missing_host",
            f"expected '//' and a host after '{scheme}:'",
            text,
            (after, after),
        )
    start = after + 2
    end = len(text)
    for delimiter in "/?#":
        found = text.find(delimiter, start)
        if 0 <= found < end:
            end = found
    try:
        urlsplit(text)
    except ValueError as err:  # e.g. a '[' in the user information
        split_error: str | None = str(err)
    else:
        split_error = None
    _check_authority(text, start, end)
    if split_error is not None:
        _fail(
            "url.invalid_host",
            f"the {what} has a malformed host part ({split_error})",
            text,
            (start, end),
        )


def _check_authority(text: str, start: int, end: int) -> None:
    """``authority := [ userinfo "@" ] host [ ":" port ]`` in ``text[start:end]``."""
    at = text.rfind("@", start, end)
    host_start = start if at < 0 else at + 1
    if text.startswith("[", host_start):
        close = text.find("]", host_start, end)
        if close < 0:
            _fail(
                "url.invalid_host",
                "an IPv6 host needs a closing ']'",
                text,
                (host_start, end),
            )
        literal = text[host_start + 1 : close]
        if "%" in literal or not _is_ipv6(literal):
            _fail(
                "url.invalid_host",
                f"{preview(literal)} is not an IPv6 address (zone ids are not allowed)",
                text,
                (host_start, close + 1),
            )
        port_start = close + 1
        if port_start < end and text[port_start] != ":":
            _fail(
                "url.invalid_host",
                "expected ':' and a port, or the end of the host, after ']'",
                text,
                (port_start, end),
            )
    else:
        colon = text.find(":", host_start, end)
        port_start = end if colon < 0 else colon
        if port_start == host_start:
            _fail("url.missing_host", "expected a host after '//'", text, (host_start, host_start))
        bad = _first_bad_host_char(text, host_start, port_start)
        if bad is not None:
            _fail(
                "url.invalid_host",
                f"{describe(text[bad])} cannot appear here in a host name"
                + (" ('%' starts a %XX escape)" if text[bad] == "%" else ""),
                text,
                (bad, bad + 1),
            )
    if port_start < end:  # text[port_start] == ":"
        port = text[port_start + 1 : end]
        if port and not (DIGITS.fullmatch(port) and 1 <= int(port) <= 65535):
            _fail(
                "url.invalid_port",
                f"a port is a number from 1 to 65535, got {preview(port)}",
                text,
                (port_start + 1, end),
            )


def _first_bad_host_char(text: str, start: int, end: int) -> int | None:
    """Where ``text[start:end]`` stops being an RFC 3986 ``reg-name``, or ``None``."""
    pos = start
    while pos < end:
        if text[pos] == "%":
            if not _PCT_ESCAPE.fullmatch(text, pos, pos + 3) or pos + 3 > end:
                return pos
            pos += 3
        elif _REG_NAME_CHAR.fullmatch(text, pos, pos + 1):
            pos += 1
        else:
            return pos
    return None


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def parse_callback_url(text: str) -> str:
    """Check a callback URL (``Upstash-Callback``, ``Upstash-Failure-Callback``) and return it.

    The URL must be an absolute ``http://`` or ``https://`` URL with a host; see the module
    docstring for exactly what is and is not checked. It is returned unchanged.

    >>> parse_callback_url("https://cb")
    'https://cb'
    >>> parse_callback_url("ftp://example.com/cb")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidUrl: the callback URL must use http:// or https://, not 'ftp'
      ftp://example.com/cb
      ^^^

    Raises:
        InvalidUrl: with one of the codes in ``InvalidUrl.CODES``.

    """
    check_str(text, "a callback URL")
    _check_url(text, "callback URL")
    return text


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a message goes: an ``http(s)`` URL, a URL-group name, or an ``api/<name>`` path.

    ``str()`` is the destination text and ``parse_destination(str(d)) == d``. ``kind`` is
    derived from the value on construction, which checks it as :func:`parse_destination` does.

    >>> d = Destination("api/llm")
    >>> d.kind, str(d)
    ('api', 'api/llm')
    """

    value: str
    kind: DestinationKind = field(init=False)

    def __post_init__(self) -> None:
        check_str(self.value, "a destination")
        object.__setattr__(self, "kind", _classify(self.value))

    def __str__(self) -> str:
        return self.value


def _classify(text: str) -> DestinationKind:
    if text.startswith(_API_PREFIX):
        try:
            validate_url_group_name(text[len(_API_PREFIX) :])
        except InvalidName as err:
            raise err.shifted(len(_API_PREFIX), text) from None
        return "api"
    if not text or ":" in text or "/" in text:
        _check_url(text, "destination")
        return "url"
    validate_url_group_name(text)
    return "url_group"


def parse_destination(text: str) -> Destination:
    """Parse a publish destination: an ``http(s)`` URL, a URL-group name, or ``api/<name>``.

    >>> parse_destination("https://example.com/api").kind
    'url'
    >>> parse_destination("my-group")
    Destination(value='my-group', kind='url_group')
    >>> parse_destination("example.com/api")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidUrl: the destination has no scheme; add http:// or https://
      example.com/api
      ^

    Raises:
        InvalidUrl: for text that contains ``:`` or ``/`` and is not an http(s) URL.
        InvalidName: for other text that is not a valid URL-group name (and for a bad
            ``<name>`` in ``api/<name>``).

    """
    found = _destination_cache.get(text) if text.__class__ is str else None
    if found is not None:
        return found
    check_str(text, "a destination")
    # Made as Destination(text) makes it, without its __init__ checking the type again.
    kind = _classify(text)
    destination = object.__new__(Destination)
    object.__setattr__(destination, "value", text)
    object.__setattr__(destination, "kind", kind)
    if len(text) <= _MAX_CACHED_DESTINATION:  # frozen: one instance serves every request
        if len(_destination_cache) >= 4096:
            _destination_cache.clear()
        _destination_cache[text] = destination
    return destination


#: Destinations parsed before (a gateway sees the same few): at most 4,096 of 1,024 characters.
_destination_cache: dict[str, Destination] = {}
_MAX_CACHED_DESTINATION: Final = 1024
