"""``qstash-protocol schedule [EXPR] --retries N``: the delay before each retry."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import Any, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from qstash_protocol.errors import ProtocolError
from qstash_protocol.values.durations import format_duration
from qstash_protocol.values.retry_delay import default_backoff, parse_retry_delay

__all__ = ["register", "run"]


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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


def register(commands: Any) -> None:
    """Add the ``schedule`` subcommand to ``commands`` (an argparse sub-parsers action)."""
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
    schedule.set_defaults(handler=run)
