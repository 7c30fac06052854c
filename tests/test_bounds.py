"""Bounds under hostile or unique input: caches bounded in bytes, no quadratic paths (issue 16).

Each cached function is fed many distinct inputs (cheap ones a million times; the costlier ones
many times their cache's entry count, past which a bounded cache cannot grow), then, traced by
``tracemalloc``, twice its cache's entry count of further distinct inputs and a few hundred large
ones. Every entry the caches hold afterwards was made while traced, so the memory still traced
once the inputs are gone is what the caches keep, and it must stay under a stated bound.
Nothing here asserts a timing: the costs are measured in ``benchmarks/bench_hostile.py``.
"""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from qstash_protocol import (
    MAX_SCHEDULE,
    Headers,
    InvalidRetryDelay,
    MessageOptions,
    ProtocolError,
    decode_headers,
    decode_request,
    encode_headers,
    parse_callback,
    parse_cron,
    parse_duration,
    parse_flow_control_value,
    parse_redact_fields,
    parse_retry_delay,
    sign,
)

MiB = 1 << 20
LARGE = 256 * 1024  # a 256 KiB header name or value


def retained(bulk: Callable[[], None], feed: Callable[[], None]) -> int:
    """Bytes still allocated after ``bulk`` ran untraced and ``feed`` traced (inputs gone)."""
    bulk()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        feed()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def swallow(call: Callable[[], object]) -> None:
    with contextlib.suppress(ProtocolError):
        call()


def batches(count: int, size: int) -> Iterator[range]:
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


def test_header_name_cache_is_bounded_in_bytes() -> None:
    def bulk() -> None:
        for batch in batches(1_000_000, 1000):  # a million distinct names, MAX_HEADERS a request
            decode_headers([(f"X-Unique-{n}", "v") for n in batch])

    def feed() -> None:
        for batch in batches(8192, 1000):
            decode_headers([(f"Upstash-Forward-X-{n}", "v") for n in batch])
        for n in range(300):  # refused when longer than MAX_HEADER_NAME_LENGTH, or not kept
            for size in (1000, LARGE):
                headers = [(f"X-{n}-" + "a" * size, "v"), (f"Upstash-X{n}" + "b" * size, "v")]
                swallow(lambda headers=headers: decode_headers(headers))

    assert retained(bulk, feed) < 8 * MiB  # 4096 names of at most 256 characters, and their entries


def test_plan_cache_is_bounded_in_bytes() -> None:
    def shape(n: int, width: int) -> list[tuple[str, str]]:
        # 16 forwarded headers: a request the decoder plans, names of about ``width`` characters
        return [(f"Upstash-Forward-X-{n}-{i}-" + "a" * width, "v") for i in range(16)]

    def decode_often(n: int, width: int) -> None:
        headers = shape(n, width)
        for _ in range(2):  # the plan is made the first time, and used the second
            decode_headers(headers)
            decode_request("/v2/publish/g", headers)

    def bulk() -> None:
        for n in range(10_000, 13_000):  # other names than feed's
            decode_often(n, 200)

    def feed() -> None:
        for n in range(4096):
            decode_often(n, 200)  # 16 x ~230 characters: under the 4096 of names kept a shape
        for n in range(300):
            decode_often(n, 900)  # names too long in all: never kept

    # 1024 shapes of at most 4096 characters of names and their plans, and the names' own cache
    assert retained(bulk, feed) < 12 * MiB


def test_path_cache_is_bounded_in_bytes() -> None:
    def bulk() -> None:
        for n in range(20_000):
            decode_request(f"/v2/publish/https://example.com/{n}", {})

    def feed() -> None:
        for n in range(8192):
            decode_request(f"/v2/publish/https://example.com/{n}/" + "p" * 900, {})
        for n in range(300):  # valid, but longer than kept
            decode_request(f"/v2/publish/https://example.com/{n}/" + "p" * 2000, {})

    # 4096 paths of at most 1024 characters, and their destinations
    assert retained(bulk, feed) < 16 * MiB


