"""Small values: ``Upstash-Method``, ``-Retries``, ``-Not-Before``, ``-Label``, ``-Header-Forward``.

>>> parse_method("patch")
'PATCH'
>>> parse_retries("3")
3
>>> parse_not_before("1893456000")
datetime.datetime(2030, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
>>> parse_labels("billing,eu")
('billing', 'eu')

Facts
-----
Specified in ``docs/protocol/small-values.md``. Sources:
https://github.com/upstash/docs/blob/main/qstash/openapi.yaml,
https://upstash.com/docs/qstash/api-refence/messages/publish-a-message,
https://upstash.com/docs/qstash/features/retry, https://upstash.com/docs/qstash/features/delay,
and the official SDKs (https://github.com/upstash/qstash-py/blob/main/qstash/message.py,
https://github.com/upstash/qstash-js/blob/main/src/client/utils.ts). The same
rules apply to the callback forms (``Upstash-Callback-Method``,
``Upstash-Failure-Callback-Retries``, ...).

**Method.** ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``; the server's default is ``POST``
(``openapi.yaml`` enum; JS ``HTTPMethods``; Python ``HttpMethod``). The server's handling of case
is undocumented, and the Python SDK sends whatever string it is given. This module accepts any
case (``post``) and returns the canonical upper case, which is what should be forwarded. Other
HTTP methods (``HEAD``, ``OPTIONS``) are refused: QStash does not deliver with them.

**Retries.** A whole number of retries after the first attempt, ``0`` or more (``openapi.yaml``:
"The total number of deliveries is 1 + retries"). Only ASCII digits: ``+3``, ``3.0``, `` 3``,
``٣`` and the Python SDK's ``True`` (``retries=True``) are refused; ``-1`` is refused as
negative. Leading zeros are accepted (``03`` is 3), as Go's ``strconv`` reads them. The plan
maximum is not published today (2023 pricing: 3 free / 5 pay-as-you-go / 20 pro; ``openapi.yaml``
defaults: 3 free / 5 paid; the current docs: "by default ... 3 times"), and whether the server
clamps or refuses a larger value is unknown, so the plan limit is left to callers.
:data:`MAX_RETRIES` is ``2**31 - 1``, the largest count every implementation holds exactly.

**Not-before.** A Unix timestamp in whole seconds, UTC (``openapi.yaml``: "a unix timestamp in
seconds, based on the UTC timezone"), parsed to an aware UTC :class:`~datetime.datetime`. ASCII
digits only; negative, fractional (``1893456000.6``, which the JS SDK rounds before sending) and
signed values are refused. The largest is :data:`MAX_NOT_BEFORE`, ``9999-12-31T23:59:59Z``, the
last second a ``datetime`` holds; a millisecond timestamp, a common mistake
(https://github.com/upstash/qstash-js/issues/42),
is far beyond it and the message says so. A time in the past is not an error here (the server's
behaviour is undocumented, and "now" is not a protocol input). :func:`format_not_before` rounds
a fraction of a second *up*, so the message is still not delivered before the given time.

**Labels.** A comma-separated list (``openapi.yaml`` since 2026-05: ``label_1,label_2``; JS
``serializeLabel`` joins arrays with ``,``). No character, length or count rule is published.
This module reads each label as 1 or more visible ASCII characters other than ``,``; empty labels
(``a,,b``, a trailing comma) and repeated labels are refused. Whitespace is refused anywhere,
even after a comma: no source writes ``a, b``, and whether the server would store the label
``" b"`` or ``"b"`` is unknown, so it is safer to refuse than to guess. The order is kept.

**Header forward.** ``Upstash-Header-Forward: true`` (or the query parameter
``?upstash-header-forward=true``) makes QStash forward every incoming header of the publish
request to the destination, without the ``Upstash-Forward-`` prefix
(https://upstash.com/docs/qstash/howto/webhook, changelog February 2025:
https://upstash.com/docs/qstash/overall/changelog). The docs write ``true``; like
``Upstash-Content-Based-Deduplication``, ``true`` and ``false`` are read in any case and written
in lower case (:func:`parse_header_forward`); anything else is refused
(``header_forward.invalid_boolean``), since no source sends another spelling.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final, NoReturn

from qstash_protocol._chars import (
    DIGITS,
    OWS,
    ascii_upper,
    bad_char_reason,
    check_str,
    first_not_vchar,
    preview,
)
from qstash_protocol.errors import ProtocolError

__all__ = [
    "HTTP_METHODS",
    "MAX_INTEGER_LENGTH",
    "MAX_LABELS_LENGTH",
    "MAX_NOT_BEFORE",
    "MAX_RETRIES",
    "InvalidHeaderForward",
    "InvalidLabel",
    "InvalidMethod",
    "InvalidNotBefore",
    "InvalidRetries",
    "format_labels",
    "format_not_before",
    "parse_header_forward",
    "parse_labels",
    "parse_method",
    "parse_not_before",
    "parse_retries",
]


class InvalidMethod(ProtocolError):
    """An ``Upstash-Method`` value is not one of the methods QStash delivers with.

    >>> try:
    ...     parse_method("HEAD")
    ... except InvalidMethod as err:
    ...     print(err.code)
    method.unsupported
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "method.empty": "the value is empty",
        "method.unsupported": "not GET, POST, PUT, PATCH or DELETE",
    }


