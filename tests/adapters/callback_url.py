from typing import Any

from qstash_protocol import parse_callback_url


def run(input: Any, options: dict[str, Any]) -> Any:
    return parse_callback_url(input, **options)
