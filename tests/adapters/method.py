from typing import Any

from qstash_protocol import parse_method


def run(input: Any, options: dict[str, Any]) -> Any:
    return parse_method(input, **options)
