from typing import Any

from qstash_protocol import validate_cron


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_cron(input, **options)
