from typing import Any

from qstash_protocol import parse_header_forward


def run(input: Any, options: dict[str, Any]) -> Any:
    return "true" if parse_header_forward(input, **options) else "false"
