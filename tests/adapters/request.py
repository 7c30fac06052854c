from typing import Any

from qstash_protocol import Limits, decode_request


def run(input: Any, options: dict[str, Any]) -> Any:
    options = dict(options)
    if "limits" in options:  # a plan name (free, payg, fixed-1m, fixed-10m) or the fields
        plan = options["limits"]
        options["limits"] = Limits.PLANS[plan] if isinstance(plan, str) else Limits(**plan)
    request = decode_request(input["path"], [tuple(pair) for pair in input["headers"]], **options)
    output: dict[str, Any] = {"path": request.path, "headers": request.headers()}
    if request.api_version != 2:
        output["api_version"] = request.api_version
    return output
