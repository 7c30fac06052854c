from typing import Any

from qstash_protocol import decode_headers, encode_headers


def run(input: Any, options: dict[str, Any]) -> Any:
    return encode_headers(decode_headers([tuple(pair) for pair in input], **options))
