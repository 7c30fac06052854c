from typing import Any

from qstash_protocol import validate_deduplication_id


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_deduplication_id(input, **options)
