"""Time the start-up: ``import qstash_protocol`` against ``import pydantic``, and the CLI's check.

Run: ``python benchmarks/bench_import.py``. Each measure is a fresh interpreter (``subprocess``),
best of N, alternating ours and the peer so the machine's load falls on both alike:

- ``import pydantic`` (the peer; pydantic loads its own modules lazily, so this is its floor);
- ``import pydantic; from pydantic import BaseModel`` (what any pydantic model needs);
- ``import qstash_protocol``. Target: at most 1.5x ``import pydantic``;
- ``qstash-protocol check examples/publish.http`` (``python -m qstash_protocol``), wall time of the
  whole process against ``python -c pass``. Target: under 0.25 s.

To find what an import costs: ``python -X importtime -c "import qstash_protocol" 2>&1 | sort -t'|'
-k2 -n | tail``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15


def import_time(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(result.stdout)


def wall(arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *arguments], capture_output=True, check=False, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    measures = {
        "import pydantic": lambda: import_time("import pydantic"),
        "import pydantic.BaseModel": lambda: import_time("from pydantic import BaseModel"),
        "import qstash_protocol": lambda: import_time("import qstash_protocol"),
        "python -c pass (wall)": lambda: wall(["-c", "pass"]),
        "check publish.http (wall)": lambda: wall(
            ["-m", "qstash_protocol", "check", "examples/publish.http"]
        ),
    }
    best = dict.fromkeys(measures, float("inf"))
    for _ in range(ROUNDS):
        for name, measure in measures.items():
            best[name] = min(best[name], measure())
    for name, seconds in best.items():
        print(f"{name:<32}{seconds * 1e3:>8.1f} ms")
    ratio = best["import qstash_protocol"] / best["import pydantic"]
    print(f"import qstash_protocol: {ratio:.2f}x import pydantic (<= 1.5)")
    ratio = best["import qstash_protocol"] / best["import pydantic.BaseModel"]
    print(f"import qstash_protocol: {ratio:.2f}x pydantic with BaseModel")
    print(f"check publish.http: {best['check publish.http (wall)']:.3f} s wall (< 0.25)")


if __name__ == "__main__":
    main()
