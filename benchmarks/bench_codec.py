"""Time decode_headers and encode_headers against the official SDK's prepare_headers.

Run: ``.venv/bin/python benchmarks/bench_codec.py`` (needs the ``test`` extra for ``qstash``).

The workload is a typical publish request of 13 headers (issue 5): content type, method, two
forwarded headers, retries, a retry-delay expression, callback and failure-callback URLs, delay,
deduplication id, timeout and a flow-control key and value. ``prepare_headers`` builds that map
from keyword arguments and validates nothing; ``encode_headers`` builds it from a validated
``MessageOptions``; ``decode_headers`` parses and validates it into one. All three run in one
process; the script checks first that the three agree on the headers.

Targets: encode within 2x of prepare_headers, decode within 8x.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

from qstash.message import prepare_headers

from qstash_protocol import decode_headers, encode_headers

SDK_ARGUMENTS = {
    "content_type": "application/json",
    "method": "POST",
    "headers": {"X-Api-Key": "k", "Authorization": "Bearer t"},
    "callback_headers": None,
    "failure_callback_headers": None,
    "retries": 3,
    "retry_delay": "pow(2, retried) * 1000",
    "callback": "https://cb.example.com/hook",
    "failure_callback": "https://fcb.example.com/hook",
    "delay": "10s",
    "not_before": None,
    "deduplication_id": "order-1234",
    "content_based_deduplication": None,
    "timeout": "30s",
    "flow_control": {"key": "tenant-1", "parallelism": 5, "rate": 10, "period": "1m"},
    "label": None,
    "redact": None,
}


def per_call(func: Callable[[], object], number: int = 20_000, repeat: int = 7) -> float:
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def main() -> None:
    headers = prepare_headers(**SDK_ARGUMENTS)  # type: ignore[arg-type]
    options = decode_headers(headers)
    if sorted(encode_headers(options).items()) != sorted(headers.items()):
        raise SystemExit("the SDK and the library disagree on the headers")
    assert decode_headers(encode_headers(options)) == options

    sdk = per_call(lambda: prepare_headers(**SDK_ARGUMENTS))  # type: ignore[arg-type]
    encode = per_call(lambda: encode_headers(options))
    decode = per_call(lambda: decode_headers(headers))
    print(f"{len(headers)} headers")
    print(f"{'prepare_headers (qstash SDK)':<32}{sdk * 1e6:>8.2f} us")
    print(f"{'encode_headers':<32}{encode * 1e6:>8.2f} us   {encode / sdk:>5.2f}x the SDK (<= 2)")
    print(f"{'decode_headers':<32}{decode * 1e6:>8.2f} us   {decode / sdk:>5.2f}x the SDK (<= 8)")


if __name__ == "__main__":
    main()
