from typing import Any

from qstash_protocol import validate_flow_control_key


def run(input: Any, options: dict[str, Any]) -> Any:
    return validate_flow_control_key(input, **options)
