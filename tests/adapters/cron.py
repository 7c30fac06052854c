from datetime import UTC, datetime
from typing import Any

from qstash_protocol import parse_cron, validate_cron


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_cron(input, **options)


def next_runs(input: str, options: dict[str, Any], after: str, count: int) -> list[str]:
    """The next ``count`` runs after the RFC 3339 instant ``after``, as UTC RFC 3339 texts."""
    schedule = parse_cron(input, **options)
    start = datetime.fromisoformat(after)
    runs = schedule.next_runs(start, count)
    return [run.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for run in runs]
