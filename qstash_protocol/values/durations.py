"""QStash durations: ``Upstash-Delay``, ``Upstash-Timeout``, callback timeouts, flow-control period.

>>> parse_duration("1d10h30m")
datetime.timedelta(days=1, seconds=37800)
>>> format_duration(parse_duration("90m"))
'1h30m'

Facts
-----
The rule (specified in ``docs/protocol/durations.md``;
https://upstash.com/docs/qstash/features/delay,
https://github.com/upstash/docs/blob/main/qstash/openapi.yaml): the server is written in Go and
parses these headers with Go's ``time.ParseDuration`` extended with a day unit. Its 2022 error for
a bare ``1`` was ``time: missing unit in duration "1"``, Go's own text
(https://github.com/upstash/qstash-js/pull/9). So a duration is::

    duration := "0" | group+
    group    := number unit
    number   := digit+ [ "." digit* ] | "." digit+        (ASCII digits only)
    unit     := "ns" | "us" | "µs" (U+00B5) | "μs" (U+03BC) | "ms" | "s" | "m" | "h" | "d"

Units are case-sensitive, nothing may separate the groups, and the same unit may repeat or come
in any order (``1s1h`` is 1 h 1 s), exactly as in Go. ``d`` is 24 hours.

Where the sources disagree, this module reads them so:

- **Bare integers** (``"30"``): rejected with ``duration.missing_unit``, as the server rejected
  ``Upstash-Delay: 1``. Only ``"0"`` is allowed bare (a Go special case). The workflow SDK sends
  ``Upstash-Timeout: 30`` and the server echoes flow-control periods as ``period=60``; callers
  that must accept those forms pass ``allow_bare_seconds=True``, which accepts a bare run of
  ASCII digits as whole seconds (and still nothing fractional: ``duration.not_whole_seconds``).
- **Fractions** (``1.5h``, ``.5s``, ``1.5d``): accepted on every unit, as Go accepts them. The
  docs only show integers; a fractional day is unverified against the server.
- **Days on timeouts**: accepted. ``openapi.yaml`` lists only s/m/h for ``Upstash-Timeout`` but
  gives ``1d1h30m`` as its example; the server's parser is shared.
- **Signs**: a leading ``+`` is accepted and ignored, as Go's ``time.ParseDuration`` reads it
  (``+5s`` is ``5s``; the canonical form has no sign). A leading ``-`` is refused with
  ``duration.signed`` (deliberate deviation from Go, which reads ``-5s`` as minus five
  seconds): a negative delay or timeout has no meaning; ``-0`` is refused with the rest rather
  than read as a zero that was written as a negative.
- **Range**: Go holds a duration as int64 nanoseconds, so the largest is ``2**63 - 1`` ns
  (about 292 years, :data:`MAX_DURATION`); anything larger is ``duration.out_of_range``. Plan
  limits (7 days of delay on the free plan, ...) are policy, not syntax, and are left to callers.
- **Precision**: a :class:`~datetime.timedelta` holds microseconds. Sub-microsecond parts
  (``1ns``, ``1.5us``) are truncated toward zero. Fractions are computed exactly in decimal, then
  truncated to whole nanoseconds (Go truncates too, through a float64 that can be off by one
  nanosecond for long fractions; that difference never survives the truncation to microseconds
  for fractions of up to 15 digits).
- **Length**: text longer than :data:`MAX_DURATION_LENGTH` characters is refused before it is
  looked at (``duration.too_long``); no legitimate duration comes close.

The canonical form written by :func:`format_duration` is the largest units first, zero parts
left out, sub-second parts as ``ms`` and ``us``, and ``0s`` for zero: ``1d1h1m1s``, ``1s500ms``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar, Final

from qstash_protocol.errors import ProtocolError

__all__ = [
    "MAX_DURATION",
    "MAX_DURATION_LENGTH",
    "InvalidDuration",
    "format_duration",
    "parse_duration",
]


class InvalidDuration(ProtocolError):
    """A duration (``Upstash-Delay``, ``Upstash-Timeout``, a flow-control period) is invalid.

    >>> try:
    ...     parse_duration("5w")
    ... except InvalidDuration as err:
    ...     print(err.code)
    duration.unknown_unit
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "duration.empty": "the value is empty",
        "duration.too_long": "the value is longer than MAX_DURATION_LENGTH",
        "duration.whitespace": "the value contains whitespace",
        "duration.signed": "the value is negative ('-'); durations are never negative",
        "duration.non_ascii_digit": "a digit outside ASCII 0-9",
        "duration.missing_unit": "a number without a unit",
        "duration.missing_number": "a unit without a number",
        "duration.invalid_number": "a malformed number (a lone '.')",
        "duration.unknown_unit": "a unit that is not d, h, m, s, ms, us, µs or ns",
        "duration.out_of_range": "larger than the largest duration the server can hold",
        "duration.negative": "a negative timedelta given to the formatter",
        "duration.not_whole_seconds": "a bare number that is not a whole number of seconds",
    }


