"""Run every benchmark in this folder, one after the other, each in a fresh process.

Run: ``python benchmarks/run_all.py`` (needs the ``test`` extra for the peers). Pass names to run
some only: ``python benchmarks/run_all.py stream import``. Prints the machine's load first: the
ratios are measured in the same run as their peer, but a loaded machine widens their spread.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    if hasattr(os, "getloadavg"):
        print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    failed = 0
    for script in scripts:
        print(f"\n== {script.name}", flush=True)
        failed += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
