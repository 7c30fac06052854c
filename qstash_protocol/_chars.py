"""Character classes, list splitting and message helpers shared by the value parsers (private).

Header values are bytes on the wire. RFC 9110 §5.5 allows visible ASCII (``VCHAR``, 0x21-0x7E),
space and tab in a field value, and deprecates everything else (``obs-text``). The parsers here
work on ``str`` and use these helpers to say precisely which character is wrong and where.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

#: Optional whitespace (RFC 9110 §5.6.3): space and horizontal tab.
OWS: Final = " \t"

#: ``new_tuple(SomeNamedTuple, values)`` makes a NamedTuple without its own ``__new__``, which
#: is Python code: for the decoder's hot paths, where the values are known to fit.
new_tuple: Final = tuple.__new__

#: One run of ASCII digits 0-9 (``re``'s ``[0-9]`` is ASCII only, unlike ``\d``).
DIGITS: Final = re.compile(r"[0-9]+")

#: An HTTP field name (RFC 9110 §5.6.2 ``token``): one or more ``tchar``.
TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

_NOT_VCHAR: Final = re.compile(r"[^\x21-\x7e]")
_NOT_TCHAR: Final = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
#: A letter after a character that is neither a letter nor "-" (see canonical_token).
_LETTER_AFTER_OTHER: Final = re.compile(r"[^A-Za-z-][A-Za-z]")

_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

#: How much of a value a message quotes; the caret block shows the rest.
_PREVIEW: Final = 40


def preview(text: str) -> str:
    """``repr(text)``, cut to a few dozen characters so a hostile value cannot flood a message."""
    if len(text) <= _PREVIEW:
        return repr(text)
    return repr(text[:_PREVIEW]) + "..."


def describe(char: str) -> str:
    """Name one character for a message, e.g. ``' ' (SPACE)``, or its code point."""
    name = unicodedata.name(char, "")
    return f"{char!r} ({name})" if name else f"{char!r} (U+{ord(char):04X})"


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only; every other character is kept, so lengths never change.

    >>> ascii_lower("Upstash-\u212a")  # the Kelvin sign stays: str.lower() makes it a "k"
    'upstash-\u212a'
    """
    # str.lower() of ASCII text changes A-Z alone; translate() is kept for the rest, and is
    # slower (a lookup per character).
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def ascii_upper(text: str) -> str:
    """Upper-case ASCII letters only (so U+017F, the long s, never becomes ``S``).

    >>> ascii_upper("a\u017f")
    'A\u017f'
    """
    return text.upper() if text.isascii() else text.translate(_ASCII_UPPER)


def first_not_vchar(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Index of the first character outside visible ASCII (0x21-0x7E), or ``None``."""
    match = _NOT_VCHAR.search(text, start, len(text) if end is None else end)
    return None if match is None else match.start()


def first_not_tchar(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Index of the first character that may not appear in an HTTP field name, or ``None``."""
    match = _NOT_TCHAR.search(text, start, len(text) if end is None else end)
    return None if match is None else match.start()


def bad_char_reason(char: str) -> str:
    """Why a character outside visible ASCII is refused, for messages."""
    if char.isspace():
        return f"whitespace {describe(char)}"
    if char.isascii():
        return f"control character {describe(char)}"
    return f"non-ASCII character {describe(char)}"


class Item(NamedTuple):
    """One comma-separated item: its raw range and its range with surrounding OWS removed."""

    raw_start: int
    raw_end: int
    start: int
    end: int

    @property
    def empty(self) -> bool:
        """Whether nothing but optional whitespace is between the commas."""
        return self.start == self.end


def split_items(text: str) -> list[Item]:
    """Split ``text`` on ``,`` and strip spaces and tabs around each item, keeping offsets.

    ``"a, b"`` gives ``Item(0, 1, 0, 1)`` and ``Item(2, 4, 3, 4)``. Every comma makes a new
    item, so ``"a,,b"`` and ``"a,"`` contain an empty item (the caller decides whether that is
    an error).
    """
    items = []
    raw_start = 0
    for part in text.split(","):
        raw_end = raw_start + len(part)
        kept = part.strip(OWS)
        # where what is kept starts; nothing but OWS is an empty item at the end
        start = raw_end - len(part.lstrip(OWS)) if kept else raw_end
        items.append(new_tuple(Item, (raw_start, raw_end, start, start + len(kept))))
        raw_start = raw_end + 1
    return items


def check_str(text: object, what: str) -> None:
    """Raise :class:`TypeError` unless ``text`` is a ``str`` (parsers take text, not bytes)."""
    if not isinstance(text, str):
        msg = f"{what} must be a str, not {type(text).__name__}"
        raise TypeError(msg)


def utf8(text: str) -> bytes:
    """Encode ``text`` as UTF-8; a lone surrogate is encoded as in WTF-8, so this never fails."""
    return text.encode("utf-8", "surrogatepass")


def canonical_header_name(name: str) -> str:
    """Return ``name`` in Go's canonical case, as the QStash server delivers headers.

    Names that are not valid tokens are returned unchanged, as Go does.

    >>> canonical_header_name("x-API-key")
    'X-Api-Key'
    >>> canonical_header_name("not a token")
    'not a token'
    """
    if not TOKEN.fullmatch(name):
        return name
    return canonical_token(name)


def canonical_token(name: str) -> str:
    """Go's canonical case of ``name``, known to be a token (no check).

    >>> canonical_token("upstash-workflow-runid")
    'Upstash-Workflow-Runid'
    """
    if name.isascii() and (
        name.replace("-", "").isalpha() or _LETTER_AFTER_OTHER.search(name) is None
    ):
        # str.title() upper-cases the first letter of each word and lower-cases the rest, Go's
        # rule, in one call; but its words also start after a digit, "_" or any non-letter, so
        # it serves only names where no letter follows one (as "unknown-523"). Letters and
        # hyphens alone, the commonest names, are told by the cheaper test, tried first. Other
        # names take the word-by-word way.
        return name.title()
    return "-".join(map(str.capitalize, name.split("-")))