#: The longest text :func:`parse_duration` looks at. ``"1d23h59m59s999ms999us999ns"`` is 26
#: characters; 64 leaves room for every honest spelling and bounds the work on hostile input.
MAX_DURATION_LENGTH: Final = 64

#: Go's ``time.Duration`` is an int64 count of nanoseconds.
_MAX_NS: Final = 2**63 - 1

#: The largest duration the server can hold (``2**63 - 1`` ns, truncated to microseconds).
MAX_DURATION: Final = timedelta(microseconds=_MAX_NS // 1000)

_NS_PER_UNIT: Final[dict[str, int]] = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # µs, MICRO SIGN (Go accepts it)
    "\u03bcs": 1_000,  # μs, GREEK SMALL LETTER MU (Go accepts it)
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
    "d": 86400 * 1_000_000_000,
}

#: Spellings people reach for that are not units, and what they probably meant.
_UNIT_HINTS: Final[dict[str, str]] = {
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "day": "d",
    "days": "d",
    "w": "7d",
    "week": "7d",
    "weeks": "7d",
    "msec": "ms",
    "µ": "us",
}

_UNITS_TEXT: Final = "d, h, m, s, ms, us (or µs) and ns"

#: How many parsed values each result cache keeps before it starts afresh.
_CACHE_SIZE: Final = 4096

# The fastest path: whole numbers of d, h, m, s in canonical order ("50s", "1d10h30m"), the
# overwhelmingly common case, read by one regular expression (possessive quantifiers, Python
# 3.11+, so a failed match never backtracks).
_SIMPLE: Final = re.compile(
    r"(?:([0-9]{1,12}+)d)?(?:([0-9]{1,12}+)h)?(?:([0-9]{1,12}+)m)?(?:([0-9]{1,12}+)s)?"
)
_MAX_WHOLE_SECONDS: Final = _MAX_NS // 1_000_000_000
_simple_fullmatch: Final = _SIMPLE.fullmatch
_SECOND: Final = timedelta(seconds=1)
# int() costs more than a dict lookup, and the numbers people write are small. An absent group
# (None) counts as zero.
_SMALL_INTS: Final[dict[str | None, int]] = {str(number): number for number in range(1000)}
_SMALL_INTS[None] = 0

# The fast path: integer groups in any unit and order. Anything it does not match goes to the
# scanner, which accepts the rest of the grammar and explains errors.
_FAST: Final = re.compile(r"(?:[0-9]{1,20}(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h|d))+")
_FAST_GROUP: Final = re.compile(r"([0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)")

_cache: dict[str, timedelta] = {}
_bare_cache: dict[str, timedelta] = {}


def parse_duration(text: str, *, allow_bare_seconds: bool = False) -> timedelta:
    """Parse a QStash duration such as ``50s`` or ``1d10h30m`` into a :class:`timedelta`.

    The grammar is Go's ``time.ParseDuration`` plus ``d`` for days; see the module docstring
    for every reading taken. Sub-microsecond parts are truncated toward zero, because a
    ``timedelta`` holds microseconds.

    With ``allow_bare_seconds=True`` a bare run of ASCII digits is taken as whole seconds
    (``"30"`` is 30 s), the form the workflow SDK sends in ``Upstash-Timeout``.

    Results are cached (a bounded cache): gateways see the same few values all day, and a
    miss costs about one regular-expression match.

    >>> parse_duration("50s")
    datetime.timedelta(seconds=50)
    >>> parse_duration("1.5h")
    datetime.timedelta(seconds=5400)
    >>> parse_duration("500ms")
    datetime.timedelta(microseconds=500000)
    >>> parse_duration("30", allow_bare_seconds=True)
    datetime.timedelta(seconds=30)
    >>> parse_duration("30")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidDuration: missing unit after '30', e.g. '30s'
      30
      ^^

    Raises:
        InvalidDuration: with one of the codes in ``InvalidDuration.CODES``.

    """
    cache = _bare_cache if allow_bare_seconds else _cache
    try:
        value = cache.get(text)
    except TypeError:  # unhashable, so certainly not a str: reported below
        value = None
    if value is not None:
        return value
    # The common case inline (a function call is a measurable part of a cache miss).
    try:
        match = _simple_fullmatch(text)
    except TypeError:  # the pattern refuses anything but str
        msg = f"a duration must be a str, not {type(text).__name__}"
        raise TypeError(msg) from None
    if match is not None and text:
        days, hours, minutes, seconds = match.groups()
        small = _SMALL_INTS
        try:
            total = small[days] * 86_400 + small[hours] * 3_600 + small[minutes] * 60
            value = _SECOND * (total + small[seconds])
        except KeyError:  # a number of 1000 or more: rare, and checked for range below
            value = _parse_other(text, allow_bare_seconds=allow_bare_seconds)
    else:
        value = _parse_other(text, allow_bare_seconds=allow_bare_seconds)
    if len(cache) >= _CACHE_SIZE:
        # Start afresh rather than track recency: hits stay one dict lookup, and the few
        # values a gateway really sees are back after one miss each.
        cache.clear()
    cache[text] = value
    return value


