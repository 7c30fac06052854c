"""Time ``parse_duration`` against ``pytimeparse.parse`` in one process.

Run: ``.venv/bin/python benchmarks/bench_durations.py`` (needs the ``test`` extra for pytimeparse).

Two workloads, as issue 2 asks:

- *repeated*: each of ``50s``, ``1d10h30m``, ``10h``, ``1d1h30m15s`` parsed over and over. This is
  what a gateway sees all day, and the bounded result cache answers it. Target: >= 5x pytimeparse.
- *distinct*: a stream of 20,000 distinct compound values, each parsed once per pass. The stream is
  larger than the result cache, so every call is a cache miss (and pays for the cache insert):
  target >= 3x pytimeparse.

Both sides produce an equivalent result (``timedelta`` vs seconds), and the script checks that
they agree before timing anything.
"""

from __future__ import annotations

import random
import sys
import timeit
from collections.abc import Callable
from datetime import timedelta

from pytimeparse import parse as pytimeparse_parse

from qstash_protocol import parse_duration

REPEATED = ["50s", "1d10h30m", "10h", "1d1h30m15s"]


def distinct_stream(count: int, seed: int = 7) -> list[str]:
    """Distinct compound durations with 2 to 4 parts, largest unit first."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        parts = []
        for unit, limit in (("d", 30), ("h", 23), ("m", 59), ("s", 59)):
            if rng.random() < 0.7:
                parts.append(f"{rng.randint(1, limit)}{unit}")
        if len(parts) >= 2:
            seen.add("".join(parts))
    return sorted(seen, key=lambda _: rng.random())


def best_per_call(func: Callable[[], object], calls_per_run: int, repeat: int = 7) -> float:
    """Best seconds per call over ``repeat`` runs (the usual timeit discipline)."""
    runs = timeit.repeat(func, number=1, repeat=repeat)
    return min(runs) / calls_per_run


def check_agreement(texts: list[str]) -> None:
    for text in texts:
        ours = parse_duration(text)
        theirs = pytimeparse_parse(text)
        if theirs is None or ours != timedelta(seconds=theirs):
            sys.exit(f"disagreement on {text!r}: {ours!r} vs {theirs!r}")


def main() -> None:
    stream = distinct_stream(20_000)
    check_agreement(REPEATED + stream[:2_000])

    print(f"{'workload':<28}{'qstash_protocol':>18}{'pytimeparse':>15}{'ratio':>9}")
    n = 20_000
    for text in REPEATED:

        def ours(text: str = text) -> None:
            for _ in range(n):
                parse_duration(text)

        def theirs(text: str = text) -> None:
            for _ in range(n):
                pytimeparse_parse(text)

        a, b = best_per_call(ours, n), best_per_call(theirs, n)
        print(f"{'repeated ' + text:<28}{a * 1e9:>15.0f} ns{b * 1e9:>12.0f} ns{b / a:>8.1f}x")

    def ours_stream() -> None:
        for text in stream:
            parse_duration(text)

    def theirs_stream() -> None:
        for text in stream:
            pytimeparse_parse(text)

    a, b = best_per_call(ours_stream, len(stream)), best_per_call(theirs_stream, len(stream))
    label = f"distinct x{len(stream)}"
    print(f"{label:<28}{a * 1e9:>15.0f} ns{b * 1e9:>12.0f} ns{b / a:>8.1f}x")


if __name__ == "__main__":
    main()