class InvalidRetries(ProtocolError):
    """An ``Upstash-Retries`` value is not a whole number from 0 to ``MAX_RETRIES``.

    >>> try:
    ...     parse_retries("-1")
    ... except InvalidRetries as err:
    ...     print(err.code)
    retries.negative
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "retries.empty": "the value is empty",
        "retries.too_long": "the value is longer than MAX_INTEGER_LENGTH",
        "retries.not_an_integer": "not a run of ASCII digits (a sign, a fraction, spaces, ...)",
        "retries.negative": "a negative number",
        "retries.too_large": "more than MAX_RETRIES",
    }


class InvalidNotBefore(ProtocolError):
    """An ``Upstash-Not-Before`` value is not a Unix time in whole seconds.

    >>> try:
    ...     parse_not_before("1893456000.5")
    ... except InvalidNotBefore as err:
    ...     print(err.code)
    not_before.not_an_integer
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "not_before.empty": "the value is empty",
        "not_before.too_long": "the value is longer than MAX_INTEGER_LENGTH",
        "not_before.not_an_integer": "not a run of ASCII digits (a sign, a fraction, spaces, ...)",
        "not_before.negative": "a time before 1970-01-01T00:00:00Z",
        "not_before.out_of_range": "after MAX_NOT_BEFORE (9999-12-31T23:59:59Z)",
        "not_before.naive_datetime": "format_not_before was given a datetime without a timezone",
    }


class InvalidLabel(ProtocolError):
    """An ``Upstash-Label`` value, or one label in it, is invalid.

    >>> try:
    ...     parse_labels("a,,b")
    ... except InvalidLabel as err:
    ...     print(err.code, err.span)
    label.empty_label (2, 2)
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "label.empty": "the value is empty: no labels",
        "label.too_long": "the value is longer than MAX_LABELS_LENGTH",
        "label.empty_label": "an empty label between commas, or a trailing comma",
        "label.whitespace": "whitespace in the value, even after a comma",
        "label.invalid_character": "a control or non-ASCII character (or ',' inside a label)",
        "label.duplicate": "the same label twice",
    }


class InvalidHeaderForward(ProtocolError):
    """An ``Upstash-Header-Forward`` value is not ``true`` or ``false``.

    >>> try:
    ...     parse_header_forward("yes")
    ... except InvalidHeaderForward as err:
    ...     print(err.code)
    header_forward.invalid_boolean
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "header_forward.invalid_boolean": "Upstash-Header-Forward is not true or false",
    }


#: The methods QStash delivers with (``openapi.yaml`` enum), canonical upper case.
HTTP_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")

#: Other standard HTTP methods, named in messages (QStash does not deliver with them).
_OTHER_METHODS: Final = ("HEAD", "OPTIONS", "TRACE", "CONNECT")

#: The longest integer text (retries, not-before) looked at. A Unix time in seconds has 10
#: digits until 2286; 32 leaves room for leading zeros and bounds the work on hostile input
#: (Python refuses ``int()`` of more than 4300 digits).
MAX_INTEGER_LENGTH: Final = 32

