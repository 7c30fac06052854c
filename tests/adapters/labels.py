from typing import Any

from qstash_protocol import format_labels, parse_labels


def run(input: Any, options: dict[str, Any]) -> Any:
    return format_labels(parse_labels(input, **options))
