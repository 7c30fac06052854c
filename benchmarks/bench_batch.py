"""Time decode_batch on a 100-message batch against its parts done one by one.

Run: ``.venv/bin/python benchmarks/bench_batch.py``.

The peer is what a gateway would do without ``decode_batch``: ``json.loads`` of the body, then
``decode_request`` on each of the same 100 messages (their paths and header maps prepared
beforehand, so the peer does no JSON-to-request work at all). Both run in one process on the same
messages; the script checks first that both decode to the same requests (bodies aside).

The messages are the qstash-py SDK's batch items (``"queue": null``, ``"body": null`` when
absent), each with 9 headers: content type, method, retries, a retry-delay expression, a
callback, a delay, a deduplication id and timeout that differ per message, a forwarded request
id, and every fourth message goes to a queue. Target: ``decode_batch`` at most 1.2x the peer.

The measurement is taken three times (each the best of 7 interleaved runs of 200 calls); the
script prints each ratio and their spread.
"""

from __future__ import annotations

import json

from _turns import best_in_turns

from qstash_protocol import decode_batch, decode_request

COUNT = 100


def _items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for index in range(COUNT):
        queued = index % 4 == 0
        headers = {
            "Content-Type": "application/json",
            "Upstash-Method": "POST",
            "Upstash-Retries": str(index % 5),
            "Upstash-Retry-Delay": "pow(2, retried) * 1000",
            "Upstash-Callback": "https://cb.example.com/hook",
            "Upstash-Deduplication-Id": f"order-{index:05d}",
            "Upstash-Timeout": f"{10 + index % 50}s",
            "Upstash-Forward-X-Request-Id": f"req-{index}",
        }
        if not queued:
            headers["Upstash-Delay"] = f"{index % 60}s"
        items.append(
            {
                "destination": f"https://api.example.com/orders/{index}",
                "headers": headers,
                "body": json.dumps({"order": index, "items": [1, 2, 3]}),
                "queue": "orders" if queued else None,
            }
        )
    return items


def _requests(items: list[dict[str, object]]) -> list[tuple[str, dict[str, str]]]:
    out = []
    for item in items:
        queue = item["queue"]
        prefix = f"/v2/enqueue/{queue}/" if queue else "/v2/publish/"
        out.append((f"{prefix}{item['destination']}", item["headers"]))
    return out  # type: ignore[return-value]


def _once(body: bytes, requests: list[tuple[str, dict[str, str]]]) -> tuple[float, float]:
    def ours() -> object:
        return decode_batch(body)

    def peer() -> object:
        json.loads(body)
        return [decode_request(path, headers) for path, headers in requests]

    # In turns, so that a busy machine slows both alike; the best of 7 of each.
    ours_time, peer_time = best_in_turns([ours, peer], number=200)
    return ours_time, peer_time


def main() -> None:
    items = _items()
    body = json.dumps(items).encode()
    requests = _requests(items)
    decoded = decode_batch(body)
    alone = [decode_request(path, headers) for path, headers in requests]
    if [request.model_copy(update={"body": None}) for request in decoded] != alone:
        raise SystemExit("decode_batch and decode_request disagree")
    print(f"a batch of {COUNT} messages, {len(body)} bytes")
    ratios = []
    for run in range(1, 4):
        ours_time, peer_time = _once(body, requests)
        ratio = ours_time / peer_time
        ratios.append(ratio)
        print(
            f"run {run}: decode_batch {ours_time * 1e3:.3f} ms, json.loads + {COUNT}x "
            f"decode_request {peer_time * 1e3:.3f} ms, ratio {ratio:.3f}"
        )
    print(
        f"ratio (target <= 1.2): min {min(ratios):.3f}, max {max(ratios):.3f}, "
        f"spread {max(ratios) - min(ratios):.3f}"
    )


if __name__ == "__main__":
    main()
