"""The strategies for batch bodies, API v1 and query-string options reach what they promise."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis.errors import InvalidArgument

from qstash_protocol import strategies as ours
from qstash_protocol.testing.strategies import _BATCH_BREAKAGES
from tests.test_strategies import _seen


@pytest.mark.slow  # a search of thousands of draws per fact; run in CI
def test_batch_bodies_reach_every_sdk_shape() -> None:
    def items(body: bytes) -> list[dict[str, Any]]:
        return json.loads(body)  # type: ignore[no-any-return]

    facts: dict[str, Callable[[bytes], bool]] = {
        "Python's nulls": lambda b: any(i.get("queue", 0) is None for i in items(b)),
        "Go's empty strings": lambda b: any(i.get("queue") == "" for i in items(b)),
        "JS's dropped keys": lambda b: any("queue" not in i for i in items(b)),
        "a queued item": lambda b: any(i.get("queue") for i in items(b)),
        "a URL group": lambda b: any("/" not in i["destination"] for i in items(b)),
        "headers": lambda b: any(i.get("headers") for i in items(b)),
        "non-ASCII text": lambda b: any(byte > 0x7F for byte in b),
    }
    assert _seen(ours.batch_bodies(), facts) == set(facts)


@pytest.mark.slow  # a search of thousands of draws per fact; run in CI
def test_invalid_strategies_reach_every_code() -> None:
    expected = {
        ours.invalid_batch_bodies(): {code for _, code in _BATCH_BREAKAGES},
        ours.invalid_v1_requests(): {"request.not_in_v1", "deduplication.whitespace"},
        ours.invalid_query_option_requests(): {
            "duration.missing_unit",
            "retries.negative",
            "retry_delay.power_operator",
            "method.unsupported",
            "request.duplicate_token",
        },
    }
    for strategy, codes in expected.items():
        facts = {code: (lambda e, code=code: e.code == code) for code in codes}
        assert _seen(strategy, facts) == codes


@pytest.mark.slow  # a search of thousands of draws per fact; run in CI
def test_query_requests_reach_tokens_parameters_and_destination_queries() -> None:
    facts: dict[str, Callable[[ours.RequestExample], bool]] = {
        "a token": lambda e: "qstash_token=" in e.path,
        "an option parameter": lambda e: "upstash-" in e.path.partition("?")[2],
        "a destination's own query": lambda e: "?" in e.path and "=" in e.path.split("?")[1][:4],
        "a header kept": lambda e: any(n.lower().startswith("upstash-") for n in e.headers),
    }
    assert _seen(ours.query_option_requests(), facts) == set(facts)


@pytest.mark.slow  # a search of thousands of draws per fact; run in CI
def test_v1_requests_reach_cron_and_topics() -> None:
    facts: dict[str, Callable[[ours.RequestExample], bool]] = {
        "cron": lambda e: any(n.lower() == "upstash-cron" for n in e.headers),
        "a topic": lambda e: "://" not in e.path,
        "a URL": lambda e: "://" in e.path,
    }
    assert _seen(ours.v1_requests(), facts) == set(facts)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ours.batch_requests(max_size=-1),
        lambda: ours.batch_requests(max_size=10**9),
        lambda: ours.batch_requests(max_depth="1"),  # type: ignore[arg-type]
        lambda: ours.batch_bodies(max_size=-1),
    ],
)
def test_arguments_are_checked_eagerly(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidArgument):
        make()
