from typing import Any

from qstash_protocol import parse_flow_control_value


def run(input: Any, options: dict[str, Any]) -> Any:
    return str(parse_flow_control_value(input, **options))
