import base64
from datetime import timedelta
from typing import Any

from qstash_protocol import SigningKeys, verify_signature


def run(input: Any, options: dict[str, Any]) -> Any:
    if "body_base64" in input:
        body = base64.b64decode(input["body_base64"])
    else:
        body = input["body"].encode("utf-8")
    claims = verify_signature(
        input["token"],
        body=body,
        keys=SigningKeys(*options["keys"]),
        url=options.get("url"),
        now=options["now"],
        clock_tolerance=timedelta(seconds=options.get("clock_tolerance", 0)),
    )
    return claims.to_dict()
