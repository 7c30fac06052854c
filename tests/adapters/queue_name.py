from typing import Any

from qstash_protocol import validate_queue_name


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_queue_name(input, **options)
