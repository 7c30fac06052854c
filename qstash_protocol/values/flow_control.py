"""Flow control: ``Upstash-Flow-Control-Key`` and ``Upstash-Flow-Control-Value``.

>>> value = parse_flow_control_value("rate=10,period=1m,parallelism=5")
>>> value
FlowControlValue(parallelism=5, rate=10, period=datetime.timedelta(seconds=60))
>>> str(value)
'parallelism=5, rate=10, period=1m'
>>> validate_flow_control_key("user-42")
'user-42'

Facts
-----
The rule (specified in ``docs/protocol/flow-control.md``;
https://upstash.com/docs/qstash/features/flowcontrol): messages that share a key share limits. The
value is a comma-separated list of ``key=value`` items::

    value  := OWS item ( OWS "," OWS item )* OWS
    item   := ( "parallelism" | "rate" ) "=" count
            | "period" "=" period
    count  := digit+                          (ASCII digits, 1 .. MAX_FLOW_CONTROL_INTEGER)
    period := a duration (``1m``, ``3d5h12m``) or bare whole seconds (``60``)

``parallelism`` is the most calls in flight at once, ``rate`` the most calls started per
``period``, and ``period`` defaults to one second (``flowcontrol.mdx``; the server's
``parseFlowControl`` "defaults an unset period to one second").

Where the sources disagree, this module reads them so:

- **Separator**: ``", "`` (both SDKs, ``openapi.yaml``) and ``","`` (the feature page's curl
  examples, the server's own echo ``parallelism=2,period=60``) are both accepted; spaces and
  tabs around items are optional. Whitespace *inside* an item (``rate = 10``) appears in no
  source and is refused (``flow_control.whitespace``). The canonical form is the SDKs'
  ``parallelism=10, rate=100, period=1m``: that order, absent parts omitted, ``", "``.
- **Order** is free (the docs show ``rate=10,parallelism=20``); keys are lower case and
  case-sensitive, each at most once.
- **Period** is a duration as in :func:`~qstash_protocol.parse_duration`, or bare whole seconds
  (``period=60``, the form the server echoes on deliveries). It must be from 1 second (the
  server's unit and default; ``period=0s``, which the JS SDK sends for ``period: 0``, is refused)
  to 7 days ("up to 1 week", changelog April 2025 and the Python SDK's docstring). The server
  holds and echoes the period in whole seconds, so a fractional period (``1500ms``) is refused
  rather than silently rounded.
- **Counts**: ``parallelism`` and ``rate`` are positive integers. ``rate=0`` and
  ``parallelism=0`` (sent by the JS SDK for zero) mean nothing and are refused; so are
  ``rate=7.25``, signs and non-ASCII digits. No maximum is documented (global parallelism is a
  plan limit: 10 / 100 / 200 / 1000); :data:`MAX_FLOW_CONTROL_INTEGER` is ``2**31 - 1``, the
  largest count every implementation holds exactly, so anything larger is certainly a mistake.
- **Rate or parallelism is required**: a value with neither, such as the JS SDK's ``period=1m``
  or the Python SDK's empty value for a key alone, is refused (``flow_control.missing_limit``,
  ``flow_control.empty``). This is the server's own rule: "Upstash-Flow-Control-Value should be
  either rate=X or parallelism=Y, or both as comma-separated values".
- **Keys**: no character rule is documented. :func:`validate_flow_control_key` requires a
  non-empty run of visible ASCII (no whitespace, control or non-ASCII characters: header values
  are bytes, and non-ASCII decodes differently in every framework) of at most
  :data:`MAX_FLOW_CONTROL_KEY_LENGTH` characters.
- **Length**: a value longer than :data:`MAX_FLOW_CONTROL_VALUE_LENGTH` is refused before it is
  looked at.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Final, NoReturn

from qstash_protocol._chars import (
    DIGITS,
    OWS,
    bad_char_reason,
    check_str,
    first_not_vchar,
    preview,
    split_items,
)
from qstash_protocol.errors import ProtocolError
from qstash_protocol.values.durations import InvalidDuration, format_duration, parse_duration

__all__ = [
    "DEFAULT_FLOW_CONTROL_PERIOD",
    "MAX_FLOW_CONTROL_INTEGER",
    "MAX_FLOW_CONTROL_KEY_LENGTH",
    "MAX_FLOW_CONTROL_PERIOD",
    "MAX_FLOW_CONTROL_VALUE_LENGTH",
    "MIN_FLOW_CONTROL_PERIOD",
    "FlowControlValue",
    "InvalidFlowControl",
    "parse_flow_control_value",
    "validate_flow_control_key",
]


class InvalidFlowControl(ProtocolError):
    """A flow-control key or value (``Upstash-Flow-Control-Key`` / ``-Value``) is invalid.

    >>> try:
    ...     parse_flow_control_value("period=1m")
    ... except InvalidFlowControl as err:
    ...     print(err.code)
    flow_control.missing_limit
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "flow_control.empty": "the value is empty",
        "flow_control.too_long": "the value is longer than MAX_FLOW_CONTROL_VALUE_LENGTH",
        "flow_control.empty_item": "an empty item between commas, or a trailing comma",
        "flow_control.whitespace": "whitespace inside an item, e.g. around '='",
        "flow_control.missing_equals": "an item that is not key=value",
        "flow_control.unknown_key": "a key that is not parallelism, rate or period",
        "flow_control.duplicate_key": "the same key given twice",
        "flow_control.missing_value": "a key with nothing after '='",
        "flow_control.invalid_integer": "parallelism or rate is not a whole number of ASCII digits",
        "flow_control.not_positive": "parallelism or rate is zero or negative",
        "flow_control.too_large": "parallelism or rate is above MAX_FLOW_CONTROL_INTEGER",
        "flow_control.invalid_period": "the period is not a duration or whole seconds",
        "flow_control.period_too_short": "the period is under MIN_FLOW_CONTROL_PERIOD (1 s)",
        "flow_control.period_too_long": "the period is over MAX_FLOW_CONTROL_PERIOD (7 days)",
        "flow_control.period_not_whole_seconds": "the period has a fraction of a second",
        "flow_control.missing_limit": "neither rate nor parallelism is given",
        "flow_control.empty_key": "the flow-control key is empty",
        "flow_control.key_too_long": "the key is longer than MAX_FLOW_CONTROL_KEY_LENGTH",
        "flow_control.invalid_key_character": "whitespace, control or non-ASCII in the key",
    }