#: The largest retry count. No plan maximum is published today (see the module docstring);
#: ``2**31 - 1`` is the largest count Go's int32, Java's int and a JavaScript number all hold.
MAX_RETRIES: Final = 2**31 - 1

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

#: The largest not-before, in Unix seconds: 9999-12-31T23:59:59Z, the last whole second a
#: :class:`~datetime.datetime` holds.
MAX_NOT_BEFORE: Final = 253_402_300_799

#: The longest ``Upstash-Label`` value looked at. No limit is published; 1024 holds dozens of
#: labels.
MAX_LABELS_LENGTH: Final = 1024


# --- Upstash-Method ------------------------------------------------------------------------


def parse_method(text: str) -> str:
    """Parse an ``Upstash-Method`` value and return it in canonical upper case.

    >>> parse_method("DELETE")
    'DELETE'
    >>> parse_method("post")
    'POST'
    >>> try:
    ...     parse_method("OPTIONS")
    ... except InvalidMethod as err:
    ...     print(err)
    QStash does not deliver with OPTIONS; the method must be GET, POST, PUT, PATCH or DELETE
      OPTIONS
      ^^^^^^^

    Raises:
        InvalidMethod: ``method.empty`` or ``method.unsupported``.

    """
    check_str(text, "a method")
    if not text:
        raise InvalidMethod(
            "expected a method such as 'POST', got an empty value",
            code="method.empty",
            value=text,
            span=(0, 0),
        )
    upper = ascii_upper(text) if len(text) <= len("OPTIONS") else text
    if upper in HTTP_METHODS:
        return upper
    allowed = "GET, POST, PUT, PATCH or DELETE"
    if upper in _OTHER_METHODS:
        message = f"QStash does not deliver with {upper}; the method must be {allowed}"
    elif len(text) <= 16 and ascii_upper(text.strip(OWS)) in HTTP_METHODS:
        message = f"unexpected whitespace around the method {preview(text)}; write it alone"
    else:
        message = f"expected {allowed}, got {preview(text)}"
    raise InvalidMethod(message, code="method.unsupported", value=text, span=(0, len(text)))


# --- integers ------------------------------------------------------------------------------


def _integer_problem(text: str) -> str:
    """Why ``text`` (not a run of ASCII digits) is not a whole number, for messages."""
    if not text.isascii() and any(c.isdigit() for c in text):
        return "only ASCII digits 0-9 are allowed"
    if text[:1] == "+":
        return "a sign is not allowed"
    if any(c in OWS or c.isspace() for c in text):
        return "whitespace is not allowed"
    whole, dot, fraction = text.partition(".")
    if dot and DIGITS.fullmatch(whole + fraction):
        return "it must be a whole number"
    return "expected a whole number of ASCII digits"


# --- Upstash-Retries -----------------------------------------------------------------------


def _fail_retries(code: str, message: str, text: str, span: tuple[int, int]) -> NoReturn:
    raise InvalidRetries(message, code=code, value=text, span=span)


def parse_retries(text: str) -> int:
    """Parse an ``Upstash-Retries`` value: a whole number of retries, 0 or more.

    >>> parse_retries("0")
    0
    >>> try:
    ...     parse_retries("3.0")
    ... except InvalidRetries as err:
    ...     print(err)
    retries must be a whole number such as '3', got '3.0': it must be a whole number
      3.0
      ^^^

    Raises:
        InvalidRetries: with one of the codes in ``InvalidRetries.CODES``.

    """
    check_str(text, "a retry count")
    if not text:
        _fail_retries("retries.empty", "expected a retry count such as '3'", text, (0, 0))
    if len(text) > MAX_INTEGER_LENGTH:
        _fail_retries(
            "retries.too_long",
            f"a retry count is at most {MAX_INTEGER_LENGTH} characters, got {len(text)}",
            text,
            (MAX_INTEGER_LENGTH, len(text)),
        )
    if DIGITS.fullmatch(text):
        retries = int(text)
        if retries > MAX_RETRIES:
            _fail_retries(
                "retries.too_large",
                f"retries must be at most {MAX_RETRIES}, got {retries}",
                text,
                (0, len(text)),
            )
        return retries
    if text[0] == "-" and DIGITS.fullmatch(text, 1):
        _fail_retries(
            "retries.negative", f"retries cannot be negative, got {text}", text, (0, len(text))
        )
    _fail_retries(
        "retries.not_an_integer",
        f"retries must be a whole number such as '3', got {preview(text)}: "
        f"{_integer_problem(text)}",
        text,
        (0, len(text)),
    )


