from typing import Any

from qstash_protocol import format_not_before, parse_not_before


def run(input: Any, options: dict[str, Any]) -> Any:
    return format_not_before(parse_not_before(input, **options))
