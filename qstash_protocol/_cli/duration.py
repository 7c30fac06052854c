"""``qstash-protocol duration VALUE``: a QStash duration's seconds and canonical form."""

from __future__ import annotations

import argparse
import re
from typing import Any, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, print_json
from qstash_protocol.errors import ProtocolError

__all__ = ["register", "run"]


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if seconds == int(seconds) else repr(seconds)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from qstash_protocol.values.durations import (  # noqa: PLC0415 (on use: start-up)
        format_duration,
        parse_duration,
    )

    try:
        value = parse_duration(args.value, allow_bare_seconds=args.bare_seconds)
    except ProtocolError as error:
        if args.json:
            print_json(out, "duration", valid=False, errors=[error])
        else:
            print(f"invalid duration: {error}", file=err)
        return EXIT_INVALID
    seconds = value.total_seconds()
    canonical = format_duration(value)
    if args.json:
        result = {"seconds": seconds, "canonical": canonical}
        print_json(out, "duration", valid=True, result=result)
    else:
        print(f"seconds: {_seconds_text(seconds)}", file=out)
        print(f"canonical: {canonical}", file=out)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add the ``duration`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    duration = commands.add_parser(
        "duration",
        help="parse a duration such as 1d10h30m",
        description="Parse a QStash duration (Upstash-Delay, Upstash-Timeout, a period).",
    )
    # A value starting with '-' ('-5s') is the (negative, refused) duration, not an option:
    # argparse reads only '-5' and '-.5' as negative numbers unless told otherwise.
    duration._negative_number_matcher = re.compile(r"^-[\d.]")
    duration.add_argument("value", help="the duration, e.g. 50s or 1d10h30m")
    duration.add_argument(
        "--bare-seconds",
        action="store_true",
        help="also accept a bare whole number of seconds (as Upstash-Timeout does)",
    )
    duration.add_argument("--json", action="store_true", help="print JSON for machines")
    duration.set_defaults(handler=run)
