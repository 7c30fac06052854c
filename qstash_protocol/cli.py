"""The ``qstash-protocol`` command line (also ``python -m qstash_protocol``).

Subcommands:

- ``check [FILE|-] [-H 'Name: value' ...]``: decode a request as people have it at hand (an HTTP
  dump or ``curl -v`` output, optionally starting with the ``POST /v2/publish/...`` line, or
  ``-H`` arguments) and print what it means, or every problem with a caret under it.
- ``schedule [EXPR] --retries N``: the delay before each retry and the time since the first
  attempt failed, for a retry-delay expression or QStash's default backoff.
- ``duration VALUE``: parse a QStash duration, print its length in seconds and its canonical form.

Exit status: 0 when the input is valid, 1 when it is invalid (the error is printed with a caret
under the offending characters), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from datetime import timedelta
from typing import TextIO

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.codec import InvalidHeaders, decode_headers, encode_headers
from qstash_protocol.publish.options import Callback, MessageOptions
from qstash_protocol.publish.request import PublishRequest, decode_request
from qstash_protocol.values.durations import format_duration, parse_duration
from qstash_protocol.values.retry_delay import default_backoff, parse_retry_delay

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if seconds == int(seconds) else repr(seconds)


def _cmd_duration(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        value = parse_duration(args.value, allow_bare_seconds=args.bare_seconds)
    except ProtocolError as error:
        if args.json:
            print(json.dumps({"valid": False, "error": error.to_dict()}), file=out)
        else:
            print(f"invalid duration: {error}", file=err)
        return EXIT_INVALID
    seconds = value.total_seconds()
    canonical = format_duration(value)
    if args.json:
        print(json.dumps({"valid": True, "seconds": seconds, "canonical": canonical}), file=out)
    else:
        print(f"seconds: {_seconds_text(seconds)}", file=out)
        print(f"canonical: {canonical}", file=out)
    return EXIT_OK


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class _UsageError(Exception):
    """The input could not be read as a request at all (exit 2)."""


def read_request_text(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    r"""Read the request line's path (if any) and the headers from an HTTP or ``curl -v`` dump.

    Lines ``> ...`` (curl's request lines) are read without the marker; ``* ...`` and ``< ...``
    (curl's notes and the response) are skipped; the first blank line after the headers ends
    them (the body follows).

    >>> read_request_text("POST /v2/publish/g HTTP/1.1\nUpstash-Retries: 1\n\nbody")
    ('/v2/publish/g', [('Upstash-Retries', '1')])
    """
    path: str | None = None
    headers: list[tuple[str, str]] = []
    curl = any(line.startswith("> ") for line in text.splitlines())
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if curl:
            if not line.startswith(">"):
                continue
            line = line[1:].lstrip(" ")
        if not line.strip():
            if headers or path is not None:
                break
            continue
        first = line.split(" ", 1)[0]
        if path is None and not headers and first in _METHODS:
            parts = line.split()
            if len(parts) < 2:
                msg = f"line {number}: expected 'METHOD /path', got {line!r}"
                raise _UsageError(msg)
            path = parts[1]
            continue
        name, colon, value = line.partition(":")
        if not colon:
            msg = f"line {number}: expected 'Name: value', got {line!r}"
            raise _UsageError(msg)
        headers.append((name.strip(), value.strip(" \t")))
    return path, headers


def _describe_scope(scope: MessageOptions | Callback, indent: str) -> list[str]:
    lines = []
    data = scope.model_dump(mode="json", exclude_defaults=True)
    fields = list(type(scope).model_fields)
    if "url" in fields:  # a callback: its URL first
        fields.insert(0, fields.pop(fields.index("url")))
    for field in fields:
        if field in ("callback", "failure_callback", "forward", "extra") or field not in data:
            continue
        value = data[field]
        if field == "flow_control":
            value = f"{value['key']}: {value['value']}"
        elif isinstance(value, list):
            value = ", ".join(value)
        lines.append(f"{indent}{field.replace('_', ' ')}: {value}")
    for title, headers in (("forwarded headers", scope.forward), ("unknown headers", scope.extra)):
        if headers:
            lines.append(f"{indent}{title}:")
            lines.extend(f"{indent}  {name}: {value}" for name, value in headers.items())
    for field in ("callback", "failure_callback"):
        child = getattr(scope, field)
        if child is not None:
            lines.append(f"{indent}{field.replace('_', ' ')}:")
            lines.extend(_describe_scope(child, indent + "  "))
    return lines


def _cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    path: str | None = args.path
    headers: list[tuple[str, str]] = []
    try:
        if args.file is not None or not args.header:
            source = args.file or "-"
            text = sys.stdin.read() if source == "-" else _read_file(source)
            file_path, headers = read_request_text(text)
            path = path or file_path
        for item in args.header:
            name, colon, value = item.partition(":")
            if not colon:
                msg = f"-H expects 'Name: value', got {item!r}"
                raise _UsageError(msg)
            headers.append((name.strip(), value))
    except (_UsageError, OSError) as error:
        print(f"qstash-protocol check: {error}", file=err)
        return EXIT_USAGE
    request: PublishRequest | None = None
    options: MessageOptions
    try:
        if path is not None:
            request = decode_request(path, headers, unknown=args.unknown)
            options = request.options
        else:
            options = decode_headers(headers, unknown=args.unknown)
    except InvalidHeaders as invalid:
        if args.json:
            print(json.dumps({"valid": False, **invalid.to_dict()}, indent=2), file=out)
        else:
            print(f"invalid: {invalid}", file=out)
        return EXIT_INVALID
    canonical = encode_headers(options)
    if args.json:
        document: dict[str, object] = {"valid": True}
        if request is not None:
            document["request"] = request.model_dump(mode="json", exclude_defaults=True)
            document["path"] = request.path
        else:
            document["options"] = options.model_dump(mode="json", exclude_defaults=True)
        document["headers"] = canonical
        print(json.dumps(document, indent=2), file=out)
        return EXIT_OK
    if request is not None:
        queue = f" via queue {request.queue}" if request.queue else ""
        target = "URL group" if request.destination.kind == "url_group" else "URL"
        print(f"valid {request.kind} request{queue} to {target} {request.destination}", file=out)
    else:
        print("valid headers", file=out)
    print("\n".join(_describe_scope(options, "  ") or ["  (no QStash settings)"]), file=out)
    print("canonical headers:", file=out)
    for name, value in canonical.items():
        print(f"  {name}: {value}", file=out)
    return EXIT_OK


def _read_file(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _cmd_schedule(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.retries < 0:
        print("qstash-protocol schedule: --retries must be 0 or more", file=err)
        return EXIT_USAGE
    try:
        if args.expression is None:
            delays = [default_backoff(n + 1, k=args.k) for n in range(args.retries)]
            label = f"default backoff min(86400, e ** ({args.k:g} * n)) s"
        else:
            expression = parse_retry_delay(args.expression)
            delays = expression.schedule(args.retries)
            label = str(expression)
    except ProtocolError as error:
        print(f"invalid retry delay: {error}", file=err)
        return EXIT_INVALID
    if args.json:
        rows = []
        total = 0.0
        for retried, delay in enumerate(delays):
            total += delay.total_seconds()
            rows.append({"retried": retried, "delay": delay.total_seconds(), "elapsed": total})
        print(json.dumps({"expression": label, "retries": rows}), file=out)
        return EXIT_OK
    print(f"{label}: {args.retries} retries", file=out)
    print(f"{'retry':>5}  {'delay':>16}  {'since first failure':>20}", file=out)
    elapsed = timedelta(0)
    for retried, delay in enumerate(delays):
        elapsed += delay
        print(
            f"{retried + 1:>5}  {format_duration(delay):>16}  {format_duration(elapsed):>20}",
            file=out,
        )
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qstash-protocol",
        description="Parse and check QStash request headers (no network, no I/O but yours).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser(
        "check",
        help="decode a request (an HTTP dump, curl -v output, or -H headers)",
        description="Decode a QStash publish/enqueue/schedule request and show what it means.",
    )
    check.add_argument("file", nargs="?", help="a file with the request, or - for stdin")
    check.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header, as curl takes it (repeatable)",
    )
    check.add_argument("--path", help="the request path, e.g. /v2/publish/https://example.com")
    check.add_argument(
        "--unknown",
        choices=("keep", "error"),
        default="keep",
        help="keep (default) or refuse Upstash- headers the library does not know",
    )
    check.add_argument("--json", action="store_true", help="print JSON for machines")
    check.set_defaults(handler=_cmd_check)

    schedule = commands.add_parser(
        "schedule",
        help="the delay before each retry for a retry-delay expression",
        description="Show the delay before each retry, and the time since the first failure.",
    )
    schedule.add_argument(
        "expression", nargs="?", help="an Upstash-Retry-Delay expression (default backoff if none)"
    )
    schedule.add_argument("--retries", type=int, default=5, help="how many retries (default 5)")
    schedule.add_argument(
        "-k",
        type=float,
        default=2.5,
        help="the default backoff's exponent factor (2.5 per the docs' table; older pages say 2)",
    )
    schedule.add_argument("--json", action="store_true", help="print JSON for machines")
    schedule.set_defaults(handler=_cmd_schedule)

    duration = commands.add_parser(
        "duration",
        help="parse a duration such as 1d10h30m",
        description="Parse a QStash duration (Upstash-Delay, Upstash-Timeout, a period).",
    )
    duration.add_argument("value", help="the duration, e.g. 50s or 1d10h30m")
    duration.add_argument(
        "--bare-seconds",
        action="store_true",
        help="also accept a bare whole number of seconds (as Upstash-Timeout does)",
    )
    duration.add_argument("--json", action="store_true", help="print JSON for machines")
    duration.set_defaults(handler=_cmd_duration)
    return parser


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` and return the exit status.

    >>> main(["duration", "1d10h30m"])
    seconds: 124200
    canonical: 1d10h30m
    0
    """
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    handler = args.handler
    output = _Output(out)
    status: int = handler(args, output, err)
    if output.broken and out is sys.stdout:
        # Python flushes stdout at exit, which would fail again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status


class _Output(io.TextIOBase):
    """Standard output that outlives its reader (``check ... | head``).

    The exit status still says whether the input was valid, instead of a BrokenPipeError
    traceback.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                self.broken = True
        return len(text)
