r"""Read a request as people have it at hand: an HTTP/1.1 dump, or ``curl -v`` output (private).

>>> read_dump(b"POST /v2/publish/g HTTP/1.1\r\nUpstash-Retries: 1\r\n\r\nbody")
Dump(path='/v2/publish/g', headers=[('Upstash-Retries', '1')], lines=[2])

Facts
-----
- **Bytes, read as ISO-8859-1.** A header block is octets; RFC 9110 §5.5 allows ``obs-text``
  (0x80-0xFF) in values, and recipients read it as ISO-8859-1, which maps every byte to one
  character: nothing is lost, and :func:`~qstash_protocol.decode_headers` reads ``bytes``
  headers the same way. A file is never decoded as UTF-8 (a Latin-1 dump or random bytes would
  not decode). Control bytes in a value are refused by the decoder, with the value shown
  escaped (``\x85``) under a caret.
- **Lines end at LF, with an optional CR before it**, exactly as HTTP/1.1 frames a header block
  (RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator and ignore any
  preceding CR"); h11 and Go's ``net/textproto`` read it the same way. Nothing else ends a line:
  not a bare CR (it stays in the value, and the decoder refuses it as header injection), not
  U+0085, U+2028, a form feed or a vertical tab, which ``str.splitlines()`` would split at. So
  ``Upstash-Forward-X: a<U+0085>Upstash-Retries: 99`` is one forwarded value here, as it is for
  the decoder and the service, and line numbers count LFs only. The framing is
  ``bytes.split(b"\n")`` (the standard library's ``io.BytesIO.readline`` and
  ``http.client.parse_headers`` end lines at LF too); the CLI tests compare it with h11's.
- **A UTF-8 byte order mark** at the very start (editors on Windows write one) is skipped.
- **Obsolete line folding** (a line starting with a space or tab continues the previous
  header, RFC 9112 §5.2) is replaced by one space, as h11 and Go's server do.
- Before the headers: blank lines are skipped (RFC 9112 §2.2), and a first line ``METHOD
  /path [HTTP/x.y]`` is the request line. The first blank line after the headers ends them
  (the body follows). In ``curl -v`` output (lines starting ``> ``) only the ``>`` lines are
  read; ``*`` notes and ``<`` response lines are skipped.
- A field name is passed on as written, whitespace included: ``Name : value`` is refused by the
  decoder as an invalid name (RFC 9112 §5.1: "No whitespace is allowed between the field name
  and colon"), with a caret. Surrounding spaces and tabs of a value are not part of it.
- Input with neither a request line nor a header is refused (``dump.empty``): there is nothing
  to check, and saying "valid" would hide a wrong file or an empty pipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final, NamedTuple

from qstash_protocol.errors import ProtocolError

__all__ = ["Dump", "InvalidDump", "read_dump", "read_request_text"]

_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_BOM_BYTES: Final = b"\xef\xbb\xbf"
_BOM: Final = "\ufeff"


class InvalidDump(ProtocolError):
    """The input is not an HTTP request dump the CLI can read (exit status 2)."""

    CODES: ClassVar[Mapping[str, str]] = {
        "dump.empty": "no request line and no header in the input",
        "dump.invalid_line": "a line that is neither 'Name: value' nor a request line",
        "dump.invalid_request_line": "a request line without a path",
        "dump.fold_without_header": "a continuation line (leading space) before any header",
    }

    line: int | None

    def __init__(self, message: str, *, code: str, line: int | None, value: str | None) -> None:
        where = f"line {line}: " if line is not None else ""
        span = None if value is None else (0, len(value))
        super().__init__(where + message, code=code, value=value, span=span)
        self.line = line


class Dump(NamedTuple):
    """What a dump says: the request line's path (if any), the headers and their line numbers."""

    path: str | None
    headers: list[tuple[str, str]]
    #: The 1-based line number of each header (of its first line, when folded).
    lines: list[int]


def read_dump(data: bytes | str) -> Dump:
    r"""Read the request line's path and the headers of an HTTP or ``curl -v`` dump.

    ``bytes`` are read as ISO-8859-1; ``str`` as it is (each character one octet's worth).

    >>> read_dump("> GET /v2/publish/g HTTP/1.1\n> Upstash-Delay: 1m\n>\n< HTTP/1.1 200 OK\n")
    Dump(path='/v2/publish/g', headers=[('Upstash-Delay', '1m')], lines=[2])
    >>> read_dump("X-A: a\x85Upstash-Retries: 99\n").headers
    [('X-A', 'a\x85Upstash-Retries: 99')]

    Raises:
        InvalidDump: the input is empty, or a line is neither a header nor a request line.

    """
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
        text = (raw[3:] if raw.startswith(_BOM_BYTES) else raw).decode("latin-1")
    else:
        text = data.removeprefix(_BOM)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the text after the last LF: nothing
    curl = any(line.startswith("> ") for line in lines)
    path: str | None = None
    headers: list[tuple[str, str]] = []
    numbers: list[int] = []
    for number, raw_line in enumerate(lines, start=1):
        line = raw_line.removesuffix("\r")
        if curl:
            if not line.startswith(">"):
                continue
            line = line[1:].removeprefix(" ")
        if not line:
            if headers or path is not None:
                break  # the end of the header block: the body follows
            continue
        if line[0] in " \t":
            if not headers:
                if path is None and not line.strip(" \t"):
                    continue  # whitespace before anything: a blank line
                raise InvalidDump(
                    "a line starting with a space continues a header, but no header came before",
                    code="dump.fold_without_header",
                    line=number,
                    value=line,
                )
            name, value = headers[-1]
            folded = line.strip(" \t")
            headers[-1] = (name, f"{value} {folded}" if value and folded else value or folded)
            continue
        first = line.split(" ", 1)[0]
        if path is None and not headers and first in _METHODS:
            parts = line.split(" ")
            parts = [part for part in parts if part]
            if len(parts) < 2:
                msg = f"expected 'METHOD /path', got {_short(line)}"
                raise InvalidDump(msg, code="dump.invalid_request_line", line=number, value=line)
            path = parts[1]
            continue
        name, colon, value = line.partition(":")
        if not colon:
            msg = f"expected 'Name: value', got {_short(line)}"
            raise InvalidDump(msg, code="dump.invalid_line", line=number, value=line)
        headers.append((name, value.strip(" \t")))
        numbers.append(number)
    if path is None and not headers:
        raise InvalidDump(
            "no request line and no header: the input is empty",
            code="dump.empty",
            line=None,
            value=None,
        )
    return Dump(path, headers, numbers)


def _short(line: str) -> str:
    return repr(line) if len(line) <= 40 else repr(line[:40]) + "..."


def read_request_text(text: str | bytes) -> tuple[str | None, list[tuple[str, str]]]:
    r"""Read the request line's path (if any) and the headers from an HTTP or ``curl -v`` dump.

    Lines ``> ...`` (curl's request lines) are read without the marker; ``* ...`` and ``< ...``
    (curl's notes and the response) are skipped; the first blank line after the headers ends
    them (the body follows). See :func:`read_dump`.

    >>> read_request_text("POST /v2/publish/g HTTP/1.1\nUpstash-Retries: 1\n\nbody")
    ('/v2/publish/g', [('Upstash-Retries', '1')])
    """
    dump = read_dump(text)
    return dump.path, dump.headers
