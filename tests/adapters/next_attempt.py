from datetime import UTC, datetime
from typing import Any

from qstash_protocol import RetryDelay, decode_headers, format_duration, next_attempt


def run(input: Any, options: dict[str, Any]) -> Any:
    del options
    attempt = next_attempt(
        decode_headers([tuple(pair) for pair in input["headers"]]),
        retried=input["retried"],
        status=input["status"],
        response_headers=[tuple(pair) for pair in input["response_headers"]],
        now=datetime.fromisoformat(input["now"]),
        max_retries=input.get("max_retries"),
    )
    source = attempt.delay_source
    return {
        "outcome": attempt.outcome,
        "delay": None if attempt.delay is None else format_duration(attempt.delay),
        "delay_source": str(source) if isinstance(source, RetryDelay) else source,
        "retry_at": None
        if attempt.retry_at is None
        else attempt.retry_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "next_retried": attempt.next_retried,
        "reason": attempt.reason,
        "max_retries": attempt.max_retries,
        "callbacks": [
            {
                "kind": call.kind,
                "url": call.url,
                "status": call.status,
                "retried": call.retried,
                "max_retries": call.max_retries,
                "retries": call.retries,
                "retry_delay": None if call.retry_delay is None else str(call.retry_delay),
            }
            for call in attempt.callbacks
        ],
        "ignored": [error.code for error in attempt.ignored],
    }
