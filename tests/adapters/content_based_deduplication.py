from typing import Any

from qstash_protocol import format_content_based_deduplication, parse_content_based_deduplication


def run(input: Any, options: dict[str, Any]) -> Any:
    return format_content_based_deduplication(parse_content_based_deduplication(input, **options))
