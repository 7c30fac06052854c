"""Names: URL-group names, queue names and schedule ids (``Upstash-Queue-Name``, ``-Schedule-Id``).

>>> validate_queue_name("emails.eu-1")
'emails.eu-1'
>>> validate_schedule_id("sch_nightly-report")
'sch_nightly-report'
>>> validate_url_group_name("my-group")
'my-group'

Facts
-----
The rule (specified in ``docs/protocol/names.md``;
https://github.com/upstash/docs/blob/main/qstash/openapi.yaml; the changelog of Sept and Nov 2024,
https://upstash.com/docs/qstash/overall/changelog):
URL-group names are "alphanumeric, underscore, hyphen and dot" (``howto/url-group-endpoint.mdx``);
queue names "can only contain alphanumeric characters, hyphens, periods, and underscores" and
schedule ids the same (``openapi.yaml`` 400 responses). So a name is::

    name := ( "A"-"Z" | "a"-"z" | "0"-"9" | "-" | "." | "_" )+

Where the sources leave a gap, this module reads them so:

- **"Alphanumeric"** means ASCII letters and digits: every name travels in a URL path
  (``/v2/enqueue/{queue}/...``, ``/v2/schedules/{id}``), and no source shows another script.
- **Dot segments** (deliberate addition): the names ``.`` and ``..`` are refused
  (``name.dot_segment``). They match the character rule, but as a path segment they are
  removed by URL normalisation (RFC 3986 §5.2.4), so the server could never be asked about
  such a queue or schedule, and a gateway that builds paths from them could be misled.
- **Case** is kept; names are compared exactly.
- **Length**: no limit is documented. :data:`MAX_NAME_LENGTH` is 256, room for any generated id
  with a readable prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Final

from qstash_protocol._chars import check_str, describe
from qstash_protocol.errors import ProtocolError

__all__ = [
    "MAX_NAME_LENGTH",
    "InvalidName",
    "validate_queue_name",
    "validate_schedule_id",
    "validate_url_group_name",
]


class InvalidName(ProtocolError):
    """A URL-group name, queue name or schedule id is invalid.

    >>> try:
    ...     validate_queue_name("my queue")
    ... except InvalidName as err:
    ...     print(err.code, err.span)
    name.invalid_character (2, 3)
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "name.empty": "the name is empty",
        "name.too_long": "the name is longer than MAX_NAME_LENGTH",
        "name.invalid_character": "a character other than ASCII letters, digits, '-', '.', '_'",
        "name.dot_segment": "the name is '.' or '..', which a URL path cannot carry",
    }


#: The longest name accepted. None is documented; 256 holds any generated id (a UUID is 36)
#: with a readable prefix.
MAX_NAME_LENGTH: Final = 256

_NOT_NAME_CHAR: Final = re.compile(r"[^A-Za-z0-9._-]")


def _validate(text: str, what: str) -> str:
    check_str(text, f"a {what}")
    if not text:
        raise InvalidName(f"the {what} is empty", code="name.empty", value=text, span=(0, 0))
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidName(
            f"a {what} is at most {MAX_NAME_LENGTH} characters, got {len(text)}",
            code="name.too_long",
            value=text,
            span=(MAX_NAME_LENGTH, len(text)),
        )
    bad = _NOT_NAME_CHAR.search(text)
    if bad is not None:
        index = bad.start()
        raise InvalidName(
            f"a {what} may contain only ASCII letters, digits, '-', '.' and '_', "
            f"not {describe(text[index])}",
            code="name.invalid_character",
            value=text,
            span=(index, index + 1),
        )
    if text in (".", ".."):
        raise InvalidName(
            f"a {what} cannot be {text!r}: as a URL path segment it would be removed",
            code="name.dot_segment",
            value=text,
            span=(0, len(text)),
        )
    return text


def validate_url_group_name(text: str) -> str:
    """Check a URL-group name (a publish destination that is not a URL) and return it.

    >>> validate_url_group_name("team_a.alerts")
    'team_a.alerts'

    Raises:
        InvalidName: with one of the codes in ``InvalidName.CODES``.

    """
    return _validate(text, "URL-group name")


def validate_queue_name(text: str) -> str:
    """Check a queue name (``Upstash-Queue-Name``, or ``/v2/enqueue/{queue}``) and return it.

    >>> validate_queue_name("q1")
    'q1'
    >>> try:
    ...     validate_queue_name("q/1")
    ... except InvalidName as err:
    ...     print(err)
    a queue name may contain only ASCII letters, digits, '-', '.' and '_', not '/' (SOLIDUS)
      q/1
       ^

    Raises:
        InvalidName: with one of the codes in ``InvalidName.CODES``.

    """
    return _validate(text, "queue name")


def validate_schedule_id(text: str) -> str:
    """Check a schedule id (``Upstash-Schedule-Id``) and return it.

    >>> validate_schedule_id("sch-1")
    'sch-1'

    Raises:
        InvalidName: with one of the codes in ``InvalidName.CODES``.

    """
    return _validate(text, "schedule id")
