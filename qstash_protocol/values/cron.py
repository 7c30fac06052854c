"""``Upstash-Cron``: the schedule of a schedule-creating request.

>>> validate_cron("*/5  * * * *")
'*/5 * * * *'
>>> validate_cron("CRON_TZ=America/New_York 0 4 * * *")
'CRON_TZ=America/New_York 0 4 * * *'

Facts
-----
- The documented form (research ``server_semantics.md`` §7, ``openapi.yaml``) is five fields,
  ``minute hour day-of-month month day-of-week``, UTC unless prefixed by
  ``CRON_TZ=<IANA zone> ``. The server's error ``Invalid cron expression empty spec string``
  is robfig/cron v3's, so the field syntax here is robfig's standard parser: ``*``, ``?`` (day
  fields), numbers, ranges ``a-b``, steps ``*/n``, ``a-b/n`` and ``a/n``, lists ``a,b``, and
  month (``JAN``-``DEC``) and weekday (``SUN``-``SAT``) names, case-insensitive.
- Ranges: minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-6 (0 = Sunday).
- **Reading taken**: robfig also accepts ``TZ=`` and descriptors (``@daily``, ``@every 1h``),
  but QStash documents neither (open question 13 in the research notes). They are refused with
  ``cron.unsupported`` and a hint at the five-field spelling, so a gateway never blesses a form
  the service may refuse.
- The zone name is checked for shape only (``Area/City`` characters): looking it up would read
  the tz database, and this library does no I/O.
- Canonical form: the same fields joined by single spaces (runs of spaces and tabs between fields
  collapse), names as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar, Final

from qstash_protocol.errors import ProtocolError

__all__ = ["MAX_CRON_LENGTH", "InvalidCron", "validate_cron"]

#: The longest cron text looked at. A five-field expression with long lists and a zone name
#: stays well under it.
MAX_CRON_LENGTH: Final = 256


class InvalidCron(ProtocolError):
    """An ``Upstash-Cron`` value is invalid.

    >>> try:
    ...     validate_cron("* * * *")
    ... except InvalidCron as err:
    ...     print(err.code)
    cron.field_count
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "cron.empty": "the value is empty",
        "cron.too_long": "longer than MAX_CRON_LENGTH",
        "cron.field_count": "not exactly five fields",
        "cron.invalid_field": "a field that is not cron syntax",
        "cron.out_of_range": "a number outside the field's range",
        "cron.invalid_timezone": "a CRON_TZ= zone name of the wrong shape",
        "cron.unsupported": "a robfig extension QStash does not document (@daily, TZ=)",
    }


_FIELDS: Final = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, ("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC", 1)),
    ("day of week", 0, 6, ("SUN MON TUE WED THU FRI SAT", 0)),
)
_ZONE: Final = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")
_ATOM: Final = re.compile(r"[0-9]+|[A-Za-z]+")


def validate_cron(text: str) -> str:
    """Check an ``Upstash-Cron`` value and return its canonical form.

    >>> validate_cron("0 9 * * MON-FRI")
    '0 9 * * MON-FRI'
    >>> validate_cron("0 25 * * *")
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidCron: hour must be 0-23, got 25
      0 25 * * *
        ^^

    Raises:
        InvalidCron: with one of the codes in ``InvalidCron.CODES``.

    """
    if len(text) > MAX_CRON_LENGTH:
        raise InvalidCron(
            f"a cron expression is at most {MAX_CRON_LENGTH} characters, got {len(text)}",
            code="cron.too_long",
            value=text,
            span=(MAX_CRON_LENGTH, len(text)),
        )
    fields = [(m.start(), m.group()) for m in re.finditer(r"[^ \t]+", text)]
    if not fields:
        raise InvalidCron(
            "expected a cron expression such as '*/5 * * * *', got an empty value",
            code="cron.empty",
            value=text,
            span=(0, len(text)),
        )
    start, first = fields[0]
    if first.startswith("@"):
        raise InvalidCron(
            f"{first!r} is not a documented QStash schedule; write five fields, "
            "e.g. '0 0 * * *' for @daily",
            code="cron.unsupported",
            value=text,
            span=(start, start + len(first)),
        )
    prefix = ""
    if first.startswith("TZ="):
        raise InvalidCron(
            "QStash documents the zone prefix as 'CRON_TZ=', not 'TZ='",
            code="cron.unsupported",
            value=text,
            span=(start, start + 3),
        )
    if first.startswith("CRON_TZ="):
        zone = first[len("CRON_TZ=") :]
        if not _ZONE.fullmatch(zone):
            raise InvalidCron(
                f"expected an IANA zone name such as 'America/New_York' after CRON_TZ=, "
                f"got {zone!r}",
                code="cron.invalid_timezone",
                value=text,
                span=(start + len("CRON_TZ="), start + len(first)),
            )
        prefix = first + " "
        fields = fields[1:]
    if len(fields) != len(_FIELDS):
        span = (fields[0][0], len(text.rstrip(" \t"))) if fields else (len(text), len(text))
        raise InvalidCron(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}",
            code="cron.field_count",
            value=text,
            span=span,
        )
    for (offset, field), spec in zip(fields, _FIELDS, strict=True):
        _check_field(text, offset, field, spec)
    return prefix + " ".join(field for _, field in fields)


def _check_field(
    text: str, offset: int, field: str, spec: tuple[str, int, int, tuple[str, int] | None]
) -> None:
    name, low, high, names = spec
    position = offset
    for part in field.split(","):
        _check_part(text, position, part, name, low, high, names)
        position += len(part) + 1


def _check_part(
    text: str,
    offset: int,
    part: str,
    name: str,
    low: int,
    high: int,
    names: tuple[str, int] | None,
) -> None:
    def invalid(message: str, start: int = 0, end: int | None = None) -> InvalidCron:
        stop = len(part) if end is None else end
        return InvalidCron(
            message, code="cron.invalid_field", value=text, span=(offset + start, offset + stop)
        )

    if not part:
        raise invalid(f"empty item in the {name} field")
    base, slash, step = part.partition("/")
    if slash and (not step.isascii() or not step.isdigit() or int(step) < 1):
        raise invalid(f"a step in the {name} field must be a whole number >= 1", len(base) + 1)
    if base in ("*", "?"):
        if base == "?" and name not in ("day of month", "day of week"):
            raise invalid(f"'?' is only allowed in the day fields, not in {name}", 0, 1)
        return
    lo_text, dash, hi_text = base.partition("-")
    bounds = [(lo_text, 0)] + ([(hi_text, len(lo_text) + 1)] if dash else [])
    values = []
    for atom, at in bounds:
        if not _ATOM.fullmatch(atom):
            raise invalid(f"expected a number{' or name' if names else ''} in the {name} field", at)
        values.append(_atom_value(text, offset + at, atom, name, low, high, names))
    if len(values) == 2 and values[0] > values[1]:
        raise invalid(f"a range in the {name} field must go upward, got {base!r}", 0, len(base))


def _atom_value(
    text: str, at: int, atom: str, name: str, low: int, high: int, names: tuple[str, int] | None
) -> int:
    span = (at, at + len(atom))
    if atom.isdigit():
        number = int(atom)
        if not low <= number <= high:
            raise InvalidCron(
                f"{name} must be {low}-{high}, got {number}",
                code="cron.out_of_range",
                value=text,
                span=span,
            )
        return number
    if names is not None:
        words, first = names
        upper = atom.upper()
        if upper in words.split():
            return words.split().index(upper) + first
    raise InvalidCron(
        f"unknown name {atom!r} in the {name} field",
        code="cron.invalid_field",
        value=text,
        span=span,
    )
