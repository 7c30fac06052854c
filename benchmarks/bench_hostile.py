"""Time the answer to hostile inputs: each must be answered (accepted or refused) in under 5 ms.

Run: ``python benchmarks/bench_hostile.py``. No peer: the bound is absolute (issue 16). Each
input is timed cold (the caches cleared before each try; best of 5) and, for the retry delay,
repeated (the second time a refused text is seen, against a cache hit of an accepted one).
Also shows that combining a repeated header is linear: decode_headers at 100 and 1,000 copies
(MAX_HEADERS is 1,000), and a ``Headers`` map built in code at 1,000 to 100,000 copies.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(__file__))
from _caches import clear_caches

from qstash_protocol import (
    Headers,
    ProtocolError,
    decode_headers,
    decode_request,
    parse_cron,
    parse_duration,
    parse_retry_delay,
)

KiB = 1024
MiB = KiB * KiB


def answer(call: Callable[[], object]) -> None:
    with contextlib.suppress(ProtocolError):
        call()


def cold(call: Callable[[], object], tries: int = 5) -> float:
    best = float("inf")
    for _ in range(tries):
        clear_caches()
        start = time.perf_counter()
        answer(call)
        best = min(best, time.perf_counter() - start)
    return best


def warm(call: Callable[[], object], number: int = 10_000) -> float:
    answer(call)
    start = time.perf_counter()
    for _ in range(number):
        answer(call)
    return (time.perf_counter() - start) / number


def main() -> None:
    # The inputs are built first: only the answer is timed.
    big = "1" * (100 * MiB)
    sums = "+".join(["1"] * 128)  # 255 tokens, accepted (MAX_RETRY_DELAY_TOKENS is 256)
    sums_of_retried = "+".join(["retried"] * 128)  # the same, not folded
    parens = "(" * KiB
    duration = "9" * MiB + "s"
    cron = "1," * (MiB // 2) + "1 * * * *"
    long_name = [("Upstash-" + "x" * 256 * KiB, "v")]
    long_value = [("Upstash-Forward-X", "v" * MiB)]
    unknown = [(f"Upstash-Unknown-{n}", "v") for n in range(1000)]
    forwarded = [(f"Upstash-Forward-X-{n}", "v") for n in range(1000)]
    path = "/v2/publish/https://example.com?" + "a=1&" * (MiB // 4)
    hostile: dict[str, Callable[[], object]] = {
        "retry delay, 100 MB": lambda: parse_retry_delay(big),
        "retry delay, 255 tokens 1+1+... (accepted)": lambda: parse_retry_delay(sums),
        "retry delay, 255 tokens retried+... (accepted)": lambda: parse_retry_delay(
            sums_of_retried
        ),
        "retry delay, 1 KiB of '('": lambda: parse_retry_delay(parens),
        "duration, 1 MB": lambda: parse_duration(duration),
        "cron, 1 MB": lambda: parse_cron(cron),
        "header name, 256 KiB": lambda: decode_headers(long_name),
        "header value, 1 MB forwarded": lambda: decode_headers(long_value),
        "1,000 distinct unknown Upstash- headers": lambda: decode_headers(unknown),
        "1,000 distinct forwarded headers": lambda: decode_headers(forwarded),
        "path, 1 MB query": lambda: decode_request(path, []),
    }
    print(f"{'hostile input':<48}{'cold':>10}")
    for name, call in hostile.items():
        seconds = cold(call)
        mark = "ok" if seconds < 0.005 else "OVER 5 ms"
        print(f"{name:<48}{seconds * 1e3:>8.2f} ms  {mark}")

    refused = "1000 * (1 + retries)"
    accepted = "1000 * (1 + retried)"
    refused_time = warm(lambda: parse_retry_delay(refused)) * 1e6
    accepted_time = warm(lambda: parse_retry_delay(accepted)) * 1e6
    print(
        f"\nretry delay seen before: refused {refused_time:.2f} us (a new exception each time), "
        f"accepted (cache hit) {accepted_time:.2f} us"
    )

    print("\nrepeated header (1,000-byte value): time per copy (decode_headers takes MAX_HEADERS)")
    for copies in (100, 1_000):
        headers = [("Upstash-Forward-X-Trace", "v" * 1000)] * copies
        seconds = cold(lambda headers=headers: decode_headers(headers), tries=3)
        each = seconds / copies * 1e6
        print(f"decode_headers {copies:>9,} copies {seconds * 1e3:>9.2f} ms  {each:>6.2f} us each")
    for copies in (1_000, 10_000, 100_000):
        pairs = [("X-Trace", "v" * 1000)] * copies
        seconds = cold(lambda pairs=pairs: Headers(pairs), tries=3)
        each = seconds / copies * 1e6
        print(f"Headers        {copies:>9,} copies {seconds * 1e3:>9.2f} ms  {each:>6.2f} us each")


if __name__ == "__main__":
    main()
