"""``qstash-protocol retry-schedule [EXPR] --retries N``: the delay before each retry.

Named ``retry-schedule`` so it is not taken for QStash's schedules (``Upstash-Cron``); the old
name ``schedule`` still works, hidden from ``--help``, and says it is deprecated on stderr.
"""

from __future__ import annotations

import argparse
import math
from datetime import timedelta
from typing import Any, Final, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliError, print_json
from qstash_protocol.errors import ProtocolError

__all__ = ["register", "run"]

#: The most rows the command prints: a longer table is not read by anyone, and --retries
#: 2147483647 (the largest the protocol allows) would otherwise run for hours.
MAX_ROWS: Final = 10_000
_NAME: Final = "retry-schedule"


def _usage(args: argparse.Namespace, out: TextIO, err: TextIO, message: str) -> int:
    if args.json:
        print_json(out, _NAME, valid=False, errors=[CliError(message, code="cli.usage")])
    else:
        print(f"qstash-protocol {args.command}: {message}", file=err)
    return EXIT_USAGE


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from qstash_protocol.values.retry_delay import (  # noqa: PLC0415 (on use: start-up)
        default_backoff,
        parse_retry_delay,
    )

    if args.command == "schedule":
        print(
            "qstash-protocol: 'schedule' is deprecated, use 'retry-schedule' (the same command)",
            file=err,
        )
    if args.retries < 0:
        return _usage(args, out, err, "--retries must be 0 or more")
    if args.retries > MAX_ROWS:
        return _usage(args, out, err, f"--retries must be at most {MAX_ROWS}, got {args.retries}")
    if not (math.isfinite(args.k) and args.k > 0):
        return _usage(args, out, err, f"-k must be a positive finite number, got {args.k!r}")
    try:
        if args.expression is None:
            delays = [default_backoff(n + 1, k=args.k) for n in range(args.retries)]
            label = f"default backoff min(86400, e ** ({args.k:g} * n)) s"
        else:
            expression = parse_retry_delay(args.expression)
            delays = expression.schedule(args.retries)
            label = str(expression)
        rows = _rows(delays, args.expression)
    except ProtocolError as error:
        if args.json:
            print_json(out, _NAME, valid=False, errors=[error])
        else:
            print(f"invalid retry delay: {error}", file=err)
        return EXIT_INVALID
    if args.json:
        retries = [
            {
                "retried": retried,
                "delay": delay.total_seconds(),
                "elapsed": total.total_seconds(),
                "delay_text": delay_text,
                "elapsed_text": elapsed_text,
            }
            for retried, (delay, total, delay_text, elapsed_text) in enumerate(rows)
        ]
        print_json(out, _NAME, valid=True, result={"expression": label, "retries": retries})
        return EXIT_OK
    print(f"{label}: {args.retries} retries", file=out)
    print(f"{'retry':>5}  {'delay':>16}  {'since first failure':>20}", file=out)
    for retried, (_, _, delay_text, elapsed_text) in enumerate(rows):
        print(f"{retried + 1:>5}  {delay_text:>16}  {elapsed_text:>20}", file=out)
    return EXIT_OK


def _rows(
    delays: list[timedelta], expression: str | None
) -> list[tuple[timedelta, timedelta, str, str]]:
    """Each delay, the time since the first failure, and both as durations."""
    from qstash_protocol.values.durations import format_duration  # noqa: PLC0415 (on use)

    rows: list[tuple[timedelta, timedelta, str, str]] = []
    elapsed = timedelta(0)
    for retried, delay in enumerate(delays):
        try:
            elapsed += delay
            rows.append((delay, elapsed, format_duration(delay), format_duration(elapsed)))
        except (OverflowError, ProtocolError):
            text = expression or "default backoff"
            message = (
                f"retry {retried + 1}: the delay or the time since the first failure is longer "
                "than the largest duration the server holds (about 292 years)"
            )
            raise CliError(
                message, code="cli.out_of_range", value=text, span=(0, len(text))
            ) from None
    return rows


def _register(commands: Any, name: str, **kwargs: Any) -> None:
    schedule = commands.add_parser(
        name,
        description="Show the delay before each retry, and the time since the first failure.",
        **kwargs,
    )
    schedule.add_argument(
        "expression", nargs="?", help="an Upstash-Retry-Delay expression (default backoff if none)"
    )
    schedule.add_argument(
        "--retries", type=int, default=5, help=f"how many retries (default 5, at most {MAX_ROWS})"
    )
    schedule.add_argument(
        "-k",
        type=float,
        default=2.5,
        help="the default backoff's exponent factor (2.5 per the docs' table; older pages say 2)",
    )
    schedule.add_argument("--json", action="store_true", help="print JSON for machines")
    schedule.set_defaults(handler=run)


def register(commands: Any) -> None:
    """Add ``retry-schedule`` (and its deprecated, hidden alias ``schedule``) to ``commands``."""
    _register(commands, _NAME, help="the delay before each retry for a retry-delay expression")
    _register(commands, "schedule")  # no help=: argparse leaves it out of the command list