#: The longest value :func:`parse_flow_control_value` looks at. The longest honest value,
#: ``parallelism=2147483647, rate=2147483647, period=6d23h59m59s``, is 60 characters.
MAX_FLOW_CONTROL_VALUE_LENGTH: Final = 256

#: The longest key :func:`validate_flow_control_key` accepts. No limit is documented ("there
#: are no limits to number of keys"); 256 holds any generated id (a UUID is 36, a SHA-256 hex
#: digest 64) with a readable prefix, and catches a value pasted into the wrong header.
MAX_FLOW_CONTROL_KEY_LENGTH: Final = 256

#: The largest parallelism or rate. None is documented; ``2**31 - 1`` is the largest count that
#: Go's int32, Java's int and a JavaScript number all hold exactly.
MAX_FLOW_CONTROL_INTEGER: Final = 2**31 - 1

#: The shortest period: the server counts periods in whole seconds.
MIN_FLOW_CONTROL_PERIOD: Final = timedelta(seconds=1)

#: The longest period: "up to 1 week" (changelog April 2025; Python SDK ``FlowControl``).
MAX_FLOW_CONTROL_PERIOD: Final = timedelta(days=7)

#: The period when none is given (``flowcontrol.mdx``; the server's ``parseFlowControl``).
DEFAULT_FLOW_CONTROL_PERIOD: Final = timedelta(seconds=1)

_KEYS: Final = ("parallelism", "rate", "period")

_MISSING_LIMIT: Final = (
    "a flow-control value needs rate or parallelism or both; a period alone limits nothing"
)

#: Keys people write that are not keys, and what they probably meant.
_KEY_HINTS: Final = {
    "ratepersecond": "rate",
    "rate_per_second": "rate",
    "concurrency": "parallelism",
    "parallel": "parallelism",
    "window": "period",
    "interval": "period",
}


