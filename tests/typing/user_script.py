"""A user's script, checked by plain ``mypy --strict`` and ``pyright --strict`` (no plugin).

It uses the models the way the README documents them: settings given as their header text or
their typed values, attributes read back as the canonical types. tests/test_typing.py runs both
checkers on it; CI runs that test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from qstash_protocol import (
    Callback,
    FlowControl,
    InvalidHeaders,
    MessageOptions,
    OrphanScope,
    ProtocolError,
    PublishRequest,
    RetryDelay,
    decode_headers,
    encode_headers,
    parse_retry_delay,
)


def build() -> MessageOptions:
    """Every way the README builds options."""
    delay: RetryDelay = parse_retry_delay("pow(2, retried) * 1000")
    return MessageOptions(
        retries=3,
        delay="1m",
        timeout=timedelta(seconds=30),
        method="put",
        retry_delay=delay,
        not_before=datetime(2030, 1, 1, tzinfo=UTC),
        flow_control=FlowControl(key="tenant-1", value="rate=10"),
        labels=("billing", "eu"),
        content_based_deduplication=True,
        forward={"X-Api-Key": "k"},
        callback=Callback(url="https://cb.example/hook", retries="2", delay=timedelta(0)),
        failure_callback={"url": "https://cb.example/failed", "retries": 1},
        orphan_callback=None,
        content_type="application/json",
    )


def orphan() -> MessageOptions:
    return MessageOptions(orphan_failure_callback=OrphanScope(forward=[("X-Run", "1")]))


def read(options: MessageOptions) -> tuple[int, float, str]:
    """Attributes come back typed: no casts, no plugin."""
    retries: int = options.retries if options.retries is not None else 0
    seconds: float = options.delay.total_seconds() if options.delay is not None else 0.0
    key: str = options.forward["X-Api-Key"]
    if options.callback is not None:
        url: str = options.callback.url
        key += url
    return retries, seconds, key


def round_trip(options: MessageOptions) -> bool:
    headers: dict[str, str] = encode_headers(options)
    try:
        again = decode_headers(headers)
    except InvalidHeaders as error:
        print([e.code for e in error.errors])
        return False
    return again == options


def refused() -> str | None:
    try:
        MessageOptions(retries="x")
    except ProtocolError as error:
        return error.code
    return None


def request() -> str:
    return PublishRequest(kind="publish", destination="my-group", options=build()).path


if __name__ == "__main__":
    options = build()
    print(read(options), round_trip(options), refused(), request(), orphan())
