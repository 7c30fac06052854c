"""Time callback parsing and the retry decision against their peers, in one process.

Run: ``.venv/bin/python benchmarks/bench_callbacks.py``.

- ``parse_callback`` on the callbacks page's payload (its ``sourceBody`` typo fixed), against
  (a) what the Upstash Workflow SDKs do with a callback body, ``json.loads`` and
  ``base64.b64decode`` of the two bodies, validating nothing, and (b) a plain pydantic model of
  the same fields with ``Base64Bytes`` and ``model_validate_json``, validating the types only
  (no header checks, one spelling of each field).
- The same with 4 KiB response and message bodies.
- ``parse_retry_after`` on seconds, a duration and an HTTP date, against a hand-written reader
  (``int()``, else ``email.utils.parsedate_to_datetime``; it reads no durations and checks
  nothing).
- ``next_attempt`` for a failed attempt with a ``Retry-After`` header, alone (no peer exists).

Each pair is checked to agree before it is timed; times are the best of 7 runs.
"""

from __future__ import annotations

import base64
import email.utils
import json
import timeit
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import Base64Bytes, BaseModel

from qstash_protocol import MessageOptions, next_attempt, parse_callback, parse_retry_after

DOCS_PAYLOAD = {
    "status": 200,
    "header": {"key": ["value"]},
    "body": "YmFzZTY0IGVuY29kZWQgcm9keQ==",
    "retried": 2,
    "maxRetries": 3,
    "sourceMessageId": "msg_xxx",
    "topicName": "myTopic",
    "endpointName": "myEndpoint",
    "url": "http://myurl.com",
    "method": "GET",
    "sourceHeader": {"key": "value"},
    "sourceBody": "YmFzZTY0IGVuY29kZWQgcm9keQ==",
    "notBefore": "1701198458025",
    "createdAt": "1701198447054",
    "scheduleId": "scd_xxx",
    "callerIP": "178.247.74.179",
}


class PlainPayload(BaseModel):
    status: int
    header: dict[str, list[str] | str] = {}
    body: Base64Bytes = b""
    retried: int = 0
    maxRetries: int | None = None  # noqa: N815 - the JSON name
    sourceMessageId: str | None = None  # noqa: N815
    topicName: str | None = None  # noqa: N815
    endpointName: str | None = None  # noqa: N815
    url: str | None = None
    method: str | None = None
    sourceHeader: dict[str, list[str] | str] = {}  # noqa: N815
    sourceBody: Base64Bytes = b""  # noqa: N815
    notBefore: int | None = None  # noqa: N815
    createdAt: int | None = None  # noqa: N815
    scheduleId: str | None = None  # noqa: N815
    callerIP: str | None = None  # noqa: N815


def sdk_style(text: str) -> tuple[bytes, bytes]:
    data = json.loads(text)
    return base64.b64decode(data["body"]), base64.b64decode(data["sourceBody"])


def hand_written_retry_after(value: str, now: datetime) -> timedelta:
    if value.isdigit():
        return timedelta(seconds=int(value))
    return max(timedelta(0), email.utils.parsedate_to_datetime(value) - now)


def best(func: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(func, number=number, repeat=7)) / number


def row(name: str, ours: float, peers: dict[str, float]) -> None:
    """One line: our time, each peer's, and ours / peer (above 1: we are slower)."""
    ratios = " | ".join(
        f"{peer} {time * 1e6:7.2f} us, ours/peer {ours / time:5.2f}" for peer, time in peers.items()
    )
    print(f"{name:<36} ours {ours * 1e6:8.2f} us | {ratios}")


def bench_payloads() -> None:
    small = json.dumps(DOCS_PAYLOAD)
    large_body = base64.b64encode(bytes(range(256)) * 16).decode()
    large = json.dumps({**DOCS_PAYLOAD, "body": large_body, "sourceBody": large_body})
    for name, text in (
        ("parse_callback (docs payload)", small),
        ("parse_callback (4 KiB bodies)", large),
    ):
        payload = parse_callback(text)
        assert (payload.body, payload.source_body) == sdk_style(text)
        plain = PlainPayload.model_validate_json(text)
        assert (plain.body, plain.sourceBody) == (payload.body, payload.source_body)
        ours = best(lambda text=text: parse_callback(text), 2000)
        row(
            name,
            ours,
            {
                "json+b64decode": best(lambda text=text: sdk_style(text), 2000),
                "pydantic model": best(
                    lambda text=text: PlainPayload.model_validate_json(text), 2000
                ),
            },
        )


def bench_retry_after() -> None:
    now = datetime(2024, 6, 27, 12, 0, tzinfo=UTC)
    for value in ("120", "Thu, 27 Jun 2024 12:16:24 GMT"):
        assert parse_retry_after(value, now=now) == hand_written_retry_after(value, now)
        row(
            f"parse_retry_after({value[:12]!r})",
            best(lambda value=value: parse_retry_after(value, now=now), 20000),
            {"hand-written": best(lambda value=value: hand_written_retry_after(value, now), 20000)},
        )
    row("parse_retry_after('6m5s')", best(lambda: parse_retry_after("6m5s", now=now), 20000), {})


def bench_next_attempt() -> None:
    now = datetime(2024, 6, 27, 12, 0, tzinfo=UTC)
    options = MessageOptions(retries=3, callback={"url": "https://example.com/cb"})
    headers = {"Content-Type": "text/plain", "Retry-After": "30"}
    call = lambda: next_attempt(  # noqa: E731
        options, retried=1, status=429, response_headers=headers, now=now
    )
    assert call().delay == timedelta(seconds=30)
    row("next_attempt (429 + Retry-After)", best(call, 20000), {})
    backoff = lambda: next_attempt(options, retried=1, status=500, now=now)  # noqa: E731
    row("next_attempt (500, default backoff)", best(backoff, 20000), {})


def main() -> None:
    bench_payloads()
    bench_retry_after()
    bench_next_attempt()


if __name__ == "__main__":
    main()
