from datetime import timedelta
from typing import Any

from qstash_protocol import parse_retry_delay


def run(input: Any, options: dict[str, Any]) -> Any:
    """Parse, then evaluate for retried = 0 .. retries - 1 (``retries`` defaults to 4)."""
    delay = parse_retry_delay(input)
    retries = options.get("retries", 4)
    return {
        "canonical": str(delay),
        "delays_ms": [delay.evaluate(retried) for retried in range(retries)],
        "delays_us": [value // timedelta(microseconds=1) for value in delay.schedule(retries)],
    }