# --- Upstash-Not-Before --------------------------------------------------------------------


def _fail_not_before(
    code: str, message: str, text: str | None, span: tuple[int, int] | None
) -> NoReturn:
    raise InvalidNotBefore(message, code=code, value=text, span=span)


def parse_not_before(text: str) -> datetime:
    """Parse an ``Upstash-Not-Before`` value (Unix seconds) into an aware UTC datetime.

    >>> parse_not_before("0")
    datetime.datetime(1970, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> try:
    ...     parse_not_before("1893456000000")
    ... except InvalidNotBefore as err:
    ...     print(err)
    1893456000000 is after 9999-12-31T23:59:59Z; the header takes Unix seconds, not milliseconds
      1893456000000
      ^^^^^^^^^^^^^

    Raises:
        InvalidNotBefore: with one of the codes in ``InvalidNotBefore.CODES``.

    """
    check_str(text, "a not-before time")
    if not text:
        _fail_not_before(
            "not_before.empty",
            "expected a Unix time in seconds such as '1893456000'",
            text,
            (0, 0),
        )
    if len(text) > MAX_INTEGER_LENGTH:
        _fail_not_before(
            "not_before.too_long",
            f"a not-before time is at most {MAX_INTEGER_LENGTH} characters, got {len(text)}",
            text,
            (MAX_INTEGER_LENGTH, len(text)),
        )
    if DIGITS.fullmatch(text):
        seconds = int(text)
        if seconds > MAX_NOT_BEFORE:
            hint = (
                "; the header takes Unix seconds, not milliseconds"
                if seconds // 1000 <= MAX_NOT_BEFORE
                else ""
            )
            _fail_not_before(
                "not_before.out_of_range",
                f"{seconds} is after 9999-12-31T23:59:59Z{hint}",
                text,
                (0, len(text)),
            )
        return _EPOCH + timedelta(seconds=seconds)
    if text[0] == "-" and DIGITS.fullmatch(text, 1):
        _fail_not_before(
            "not_before.negative",
            f"a not-before time cannot be before 1970, got {text}",
            text,
            (0, len(text)),
        )
    _fail_not_before(
        "not_before.not_an_integer",
        f"expected a Unix time in whole seconds, got {preview(text)}: {_integer_problem(text)}",
        text,
        (0, len(text)),
    )


def format_not_before(moment: datetime) -> str:
    """Write an aware datetime as an ``Upstash-Not-Before`` value (Unix seconds).

    A fraction of a second is rounded up, so delivery is still not before ``moment``.
    ``parse_not_before(format_not_before(t)) == t`` for every whole-second ``t`` from 1970
    to :data:`MAX_NOT_BEFORE`.

    >>> format_not_before(datetime(2030, 1, 1, tzinfo=UTC))
    '1893456000'
    >>> format_not_before(datetime(2030, 1, 1, 0, 0, 0, 1, tzinfo=UTC))
    '1893456001'

    Raises:
        InvalidNotBefore: ``not_before.naive_datetime`` for a datetime without a timezone,
            ``not_before.negative`` before 1970, ``not_before.out_of_range`` after
            :data:`MAX_NOT_BEFORE`.

    """
    if not isinstance(moment, datetime):
        msg = f"format_not_before takes a datetime, not {type(moment).__name__}"
        raise TypeError(msg)
    if moment.utcoffset() is None:
        _fail_not_before(
            "not_before.naive_datetime",
            f"a not-before time needs a timezone, got the naive {moment.isoformat()}; "
            "use e.g. datetime.now(UTC)",
            moment.isoformat(),
            None,
        )
    delta = moment - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds + (1 if delta.microseconds else 0)
    if seconds < 0:
        _fail_not_before(
            "not_before.negative",
            f"a not-before time cannot be before 1970, got {moment.isoformat()}",
            moment.isoformat(),
            None,
        )
    if seconds > MAX_NOT_BEFORE:
        _fail_not_before(
            "not_before.out_of_range",
            f"{moment.isoformat()} rounds up past 9999-12-31T23:59:59Z",
            moment.isoformat(),
            None,
        )
    return str(seconds)


