from typing import Any

from qstash_protocol import decode_delivery


def run(input: Any, options: dict[str, Any]) -> Any:
    return decode_delivery([(name, value) for name, value in input]).to_dict()
