from typing import Any

from qstash_protocol import format_duration, parse_duration


def run(input: Any, options: dict[str, Any]) -> Any:
    return format_duration(parse_duration(input, **options))