# --- Upstash-Label -------------------------------------------------------------------------


def _fail_label(code: str, message: str, text: str, span: tuple[int, int]) -> NoReturn:
    raise InvalidLabel(message, code=code, value=text, span=span)


def parse_labels(text: str) -> tuple[str, ...]:
    """Parse an ``Upstash-Label`` value: one label, or several separated by ``,``.

    >>> parse_labels("my-label")
    ('my-label',)
    >>> try:
    ...     parse_labels("a, b")
    ... except InvalidLabel as err:
    ...     print(err)
    labels may not contain whitespace ' ' (SPACE); separate labels with ',' alone, e.g. 'a,b'
      a, b
        ^

    Raises:
        InvalidLabel: with one of the codes in ``InvalidLabel.CODES``.

    """
    check_str(text, "a label value")
    if not text:
        _fail_label("label.empty", "expected one or more labels such as 'a,b'", text, (0, 0))
    if len(text) > MAX_LABELS_LENGTH:
        _fail_label(
            "label.too_long",
            f"a label value is at most {MAX_LABELS_LENGTH} characters, got {len(text)}",
            text,
            (MAX_LABELS_LENGTH, len(text)),
        )
    bad = first_not_vchar(text)
    if bad is not None:
        char = text[bad]
        if char.isspace():
            _fail_label(
                "label.whitespace",
                f"labels may not contain {bad_char_reason(char)}; "
                "separate labels with ',' alone, e.g. 'a,b'",
                text,
                (bad, bad + 1),
            )
        _fail_label(
            "label.invalid_character",
            f"labels may not contain {bad_char_reason(char)}",
            text,
            (bad, bad + 1),
        )
    labels: list[str] = []
    seen: set[str] = set()
    start = 0
    for label in text.split(","):
        end = start + len(label)
        if not label:
            where = "a trailing comma" if end == len(text) and start else "an empty label"
            _fail_label(
                "label.empty_label",
                f"{where}; separate labels with single commas",
                text,
                (start, end),
            )
        if label in seen:
            _fail_label(
                "label.duplicate",
                f"the label {preview(label)} is given twice",
                text,
                (start, end),
            )
        seen.add(label)
        labels.append(label)
        start = end + 1
    return tuple(labels)


def format_labels(labels: Iterable[str]) -> str:
    """Write labels as an ``Upstash-Label`` value, joined by ``,`` (as the JS SDK does).

    >>> format_labels(["billing", "eu"])
    'billing,eu'
    >>> format_labels(["a,b"])
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidLabel: a label may not contain ','; give each label separately
      a,b
       ^

    Raises:
        InvalidLabel: as :func:`parse_labels` would for the joined value;
            ``label.empty_label`` for an empty label and ``label.invalid_character`` for a label
            containing ``,``.

    """
    if isinstance(labels, str):
        msg = "format_labels takes an iterable of labels, not a str; wrap it: [label]"
        raise TypeError(msg)
    items = list(labels)
    for label in items:
        check_str(label, "a label")
        if not label:
            _fail_label("label.empty_label", "a label cannot be empty", label, (0, 0))
        comma = label.find(",")
        if comma >= 0:
            _fail_label(
                "label.invalid_character",
                "a label may not contain ','; give each label separately",
                label,
                (comma, comma + 1),
            )
    text = ",".join(items)
    parse_labels(text)
    return text


# --- Upstash-Header-Forward ----------------------------------------------------------------


def parse_header_forward(text: str) -> bool:
    """Parse ``Upstash-Header-Forward``: ``true`` or ``false``, in any case.

    >>> parse_header_forward("true"), parse_header_forward("False")
    (True, False)

    Raises:
        InvalidHeaderForward: ``header_forward.invalid_boolean``.

    """
    check_str(text, "an Upstash-Header-Forward value")
    if len(text) <= len("false"):
        lower = text.lower()
        if lower == "true":
            return True
        if lower == "false":
            return False
    raise InvalidHeaderForward(
        f"expected 'true' or 'false', got {preview(text)}",
        code="header_forward.invalid_boolean",
        value=text,
        span=(0, len(text)),
    )