@dataclass(frozen=True, slots=True)
class FlowControlValue:
    """A parsed ``Upstash-Flow-Control-Value``: parallelism, rate per period, and the period.

    ``str()`` is the canonical header value; ``parse_flow_control_value(str(v)) == v``. Absent
    parts are ``None``; at least one of ``parallelism`` and ``rate`` is set. Constructing a value
    directly checks it as the parser does.

    >>> v = FlowControlValue(rate=100, period=timedelta(minutes=1))
    >>> str(v)
    'rate=100, period=1m'
    >>> v.effective_period
    datetime.timedelta(seconds=60)
    >>> FlowControlValue(parallelism=3).effective_period
    datetime.timedelta(seconds=1)
    >>> try:
    ...     FlowControlValue(period=timedelta(minutes=1))
    ... except InvalidFlowControl as err:
    ...     print(err)
    a flow-control value needs rate or parallelism or both; a period alone limits nothing
    """

    parallelism: int | None = None
    rate: int | None = None
    period: timedelta | None = None

    def __post_init__(self) -> None:
        for name in ("parallelism", "rate"):
            count = getattr(self, name)
            if count is None:
                continue
            if not isinstance(count, int) or isinstance(count, bool):
                msg = f"{name} must be an int or None, not {type(count).__name__}"
                raise TypeError(msg)
            _check_count(name, count, None, None)
        if self.period is not None:
            if not isinstance(self.period, timedelta):
                msg = f"period must be a timedelta or None, not {type(self.period).__name__}"
                raise TypeError(msg)
            _check_period(self.period, None, None)
        if self.parallelism is None and self.rate is None:
            _fail(
                "flow_control.missing_limit",
                _MISSING_LIMIT,
                None,
                None,
            )

    @property
    def effective_period(self) -> timedelta:
        """The period the server applies: :attr:`period`, or 1 second when it is absent.

        >>> parse_flow_control_value("rate=5").effective_period
        datetime.timedelta(seconds=1)
        """
        return DEFAULT_FLOW_CONTROL_PERIOD if self.period is None else self.period

    def __str__(self) -> str:
        parts = []
        if self.parallelism is not None:
            parts.append(f"parallelism={self.parallelism}")
        if self.rate is not None:
            parts.append(f"rate={self.rate}")
        if self.period is not None:
            parts.append(f"period={format_duration(self.period)}")
        return ", ".join(parts)


def _fail(code: str, message: str, text: str | None, span: tuple[int, int] | None) -> NoReturn:
    raise InvalidFlowControl(message, code=code, value=text, span=span)


def parse_flow_control_value(text: str) -> FlowControlValue:
    """Parse an ``Upstash-Flow-Control-Value`` such as ``parallelism=5, rate=10, period=1m``.

    Items may come in any order, separated by ``,`` with optional spaces; ``period`` is a
    duration or bare whole seconds. Every error's span points into ``text``.

    >>> parse_flow_control_value("parallelism=3, rate=10, period=60s")
    FlowControlValue(parallelism=3, rate=10, period=datetime.timedelta(seconds=60))
    >>> str(parse_flow_control_value("parallelism=2,period=60"))
    'parallelism=2, period=1m'
    >>> parse_flow_control_value("rate=0")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidFlowControl: rate must be at least 1, got 0
      rate=0
           ^

    Raises:
        InvalidFlowControl: with one of the codes in ``InvalidFlowControl.CODES``.

    """
    check_str(text, "a flow-control value")
    if len(text) > MAX_FLOW_CONTROL_VALUE_LENGTH:
        _fail(
            "flow_control.too_long",
            f"a flow-control value is at most {MAX_FLOW_CONTROL_VALUE_LENGTH} characters, "
            f"got {len(text)}",
            text,
            (MAX_FLOW_CONTROL_VALUE_LENGTH, len(text)),
        )
    return _parse_cached(text)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> FlowControlValue:
    common = _parse_common(text)
    if common is not None:
        return common
    return _parse_general(text)


_KEY_SET: Final = frozenset(_KEYS)