def _parse_other(text: str, *, allow_bare_seconds: bool) -> timedelta:
    """Everything but the common case: bare seconds, big numbers, fractions, other units."""
    if allow_bare_seconds:
        return _parse_bare_seconds(text)
    return timedelta(microseconds=_parse_ns(text) // 1000)


def _parse_bare_seconds(text: str) -> timedelta:
    if len(text) > MAX_DURATION_LENGTH:
        _raise_too_long(text)
    digits = text[1:] if text[:1] == "+" else text  # a '+' as Go's strconv reads it
    if digits.isascii() and digits.isdigit():
        seconds = int(digits)
        if seconds > _MAX_WHOLE_SECONDS:
            raise InvalidDuration(
                f"{text} seconds is more than the largest duration the server holds, "
                f"{format_duration(MAX_DURATION)} (about 292 years)",
                code="duration.out_of_range",
                value=text,
                span=(0, len(text)),
            )
        return timedelta(seconds=seconds)
    if _is_bare_fraction(text):
        raise InvalidDuration(
            f"a bare number of seconds must be whole, got {text!r}; use a unit, e.g. '{text}s'",
            code="duration.not_whole_seconds",
            value=text,
            span=(0, len(text)),
        )
    return timedelta(microseconds=_parse_ns(text) // 1000)


def _is_bare_fraction(text: str) -> bool:
    """Whether ``text`` is a bare ASCII decimal number with a fraction, such as ``1.5``."""
    whole, dot, frac = text.partition(".")
    digits = whole + frac
    return bool(dot) and bool(digits) and digits.isascii() and digits.isdigit()


def _raise_too_long(text: str) -> None:
    raise InvalidDuration(
        f"a duration is at most {MAX_DURATION_LENGTH} characters, got {len(text)}",
        code="duration.too_long",
        value=text,
        span=(MAX_DURATION_LENGTH, len(text)),
    )


def _parse_ns(text: str) -> int:
    """Return the duration in whole nanoseconds, or raise :class:`InvalidDuration`."""
    if len(text) > MAX_DURATION_LENGTH:
        _raise_too_long(text)
    if _FAST.fullmatch(text):
        total = 0
        for number, unit in _FAST_GROUP.findall(text):
            total += int(number) * _NS_PER_UNIT[unit]
        if total > _MAX_NS:
            _raise_out_of_range(text, (0, len(text)))
        return total
    return _scan(text)


def _raise_out_of_range(text: str, span: tuple[int, int]) -> None:
    raise InvalidDuration(
        f"the duration is longer than the largest the server holds, "
        f"{format_duration(MAX_DURATION)} (about 292 years)",
        code="duration.out_of_range",
        value=text,
        span=span,
    )


def _is_ascii_digit(char: str) -> bool:
    return "0" <= char <= "9"


def _is_other_digit(char: str) -> bool:
    """A character Python or Unicode would call a digit, but that is not ASCII 0-9."""
    return not _is_ascii_digit(char) and (
        char.isdigit() or unicodedata.decimal(char, None) is not None
    )


def _scan(text: str) -> int:
    """The slow path: the whole grammar, with a precise error for every way to get it wrong.

    ``duration := "0" | (number unit)+``
    """
    if not text:
        raise InvalidDuration(
            "expected a duration such as '30s' or '1h30m', got an empty value",
            code="duration.empty",
            value=text,
            span=(0, 0),
        )
    for index, char in enumerate(text):
        if char.isspace():
            raise InvalidDuration(
                "whitespace is not allowed in a duration; write the parts together, e.g. '1h30m'",
                code="duration.whitespace",
                value=text,
                span=(index, index + 1),
            )
    pos = 0
    if text[0] == "-":
        raise InvalidDuration(
            "negative durations are not allowed; write the duration without '-'",
            code="duration.signed",
            value=text,
            span=(0, 1),
        )
    if text[0] == "+":  # Go's ParseDuration reads a leading '+' and ignores it
        pos = 1
        if len(text) == 1:
            raise InvalidDuration(
                "expected a duration after '+', such as '+30s'",
                code="duration.missing_number",
                value=text,
                span=(1, 1),
            )
    if text[pos:] == "0":
        return 0
    total = 0
    end = len(text)
    while pos < end:
        group_start = pos
        char = text[pos]
        if _is_other_digit(char):
            _raise_other_digit(text, pos)
        if not (_is_ascii_digit(char) or char == "."):
            unit_end = _unit_end(text, pos)
            unit = text[pos:unit_end]
            raise InvalidDuration(
                f"expected a number before the unit {unit!r}, e.g. '1{unit}'"
                if unit in _NS_PER_UNIT
                else f"expected a number, got {unit!r}",
                code="duration.missing_number",
                value=text,
                span=(pos, unit_end),
            )
        # number := digit* [ "." digit* ], with at least one digit
        int_start = pos
        while pos < end and _is_ascii_digit(text[pos]):
            pos += 1
        int_digits = text[int_start:pos]
        frac_digits = ""
        if pos < end and text[pos] == ".":
            pos += 1
            frac_start = pos
            while pos < end and _is_ascii_digit(text[pos]):
                pos += 1
            frac_digits = text[frac_start:pos]
        if not int_digits and not frac_digits:
            raise InvalidDuration(
                "expected digits before or after '.'",
                code="duration.invalid_number",
                value=text,
                span=(group_start, pos),
            )
        if pos < end and _is_other_digit(text[pos]):
            _raise_other_digit(text, pos)
        number = text[group_start:pos]
        # unit := everything up to the next digit or '.' (as Go reads it)
        unit_end = _unit_end(text, pos)
        unit = text[pos:unit_end]
        if not unit:
            raise InvalidDuration(
                f"missing unit after {number!r}, e.g. '{number}s'",
                code="duration.missing_unit",
                value=text,
                span=(group_start, pos),
            )
        ns_per_unit = _NS_PER_UNIT.get(unit)
        if ns_per_unit is None:
            raise InvalidDuration(
                f"unknown unit {unit!r}{_unit_hint(unit)}; units are {_UNITS_TEXT}, case-sensitive",
                code="duration.unknown_unit",
                value=text,
                span=(pos, unit_end),
            )
        pos = unit_end
        total += int(int_digits or "0") * ns_per_unit
        if frac_digits:
            total += int(frac_digits) * ns_per_unit // 10 ** len(frac_digits)
        if total > _MAX_NS:
            _raise_out_of_range(text, (group_start, pos))
    return total


def _unit_end(text: str, pos: int) -> int:
    end = len(text)
    while pos < end and text[pos] != "." and not text[pos].isdigit():
        pos += 1
    return pos


def _unit_hint(unit: str) -> str:
    if unit.lower() in _NS_PER_UNIT:
        return f" (did you mean {unit.lower()!r}?)"
    hint = _UNIT_HINTS.get(unit.lower())
    return f" (did you mean {hint!r}?)" if hint else ""


def _raise_other_digit(text: str, pos: int) -> None:
    char = text[pos]
    raise InvalidDuration(
        f"only ASCII digits 0-9 are allowed, got {char!r} "
        f"({unicodedata.name(char, f'U+{ord(char):04X}')})",
        code="duration.non_ascii_digit",
        value=text,
        span=(pos, pos + 1),
    )


_FORMAT_UNITS: Final = (
    ("d", 86_400_000_000),
    ("h", 3_600_000_000),
    ("m", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
)


def format_duration(value: timedelta) -> str:
    """Write a :class:`timedelta` as a canonical QStash duration.

    Largest units first, zero parts left out, sub-second parts as ``ms`` and ``us``, ``0s``
    for zero. ``parse_duration(format_duration(d)) == d`` for every ``d`` from zero to
    :data:`MAX_DURATION`.

    >>> format_duration(timedelta(seconds=5400))
    '1h30m'
    >>> format_duration(timedelta(seconds=90061))
    '1d1h1m1s'
    >>> format_duration(timedelta(milliseconds=1500))
    '1s500ms'
    >>> format_duration(timedelta(0))
    '0s'

    Raises:
        InvalidDuration: ``duration.negative`` for a negative value, ``duration.out_of_range``
            beyond :data:`MAX_DURATION`.

    """
    if not isinstance(value, timedelta):
        msg = f"format_duration takes a timedelta, not {type(value).__name__}"
        raise TypeError(msg)
    if value < timedelta(0):
        raise InvalidDuration(
            f"a duration cannot be negative, got {value!r}",
            code="duration.negative",
            value=str(value),
        )
    if value > MAX_DURATION:
        raise InvalidDuration(
            f"{value!r} is longer than the largest duration the server holds (about 292 years)",
            code="duration.out_of_range",
            value=str(value),
        )
    remaining = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    if remaining == 0:
        return "0s"
    parts = []
    for unit, size in _FORMAT_UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
