from typing import Any

from qstash_protocol import redact_value


def run(input: Any, options: dict[str, Any]) -> Any:
    return redact_value(input, **options)