def test_header_value_caches_are_bounded_in_bytes() -> None:
    def bulk() -> None:
        for n in range(40_000):
            decode_headers([("Upstash-Delay", f"{n}s"), ("Upstash-Retries", f"{n}")])

    def feed() -> None:
        for n in range(8192):
            decode_headers([("Upstash-Delay", f"{n}s"), ("Upstash-Retries", f"{n}")])
        for n in range(300):
            headers = [
                ("Upstash-Timeout", f"{n}{'0' * LARGE}s"),
                ("Upstash-Flow-Control-Key", "k"),
                ("Upstash-Flow-Control-Value", f"rate={n}" + " " * LARGE),
                ("Upstash-Redact-Fields", "body," * (LARGE // 5)),
                ("Upstash-Retry-Delay", f"{n}" + "+1" * LARGE),
                ("Upstash-Callback", f"https://example.com/{n}/" + "p" * LARGE),
                ("Upstash-Deduplication-Id", f"{n}" + "d" * LARGE),
            ]
            swallow(lambda headers=headers: decode_headers(headers))

    assert retained(bulk, feed) < 16 * MiB


@pytest.mark.parametrize("bare", [False, True])
def test_duration_cache_is_bounded_in_bytes(bare: bool) -> None:
    def bulk() -> None:
        for n in range(200_000 if bare else 1_000_000):
            parse_duration(f"{n}s", allow_bare_seconds=bare)

    def feed() -> None:
        for n in range(8192):
            parse_duration(f"{n}m", allow_bare_seconds=bare)
        for n in range(300):
            swallow(lambda n=n: parse_duration(f"{n}" + "0" * LARGE + "s"))

    assert retained(bulk, feed) < 4 * MiB  # 4096 short texts and their timedeltas


def test_retry_delay_caches_are_bounded_in_bytes() -> None:
    def bulk() -> None:
        for n in range(5_000):  # 5x the cache's 1024 entries, accepted
            parse_retry_delay(f"{n} * retried")
        for n in range(50_000):  # refused (remembered with their error)
            swallow(lambda n=n: parse_retry_delay(f"{n} $ retried"))

    def feed() -> None:
        for n in range(2048):
            parse_retry_delay(f"retried + {n}")
            swallow(lambda n=n: parse_retry_delay(f"{n} # retried"))
        for n in range(300):
            swallow(lambda n=n: parse_retry_delay(f"{n}" + "+1" * LARGE))

    assert retained(bulk, feed) < 24 * MiB  # 1024 compiled expressions, 1024 refused texts


def test_cron_caches_are_bounded_in_bytes() -> None:
    def bulk() -> None:
        for n in range(20_000):  # 5x the 4096 entries
            parse_cron(f"{n % 60} {(n // 60) % 24} {n % 28 + 1} * *")

    def feed() -> None:
        for n in range(8192):
            parse_cron(f"{n % 60} {(n // 60) % 24} * {n % 12 + 1} *")
        for n in range(300):
            swallow(lambda n=n: parse_cron(f"{n} " + "1," * LARGE + "1 * * * *"))

    assert retained(bulk, feed) < 16 * MiB


def test_flow_control_and_redact_caches_are_bounded_in_bytes() -> None:
    def bulk() -> None:
        for n in range(40_000):
            parse_flow_control_value(f"rate={n + 1}")
            swallow(lambda n=n: parse_redact_fields(f"header[X-{n}]"))

    def feed() -> None:
        for n in range(2048):
            parse_flow_control_value(f"parallelism={n + 1}")
            swallow(lambda n=n: parse_redact_fields(f"header[Y-{n}]"))
        for _ in range(300):
            swallow(lambda: parse_flow_control_value("rate=1" + " " * LARGE))
            swallow(lambda: parse_redact_fields("body," * (LARGE // 5)))

    assert retained(bulk, feed) < 16 * MiB


def test_encode_cache_is_bounded_in_bytes() -> None:
    def bulk() -> None:
        for n in range(20_000):
            encode_headers(MessageOptions(delay=timedelta(seconds=n), timeout=f"{n}ms"))

    def feed() -> None:
        for n in range(8192):
            encode_headers(MessageOptions(delay=timedelta(minutes=n), timeout=f"{n}us"))
        for n in range(100):  # 1 MiB forwarded values (MAX_HEADER_VALUE_LENGTH) are not kept
            encode_headers(MessageOptions(forward={"X-Big": f"{n:03}" + "v" * ((1 << 20) - 3)}))

    assert retained(bulk, feed) < 8 * MiB


def test_delivery_caches_are_bounded_in_bytes() -> None:
    def feed() -> None:
        for n in range(200):
            key = f"sig_{n}_" + "k" * LARGE
            sign(b"", url="https://example.com", key=key, now=1_700_000_000, jti="jwt_1")
            payload = (
                '{"status":200,"header":{"X-' + "h" * LARGE + f'{n}":["1"]}},"body":"","retried":0,'
                '"maxRetries":3,"sourceMessageId":"msg_1","url":"https://example.com",'
                '"method":"POST","sourceHeader":{},"sourceBody":""}'
            )
            swallow(lambda payload=payload: parse_callback(payload))

    assert retained(lambda: None, feed) < 8 * MiB


def test_repeated_forwarded_header_is_joined_once() -> None:
    value = "v" * 1000
    options = decode_headers([("Upstash-Forward-X-Trace", value)] * 1000)  # MAX_HEADERS
    assert options.forward["X-Trace"] == ", ".join([value] * 1000)
    headers = Headers([("X-Trace", value)] * 10_000)  # no bound on a Headers map built in code
    assert headers["x-trace"] == ", ".join([value] * 10_000)
    headers = Headers([("Cookie", "a=1"), ("cookie", ""), ("COOKIE", "b=2"), ("X-A", "")])
    assert headers["Cookie"] == "a=1; b=2"
    assert headers["X-A"] == ""


def test_refused_retry_delay_repeats_the_same_error() -> None:
    text = "1000 * (1 + retries)"
    errors = []
    for _ in range(3):
        with pytest.raises(InvalidRetryDelay) as caught:
            parse_retry_delay(text)
        errors.append(caught.value)
    assert errors[0] is not errors[1]  # a fresh exception each time (no shared traceback)
    assert {(e.code, e.message, e.span, e.value, str(e)) for e in errors} == {
        (errors[0].code, errors[0].message, errors[0].span, text, str(errors[0]))
    }
    assert errors[0].code == "retry_delay.unknown_name"


def test_huge_retry_delay_is_refused_by_length() -> None:
    text = "1" * (10 * MiB)
    with pytest.raises(InvalidRetryDelay) as caught:
        parse_retry_delay(text)
    assert caught.value.code == "retry_delay.too_long"


def test_schedule_is_bounded() -> None:
    delay = parse_retry_delay("1000")
    assert len(delay.schedule(MAX_SCHEDULE)) == MAX_SCHEDULE
    with pytest.raises(InvalidRetryDelay) as caught:
        delay.schedule(2**31)
    assert caught.value.code == "retry_delay.schedule_too_long"
    assert caught.value.value == str(2**31)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("plan", ["FREE", "PAY_AS_YOU_GO", "FIXED_1M", "FIXED_10M"])
def test_plans_built_at_import_are_valid(plan: str) -> None:
    # The plan constants are built without validation, so importing builds no schema.
    from qstash_protocol import Limits

    constant = getattr(Limits, plan)
    validated = Limits(**{name: getattr(constant, name) for name in Limits.model_fields})
    assert validated == constant
    assert hash(validated) == hash(constant)
    assert validated.model_dump() == constant.model_dump()
