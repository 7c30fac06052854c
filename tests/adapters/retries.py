from typing import Any

from qstash_protocol import parse_retries


def run(input: Any, options: dict[str, Any]) -> Any:
    return str(parse_retries(input, **options))
