from typing import Any

from qstash_protocol import parse_redact_fields


def run(input: Any, options: dict[str, Any]) -> Any:
    return str(parse_redact_fields(input, **options))
