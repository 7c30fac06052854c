"""The ``qstash-protocol`` command line (also ``python -m qstash_protocol``).

Subcommands:

- ``duration VALUE``: parse a QStash duration, print its length in seconds and its canonical form.

Exit status: 0 when the input is valid, 1 when it is invalid (the error is printed with a caret
under the offending characters), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from qstash_protocol.durations import format_duration, parse_duration
from qstash_protocol.errors import ProtocolError

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qstash-protocol",
        description="Parse and check QStash request headers (no network, no I/O but yours).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

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
    status: int = handler(args, out, err)
    return status