def _parse_common(text: str) -> FlowControlValue | None:
    """A valid value read with str methods, or ``None``: the general way reads it and says why.

    Accepts what _parse_general accepts and nothing else, with the same value
    (tests/test_flow_control.py compares the two on any text): the items of a valid value are
    ``key=value`` between commas, with spaces or tabs around them.
    """
    found: dict[str, int | timedelta] = {}
    for part in text.split(","):
        item = part.strip(OWS)
        key, _, raw = item.partition("=")
        # No whitespace check: a key with some is no key, and neither a count nor a duration
        # with some parses.
        if key not in _KEY_SET or key in found or not raw:
            return None
        try:
            if key == "period":
                period = parse_duration(raw, allow_bare_seconds=True)
                _check_period(period, None, None)
                found[key] = period
            elif DIGITS.fullmatch(raw):  # as _parse_count reads a count
                count = int(raw)
                _check_count(key, count, None, None)
                found[key] = count
            else:
                return None
        except (InvalidDuration, InvalidFlowControl):
            return None
    if "parallelism" not in found and "rate" not in found:
        return None
    return _value(found)


def _value(found: Mapping[str, int | timedelta]) -> FlowControlValue:
    """The value of checked items (as __post_init__ would check them: made without it)."""
    parallelism = found.get("parallelism")
    rate = found.get("rate")
    period = found.get("period")
    assert parallelism is None or isinstance(parallelism, int)
    assert rate is None or isinstance(rate, int)
    assert period is None or isinstance(period, timedelta)
    parsed: FlowControlValue = object.__new__(FlowControlValue)
    object.__setattr__(parsed, "parallelism", parallelism)
    object.__setattr__(parsed, "rate", rate)
    object.__setattr__(parsed, "period", period)
    return parsed


def _parse_general(text: str) -> FlowControlValue:
    """Parse ``text`` item by item, with the error of the first thing wrong."""
    items = split_items(text)
    if len(items) == 1 and items[0].empty:
        _fail(
            "flow_control.empty",
            "expected a flow-control value such as 'parallelism=5, rate=10, period=1m', "
            "got an empty value",
            text,
            (0, len(text)),
        )
    found: dict[str, int | timedelta] = {}
    for item in items:
        if item.empty:
            where = "a trailing comma" if item.raw_end == len(text) else "an empty item"
            _fail(
                "flow_control.empty_item",
                f"{where}; separate key=value items with single commas",
                text,
                (item.raw_start, item.raw_end),
            )
        key, value = _parse_item(text, item.start, item.end, found)
        found[key] = value
    if "parallelism" not in found and "rate" not in found:
        _fail(
            "flow_control.missing_limit",
            _MISSING_LIMIT,
            text,
            (0, len(text)),
        )
    return _value(found)  # every part was checked above as __post_init__ checks it


_SPACE: Final = re.compile(r"\s")


def _parse_item(
    text: str, start: int, end: int, found: Mapping[str, object]
) -> tuple[str, int | timedelta]:
    """``item := key "=" value`` with no whitespace inside."""
    # Every whitespace character but " " is unprintable: most items need no search.
    item = text[start:end]
    space = None if item.isprintable() and " " not in item else _SPACE.search(text, start, end)
    if space is not None:  # \s is str.isspace, character for character
        index = space.start()
        _fail(
            "flow_control.whitespace",
            f"{bad_char_reason(text[index])} inside an item; write items as "
            "'key=value' with no spaces, e.g. 'rate=10'",
            text,
            (index, index + 1),
        )
    equals = text.find("=", start, end)
    if equals < 0:
        _fail(
            "flow_control.missing_equals",
            f"expected key=value, got {preview(text[start:end])}",
            text,
            (start, end),
        )
    key = text[start:equals]
    if key not in _KEYS:
        _fail(
            "flow_control.unknown_key",
            _unknown_key_message(key),
            text,
            (start, equals) if key else (start, equals + 1),
        )
    if key in found:
        _fail(
            "flow_control.duplicate_key",
            f"{key!r} is given twice; give each key at most once",
            text,
            (start, equals),
        )
    if equals + 1 == end:
        _fail(
            "flow_control.missing_value",
            f"expected a value after '{key}='",
            text,
            (start, end),
        )
    if key == "period":
        return key, _parse_period(text, equals + 1, end)
    return key, _parse_count(key, text, equals + 1, end)


def _unknown_key_message(key: str) -> str:
    if not key:
        return "expected a key before '='; keys are parallelism, rate and period"
    hint = ""
    if key.lower() in _KEYS:
        hint = f" (did you mean {key.lower()!r}?)"
    elif key.lower() in _KEY_HINTS:
        hint = f" (did you mean {_KEY_HINTS[key.lower()]!r}?)"
    return f"unknown key {preview(key)}{hint}; keys are parallelism, rate and period, lower case"


