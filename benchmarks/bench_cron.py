"""Time ``CronSchedule.next_runs(after, 100)`` against croniter's ``get_next`` x 100, one process.

Run: ``.venv/bin/python benchmarks/bench_cron.py`` (needs the ``test`` extra for croniter).

For each expression, both sides start from the same instant and produce the next 100 runs:

- ours: ``parse_cron(text).next_runs(after, 100)`` (the parse is a cache hit);
- croniter: ``croniter(text, after)`` then ``get_next(datetime)`` 100 times (a croniter object
  is a stateful iterator, so each pass builds one; building it is a small part of the cost).

Before timing, the script checks that both give the same 100 runs for the expressions in UTC
(croniter and robfig agree there; in zones with daylight saving time they differ, which is why
the library does not use croniter). Targets (issue 13): ``next_runs`` at least 3x faster, and a
cached ``parse_cron`` under 1 microsecond.
"""

from __future__ import annotations

import statistics
import sys
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from croniter import croniter

from qstash_protocol import parse_cron

AFTER = datetime(2024, 1, 15, 10, 30, tzinfo=UTC)
BERLIN = datetime(2024, 1, 15, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))

#: (expression for us, expression for croniter, start instant)
CASES = [
    ("*/5 * * * *", "*/5 * * * *", AFTER),
    ("0 * * * *", "0 * * * *", AFTER),
    ("30 9 * * MON-FRI", "30 9 * * MON-FRI", AFTER),
    ("0 0 * * *", "0 0 * * *", AFTER),
    ("15,45 */2 * * *", "15,45 */2 * * *", AFTER),
    ("0 0 1 * *", "0 0 1 * *", AFTER),
    ("0 12 1 1,7 *", "0 12 1 1,7 *", AFTER),
    ("CRON_TZ=Europe/Berlin 30 2 * * *", "30 2 * * *", BERLIN),
    ("CRON_TZ=Europe/Berlin */10 * * * *", "*/10 * * * *", BERLIN),
]
RUNS = 100


def best_per_call(func: Callable[[], object], calls_per_run: int, repeat: int = 5) -> float:
    """Best seconds per call over ``repeat`` runs (the usual timeit discipline)."""
    return min(timeit.repeat(func, number=calls_per_run, repeat=repeat)) / calls_per_run


def ours(text: str, after: datetime) -> list[datetime]:
    return parse_cron(text).next_runs(after, RUNS)


def theirs(text: str, after: datetime) -> list[datetime]:
    iterator = croniter(text, after)
    return [iterator.get_next(datetime) for _ in range(RUNS)]


def check_agreement() -> None:
    for text, peer, after in CASES:
        if text.startswith("CRON_TZ="):
            continue
        if ours(text, after) != theirs(peer, after):
            sys.exit(f"disagreement on {text!r}")


def main() -> None:
    check_agreement()
    ratios = []
    print(f"next {RUNS} runs, best of 5 (microseconds per {RUNS} runs)")
    print(f"{'expression':38} {'ours':>9} {'croniter':>9} {'ratio':>7}")
    for text, peer, after in CASES:
        mine = best_per_call(lambda t=text, a=after: ours(t, a), 20)
        other = best_per_call(lambda t=peer, a=after: theirs(t, a), 5)
        ratios.append(other / mine)
        print(f"{text:38} {mine * 1e6:9.0f} {other * 1e6:9.0f} {other / mine:6.1f}x")
    print(f"geometric mean ratio: {statistics.geometric_mean(ratios):.1f}x (target >= 3x)")
    parse_cron("30 9 * * MON-FRI")
    cached = best_per_call(lambda: parse_cron("30 9 * * MON-FRI"), 200_000)
    print(f"cached parse_cron: {cached * 1e9:.0f} ns (target < 1000 ns)")


if __name__ == "__main__":
    main()
