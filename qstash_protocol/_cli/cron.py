"""``qstash-protocol cron TEXT -n N [--after ISO]``: when QStash runs a cron schedule next."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any, Final, TextIO

from qstash_protocol._cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, CliError, print_json
from qstash_protocol.errors import ProtocolError

__all__ = ["register", "run"]


def _after(text: str | None) -> datetime | None:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # not ISO 8601, or before the year 1 in UTC
        return None


#: The most runs ``-n`` may ask for (a bound on the work, as ``MAX_SCHEDULE`` for retry delays).
MAX_RUNS: Final = 10_000


def _usage(args: argparse.Namespace, out: TextIO, err: TextIO, message: str) -> int:
    if args.json:
        print_json(out, "cron", valid=False, errors=[CliError(message, code="cli.usage")])
    else:
        print(f"qstash-protocol cron: {message}", file=err)
    return EXIT_USAGE


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from qstash_protocol.values.cron import parse_cron  # noqa: PLC0415 (on use: start-up)

    if not 1 <= args.n <= MAX_RUNS:
        return _usage(args, out, err, f"-n must be from 1 to {MAX_RUNS}, got {args.n}")
    after = _after(args.after)
    if after is None:
        return _usage(
            args,
            out,
            err,
            f"--after must be an ISO 8601 time such as 2024-10-26T12:00:00Z, got {args.after!r}",
        )
    try:
        schedule = parse_cron(args.expression, descriptors=args.descriptors)
    except ProtocolError as error:
        if args.json:
            print_json(out, "cron", valid=False, errors=[error])
        else:
            print(f"invalid cron expression: {error}", file=err)
        return EXIT_INVALID
    zone = schedule.tzinfo
    runs = schedule.next_runs(after, args.n)
    if args.json:
        rows = [
            {
                "local": run.astimezone(zone).isoformat(),
                "utc": run.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            }
            for run in runs
        ]
        result = {"canonical": str(schedule), "zone": schedule.zone, "runs": rows}
        print_json(out, "cron", valid=True, result=result)
        return EXIT_OK
    print(f"canonical: {schedule}", file=out)
    print(f"zone: {schedule.zone or 'UTC (no CRON_TZ=)'}", file=out)
    print(f"next runs after {after.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC:", file=out)
    for run in runs:
        local = run.astimezone(zone)
        print(
            f"  {local:%Y-%m-%d %H:%M %a} {local.strftime('%Z'):>5} ({local:%z})"
            f"  {run.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
            file=out,
        )
    if len(runs) < args.n:
        print("  no further run (robfig finds none within five years)", file=out)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add the ``cron`` subcommand to ``commands`` (an argparse sub-parsers action)."""
    cron = commands.add_parser(
        "cron",
        help="the next runs of an Upstash-Cron schedule",
        description="Show when QStash (robfig/cron v3) runs a cron schedule next, in its zone "
        "and in UTC.",
    )
    cron.add_argument(
        "expression", help="an Upstash-Cron value, e.g. 'CRON_TZ=Europe/Berlin 30 2 * * *'"
    )
    cron.add_argument(
        "-n", type=int, default=5, help=f"how many runs (default 5, at most {MAX_RUNS})"
    )
    cron.add_argument("--after", help="start after this ISO 8601 time (default now; naive is UTC)")
    cron.add_argument(
        "--descriptors", action="store_true", help="also accept @daily, @every 5m, ..."
    )
    cron.add_argument("--json", action="store_true", help="print JSON for machines")
    cron.set_defaults(handler=run)