def _parse_count(key: str, text: str, start: int, end: int) -> int:
    raw = text[start:end]
    if DIGITS.fullmatch(raw):
        count = int(raw)
    elif raw.startswith("-") and DIGITS.fullmatch(raw, 1):
        count = -int(raw[1:])
    else:
        if raw.startswith("+"):
            why = "a sign is not allowed"
        elif any(not c.isascii() and c.isdigit() for c in raw):
            why = "only ASCII digits 0-9 are allowed"
        elif "." in raw and DIGITS.fullmatch(raw.replace(".", "", 1)):
            why = "it must be a whole number"
        else:
            why = "expected a whole number"
        _fail(
            "flow_control.invalid_integer",
            f"{key} must be a positive integer, got {preview(raw)}: {why}",
            text,
            (start, end),
        )
    _check_count(key, count, text, (start, end))
    return count


def _check_count(key: str, count: int, text: str | None, span: tuple[int, int] | None) -> None:
    if count < 1:
        _fail("flow_control.not_positive", f"{key} must be at least 1, got {count}", text, span)
    if count > MAX_FLOW_CONTROL_INTEGER:
        _fail(
            "flow_control.too_large",
            f"{key} must be at most {MAX_FLOW_CONTROL_INTEGER}, got {count}",
            text,
            span,
        )


def _parse_period(text: str, start: int, end: int) -> timedelta:
    raw = text[start:end]
    try:
        period = parse_duration(raw, allow_bare_seconds=True)
    except InvalidDuration as err:
        span = (start, end) if err.span is None else (start + err.span[0], start + err.span[1])
        raise InvalidFlowControl(
            f"invalid period {preview(raw)}: {err.message}",
            code="flow_control.invalid_period",
            value=text,
            span=span,
        ) from err
    _check_period(period, text, (start, end))
    return period


def _check_period(period: timedelta, text: str | None, span: tuple[int, int] | None) -> None:
    if period < MIN_FLOW_CONTROL_PERIOD:
        _fail(
            "flow_control.period_too_short",
            f"the period must be at least 1s, got {_show(period)}",
            text,
            span,
        )
    if period > MAX_FLOW_CONTROL_PERIOD:
        _fail(
            "flow_control.period_too_long",
            f"the period must be at most 7d (one week), got {_show(period)}",
            text,
            span,
        )
    if period.microseconds:
        _fail(
            "flow_control.period_not_whole_seconds",
            f"the period must be a whole number of seconds, got {_show(period)}",
            text,
            span,
        )


def _show(period: timedelta) -> str:
    return format_duration(period) if period >= timedelta(0) else str(period)


def validate_flow_control_key(text: str) -> str:
    """Check an ``Upstash-Flow-Control-Key`` and return it unchanged.

    A key is 1 to :data:`MAX_FLOW_CONTROL_KEY_LENGTH` visible ASCII characters: no whitespace,
    control or non-ASCII characters. Keys are case-sensitive.

    >>> validate_flow_control_key("tenant-42:emails")
    'tenant-42:emails'
    >>> try:
    ...     validate_flow_control_key("my key")
    ... except InvalidFlowControl as err:
    ...     print(err)
    a flow-control key may not contain whitespace ' ' (SPACE)
      my key
        ^

    Raises:
        InvalidFlowControl: ``flow_control.empty_key``, ``flow_control.key_too_long`` or
            ``flow_control.invalid_key_character``.

    """
    check_str(text, "a flow-control key")
    if not text:
        _fail("flow_control.empty_key", "the flow-control key is empty", text, (0, 0))
    if len(text) > MAX_FLOW_CONTROL_KEY_LENGTH:
        _fail(
            "flow_control.key_too_long",
            f"a flow-control key is at most {MAX_FLOW_CONTROL_KEY_LENGTH} characters, "
            f"got {len(text)}",
            text,
            (MAX_FLOW_CONTROL_KEY_LENGTH, len(text)),
        )
    bad = first_not_vchar(text)
    if bad is not None:
        _fail(
            "flow_control.invalid_key_character",
            f"a flow-control key may not contain {bad_char_reason(text[bad])}",
            text,
            (bad, bad + 1),
        )
    return text
