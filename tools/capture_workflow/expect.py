"""Fill in the expected ``output`` and ``findings`` of captured workflow vectors.

Run in the project's environment after a capture script, then review the diff: every finding
must be one the library means to report (docs/protocol/verdicts.md).

    python tools/capture_workflow/expect.py tests/vectors/workflow_py.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from qstash_protocol import InvalidHeaders

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.adapters import _workflow


def main(paths: list[str]) -> None:
    for name in paths:
        path = Path(name)
        document = json.loads(path.read_text(encoding="utf-8"))
        for case in document["cases"]:
            for key in ("output", "error", "findings"):
                case.pop(key, None)
            try:
                case["output"] = _workflow.run(case["input"], {})
            except InvalidHeaders as invalid:
                first = invalid.errors[0]
                case["error"] = {"code": first.code, "header": first.header}
                continue
            findings = [
                {"code": f.code, "severity": f.severity, "header": f.header}
                for f in _workflow.lint(case["input"], {})
            ]
            if findings:
                case["findings"] = findings
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
        codes: dict[str, int] = {}
        for case in document["cases"]:
            for finding in case.get("findings", []):
                codes[finding["code"]] = codes.get(finding["code"], 0) + 1
        errors = sum("error" in case for case in document["cases"])
        print(f"{path}: {len(document['cases'])} requests, {errors} refused, findings {codes}")


if __name__ == "__main__":
    main(sys.argv[1:])
