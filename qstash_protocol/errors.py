"""The one error model every parser in the library shares.

Every problem the library finds in protocol input is a :class:`ProtocolError`, a
:class:`ValueError`. Each concept has its own subclass, defined beside its parser
(``durations.InvalidDuration``, ``retry_delay.InvalidRetryDelay``, ...) and exported from
``qstash_protocol``, so ``except ProtocolError`` catches them all and ``except InvalidDuration``
only one kind.

An error carries:

- ``code``: a stable, machine-readable identifier such as ``"duration.missing_unit"``. Codes
  never change meaning; conformance vectors and other implementations match on them. Each
  subclass lists the codes it may raise, with a one-line description, in ``CODES``.
- ``message``: one human sentence saying what was expected and what was found.
- ``header``: the header name the value came from, when known.
- ``value``: the raw text that was parsed.
- ``span``: ``(start, end)`` character offsets into ``value`` of the offending characters.

``str(error)`` is the message on one line, followed by the value with a caret marker under the
span, so a log line points at the bad character::

    >>> from qstash_protocol import InvalidDuration
    >>> err = InvalidDuration("missing unit after '30', e.g. '30s'",
    ...                       code="duration.missing_unit", value="30", span=(0, 2))
    >>> print(err)
    missing unit after '30', e.g. '30s'
      30
      ^^

Errors pickle (they cross process pools in servers) and compare equal when all their fields
are equal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, ClassVar, Self

__all__ = ["ProtocolError"]

#: A value longer than this is shown as a window around the span, so that a hostile
#: multi-kilobyte value does not flood a log line.
_MAX_SHOWN = 72


class ProtocolError(ValueError):
    """Base class of every error raised on invalid QStash protocol input.

    >>> err = ProtocolError("bad value", code="protocol.example", value="abc", span=(1, 2))
    >>> err.code, err.value, err.span
    ('protocol.example', 'abc', (1, 2))
    >>> print(err)
    bad value
      abc
       ^
    """

    #: The codes this class (and its subclasses, each in its own ``CODES``) may raise.
    CODES: ClassVar[Mapping[str, str]] = {"protocol.example": "an example code used in docs"}

    #: Attributes a subclass adds, each also a keyword argument of its ``__init__``. Copies
    #: (:meth:`with_header`, :meth:`shifted`), equality, pickling, ``repr`` and :meth:`to_dict`
    #: carry them, so a subclass declares them here instead of overriding each of those.
    _extra_fields: ClassVar[tuple[str, ...]] = ()

    code: str
    message: str
    header: str | None
    value: str | None
    span: tuple[int, int] | None

    def __init__(
        self,
        message: str,
        *,
        code: str,
        value: str | None = None,
        span: tuple[int, int] | None = None,
        header: str | None = None,
    ) -> None:
        if code not in type(self).CODES:
            msg = f"{type(self).__name__} has no error code {code!r}"
            raise AssertionError(msg)
        if span is not None and value is not None:
            start, end = span
            if not 0 <= start <= end <= len(value):
                msg = f"span {span!r} is outside the value of length {len(value)}"
                raise AssertionError(msg)
        super().__init__(message)
        self.message = message
        self.code = code
        self.value = value
        self.span = span
        self.header = header

    def with_header(self, header: str | None) -> Self:
        """Return a copy of this error that names the header the value came from.

        >>> from qstash_protocol import InvalidDuration
        >>> err = InvalidDuration("missing unit after '1', e.g. '1s'",
        ...                       code="duration.missing_unit", value="1", span=(0, 1))
        >>> print(err.with_header("Upstash-Delay"))
        Upstash-Delay: missing unit after '1', e.g. '1s'
          1
          ^
        """
        return self._replace(header=header)

    def shifted(self, offset: int, value: str) -> Self:
        """Return a copy whose span is moved by ``offset`` into the larger ``value``.

        Used when a parser reports on a part of a value (one item of a list) and the error
        should point into the whole header value.

        >>> from qstash_protocol import InvalidDuration
        >>> err = InvalidDuration("bad", code="duration.missing_unit", value="1", span=(0, 1))
        >>> err.shifted(7, "period=1").span
        (7, 8)
        """
        span = None if self.span is None else (self.span[0] + offset, self.span[1] + offset)
        return self._replace(value=value, span=span)

    def _extras(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._extra_fields}

    def _replace(self, **changes: Any) -> Self:
        """A copy of this error with ``changes`` (``value``, ``span``, ``header`` or an extra)."""
        fields = {"value": self.value, "span": self.span, "header": self.header}
        return type(self)(self.message, code=self.code, **{**fields, **self._extras(), **changes})

    def __str__(self) -> str:
        head = f"{self.header}: {self.message}" if self.header else self.message
        if self.value is None:
            return head
        return head + "\n" + _caret_block(self.value, self.span)

    def __repr__(self) -> str:
        extras = "".join(f", {name}={value!r}" for name, value in self._extras().items())
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, value={self.value!r}, "
            f"span={self.span!r}, header={self.header!r}{extras})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProtocolError):
            return NotImplemented
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self), self._key()))

    def _key(self) -> tuple[Any, ...]:
        return (
            self.code,
            self.message,
            self.value,
            self.span,
            self.header,
            *self._extras().values(),
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (
                type(self),
                self.message,
                self.code,
                self.value,
                self.span,
                self.header,
                self._extras(),
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the error as plain JSON-ready data (the form the CLI and vectors use).

        >>> from qstash_protocol import InvalidDuration
        >>> InvalidDuration("m", code="duration.empty", value="", span=(0, 0)).to_dict()
        {'code': 'duration.empty', 'message': 'm', 'header': None, 'value': '', 'span': [0, 0]}
        """
        return {
            "code": self.code,
            "message": self.message,
            "header": self.header,
            "value": self.value,
            "span": None if self.span is None else list(self.span),
            **self._extras(),
        }


