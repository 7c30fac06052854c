from datetime import datetime
from typing import Any

from qstash_protocol import format_duration, parse_retry_after


def run(input: Any, options: dict[str, Any]) -> Any:
    return format_duration(parse_retry_after(input, now=datetime.fromisoformat(options["now"])))
