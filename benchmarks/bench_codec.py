"""Time decode_headers and encode_headers against the official SDK's prepare_headers.

Run: ``.venv/bin/python benchmarks/bench_codec.py`` (needs the ``test`` extra for ``qstash``).

The workload is a typical publish request of 13 headers (issue 5): content type, method, two
forwarded headers, retries, a retry-delay expression, callback and failure-callback URLs, delay,
deduplication id, timeout and a flow-control key and value. ``prepare_headers`` builds that map
from keyword arguments and validates nothing; ``encode_headers`` builds it from a validated
``MessageOptions``; ``decode_headers`` parses and validates it into one. All three run in one
process, taking turns within every repeat; the script checks first that the three agree on the
headers.

Targets (issue 16): encode within 1.5x of prepare_headers, decode within 4x.

Two workloads: the same request over and over (the library's value caches are warm, as they are
for the settings a gateway sees all day), and a stream of 10,000 requests that differ in their
deduplication id and a forwarded request id (values no cache has seen, as in real traffic).
"""

from __future__ import annotations

from _turns import best_in_turns
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


def main() -> None:
    headers = prepare_headers(**SDK_ARGUMENTS)  # type: ignore[arg-type]
    options = decode_headers(headers)
    if sorted(encode_headers(options).items()) != sorted(headers.items()):
        raise SystemExit("the SDK and the library disagree on the headers")
    assert decode_headers(encode_headers(options)) == options

    sdk, encode, decode = best_in_turns(
        [
            lambda: prepare_headers(**SDK_ARGUMENTS),  # type: ignore[arg-type]
            lambda: encode_headers(options),
            lambda: decode_headers(headers),
        ],
        number=20_000,
    )
    print(f"{len(headers)} headers, the same request repeated")
    print(f"{'prepare_headers (qstash SDK)':<32}{sdk * 1e6:>8.2f} us")
    print(f"{'encode_headers':<32}{encode * 1e6:>8.2f} us   {encode / sdk:>5.2f}x the SDK (<= 1.5)")
    print(f"{'decode_headers':<32}{decode * 1e6:>8.2f} us   {decode / sdk:>5.2f}x the SDK (<= 4)")

    count = 10_000
    arguments = [
        {
            **SDK_ARGUMENTS,
            "deduplication_id": f"order-{n}",
            "headers": {"X-Api-Key": "k", "X-Request-Id": f"req-{n:08x}"},
        }
        for n in range(count)
    ]
    requests = [prepare_headers(**a) for a in arguments]  # type: ignore[arg-type]
    models = [decode_headers(h) for h in requests]

    def sdk_stream() -> None:
        for a in arguments:
            prepare_headers(**a)  # type: ignore[arg-type]

    def encode_stream() -> None:
        for model in models:
            encode_headers(model)

    def decode_stream() -> None:
        for h in requests:
            decode_headers(h)

    sdk, encode, decode = (
        seconds / count for seconds in best_in_turns([sdk_stream, encode_stream, decode_stream], 1)
    )
    print(f"{len(requests[0])} headers, {count} requests with distinct ids")
    print(f"{'prepare_headers (qstash SDK)':<32}{sdk * 1e6:>8.2f} us")
    print(f"{'encode_headers':<32}{encode * 1e6:>8.2f} us   {encode / sdk:>5.2f}x the SDK (<= 1.5)")
    print(f"{'decode_headers':<32}{decode * 1e6:>8.2f} us   {decode / sdk:>5.2f}x the SDK (<= 4)")


if __name__ == "__main__":
    main()