def _rebuild(
    cls: type[ProtocolError],
    message: str,
    code: str,
    value: str | None,
    span: tuple[int, int] | None,
    header: str | None,
    extras: Mapping[str, Any] | None = None,
) -> ProtocolError:
    return cls(message, code=code, value=value, span=span, header=header, **(extras or {}))


def _shown(char: str) -> tuple[str, int]:
    r"""How one character of a value is drawn, and how many columns it takes.

    Printable characters are drawn as themselves (East Asian wide ones take two columns);
    control, format and combining characters are drawn escaped (``\r``, ``\x00``,
    ``\u200b``) so that the caret line stays aligned and nothing invisible hides in a log.
    """
    if char == " " or (char.isprintable() and not unicodedata.combining(char)):
        return char, 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    escaped = char.encode("unicode_escape").decode("ascii")
    return escaped, len(escaped)


def _caret_block(value: str, span: tuple[int, int] | None) -> str:
    """Draw ``value`` on one line and a caret line under ``span``, two spaces in."""
    start, end = span if span is not None else (0, 0)
    lo, hi = 0, len(value)
    if len(value) > _MAX_SHOWN:
        # Show a window of the value that contains the start of the span.
        lo = max(0, min(start - _MAX_SHOWN // 3, len(value) - _MAX_SHOWN))
        hi = lo + _MAX_SHOWN
    pieces = [_shown(c) for c in value[lo:hi]]
    prefix = "..." if lo > 0 else ""
    suffix = "..." if hi < len(value) else ""
    line = prefix + "".join(text for text, _ in pieces) + suffix
    if span is None:
        return "  " + line
    first = min(max(0, start - lo), len(pieces))
    last = min(max(first, end - lo), len(pieces))
    col = len(prefix) + sum(width for _, width in pieces[:first])
    width = sum(w for _, w in pieces[first:last])
    return "  " + line + "\n  " + " " * col + "^" * max(1, width)
