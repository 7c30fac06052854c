"""Time functions taking turns, so that each ratio compares times taken moments apart.

A shared machine's speed drifts between blocks of repeats by more than the ratios' differences:
timed one after the other in blocks, a ratio moves with the drift; timed in turns, a busy
moment slows both sides alike.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable


def best_in_turns(funcs: list[Callable[[], object]], number: int, repeat: int = 7) -> list[float]:
    """Each function's best time per call over ``repeat`` runs of ``number`` calls, in turns."""
    timers = [timeit.Timer(func) for func in funcs]
    best = [float("inf")] * len(funcs)
    for _ in range(repeat):
        for index, timer in enumerate(timers):
            best[index] = min(best[index], timer.timeit(number))
    return [seconds / number for seconds in best]
