"""Time the start-up: ``import qstash_protocol``, the first decode, and the CLI's ``check``.

Run: ``python benchmarks/bench_import.py``. Each measure is a fresh interpreter (``subprocess``),
best of N, alternating ours and the peers so the machine's load falls on all alike:

- ``import pydantic``, the peer (pydantic loads its own modules lazily, so this is its floor);
- ``from pydantic import BaseModel`` (what any pydantic model needs: the honest floor of
  ``from qstash_protocol import decode_request``, since the publish side's results are models);
- that import, a one-field model and its first validation (which builds the validator and looks
  up pydantic's plugins in every installed distribution's entry points): the floor of a first
  decode;
- ``import qstash_protocol``. Target: at most 1.5x ``import pydantic``. Every public name is
  loaded on first use, so this imports the error model and nothing else;
- ``from qstash_protocol import decode_request`` (the publish side: its models, pydantic);
- that import and the first ``decode_request`` of a typical request (an SDK's publish with a
  delay, retries, a deduplication id, a forwarded header and a callback): the real cold path of a
  serverless gateway, reported against a pydantic model's first validation;
- the same with an ``Upstash-Retry-Delay`` expression (whose first parse builds its Lark parser);
- ``qstash-protocol check examples/publish.http`` (``python -m qstash_protocol``), wall time of
  the whole process, beside ``python -c pass``. Target: under 0.25 s.

The package is byte-compiled first, and the timed interpreters may write bytecode: an installed
wheel is compiled when installed, as pydantic's own modules are, so timing a compile of our
modules on every run (``PYTHONDONTWRITEBYTECODE=1``) would compare unlike things.

To find what an import costs: ``python -X importtime -c "import qstash_protocol" 2>&1 | sort
-t'|' -k2 -n | tail``.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

#: A typical request, as the official SDKs send it (no retry-delay expression).
TYPICAL = """\
decode_request("/v2/publish/https://example.com/api/orders", [
    ("Content-Type", "application/json"),
    ("Upstash-Method", "POST"),
    ("Upstash-Retries", "3"),
    ("Upstash-Delay", "90s"),
    ("Upstash-Deduplication-Id", "order-1234"),
    ("Upstash-Forward-X-Request-Id", "7f3c2a"),
    ("Upstash-Callback", "https://example.com/api/delivered"),
])"""
#: The least any package whose results are pydantic models pays before its first result: the
#: import, one model class, and its first validation (which builds the validator and looks up
#: pydantic's plugins in the installed distributions' entry points).
FIRST_MODEL = """\
from pydantic import BaseModel
class Model(BaseModel):
    x: int = 0
Model(x=1)"""
WITH_RETRY_DELAY = TYPICAL.replace(
    '("Upstash-Retries", "3"),',
    '("Upstash-Retries", "3"), ("Upstash-Retry-Delay", "max(1000, pow(2, retried) * 100)"),',
)


def import_time(statement: str) -> float:
    code = f"import time; t = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV
    )
    return float(result.stdout)


def wall(arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *arguments], capture_output=True, check=True, cwd=ROOT, env=ENV)
    return time.perf_counter() - start


MEASURES: dict[str, Callable[[], float]] = {
    "import pydantic": lambda: import_time("import pydantic"),
    "import pydantic.BaseModel": lambda: import_time("from pydantic import BaseModel"),
    "... + first model validated": lambda: import_time(FIRST_MODEL),
    "import qstash_protocol": lambda: import_time("import qstash_protocol"),
    "import decode_request": lambda: import_time("from qstash_protocol import decode_request"),
    "... + first decode_request": lambda: import_time(
        f"from qstash_protocol import decode_request\n{TYPICAL}"
    ),
    "... + first, with retry delay": lambda: import_time(
        f"from qstash_protocol import decode_request\n{WITH_RETRY_DELAY}"
    ),
    "python -c pass (wall)": lambda: wall(["-c", "pass"]),
    "check publish.http (wall)": lambda: wall(
        ["-m", "qstash_protocol", "check", "examples/publish.http"]
    ),
}


def main() -> None:
    compileall.compile_dir(ROOT / "qstash_protocol", quiet=1)
    for measure in MEASURES.values():  # once each: any bytecode left to write is written
        measure()
    best = dict.fromkeys(MEASURES, float("inf"))
    for _ in range(ROUNDS):
        for name, measure in MEASURES.items():
            best[name] = min(best[name], measure())
    for name, seconds in best.items():
        print(f"{name:<32}{seconds * 1e3:>8.1f} ms")
    ours = best["import qstash_protocol"]
    print(f"import qstash_protocol: {ours / best['import pydantic']:.2f}x import pydantic (<= 1.5)")
    floor = best["import pydantic.BaseModel"]
    ratio = best["import decode_request"] / floor
    print(f"import decode_request: {ratio:.2f}x from pydantic import BaseModel (the floor)")
    ratio = best["... + first decode_request"] / best["... + first model validated"]
    print(f"first decode_request: {ratio:.2f}x one pydantic model's first validation (the floor)")
    print(f"check publish.http: {best['check publish.http (wall)']:.3f} s wall (< 0.25)")


if __name__ == "__main__":
    main()
