from typing import Any

from qstash_protocol import validate_schedule_id


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_schedule_id(input, **options)
