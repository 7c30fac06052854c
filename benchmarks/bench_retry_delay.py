"""Time retry-delay expressions against simpleeval and a hand-written lambda, in one process.

Run: ``python benchmarks/run_all.py retry_delay`` (or this file directly; needs the ``dev``
dependency group for simpleeval). Every ratio is against a peer timed in the same run; the
machine's load widens their spread, so compare runs, not single numbers.

What issues 3 and 16 ask, and what this prints (each line with its target and a verdict):

(a) *evaluate*: an expression already parsed, evaluated for a changing ``retried``. Ours is
    ``RetryDelay.evaluate`` with all its checks (``retried`` an int in range, the result finite
    and not negative), compiled (it is after its first few calls; (c) shows the calls before).
    simpleeval reuses its parse (``SimpleEval.parse`` once, then ``eval(expr,
    previously_parsed=...)``, with ``names["retried"]`` set before each call). The floor is a
    lambda written by hand (``lambda retried: max(1000, math.pow(2, retried) * 100)``), which
    checks nothing. Targets: at least 10x faster than simpleeval, at most 2x the lambda.
(b) *cached parse*: ``parse_retry_delay`` on a text it has seen. Target: under 0.5 us.
(c) *first parse*: a text never seen, parsed (lex, parse, check, fold) and evaluated once,
    against simpleeval parsing and evaluating the same text once. Target: at most 5x
    simpleeval. Two cases, both honest about what they skip:

    - *shape compiled before*: a text that differs from one already compiled only in its
      numbers (``max(1001, ...)`` after ``max(1000, ...)``); it gets the compiled code at once,
      with its own numbers put in (no compiling).
    - *shape never compiled*: the compiled shapes are forgotten before each run, so every text
      is evaluated by the reference evaluator, which is what a new shape gets until its 8th
      call. The later cost is shown too: compiling a shape once (on that 8th call), and a call
      of the reference evaluator (each call before it), against simpleeval's ``eval``.
(d) *hostile*: the time until each hostile input is answered, cold (every cache cleared before
    each try). Target: under 5 ms each.

Every pair of evaluators is checked to agree before anything is timed.
"""

from __future__ import annotations

import contextlib
import math
import sys
import timeit
from collections.abc import Callable

from simpleeval import SimpleEval

from qstash_protocol import InvalidRetryDelay, _resources, parse_retry_delay
from qstash_protocol.values import retry_delay as module

FUNCTIONS = {"pow": math.pow, "max": max, "min": min, "exp": math.exp}

# (expression, the same as a hand-written lambda)
EXPRESSIONS: list[tuple[str, Callable[[int], float]]] = [
    ("max(1000, pow(2, retried) * 100)", lambda retried: max(1000, math.pow(2, retried) * 100)),
    ("pow(2, retried) * 1000", lambda retried: math.pow(2, retried) * 1000),
    ("1000 * (1 + retried)", lambda retried: 1000 * (1 + retried)),
    (
        "min(86400000, exp(2.5 * retried) * 1000)",
        lambda retried: min(86400000, math.exp(2.5 * retried) * 1000),
    ),
]

HOSTILE = [
    ("10,000 '('", "(" * 10_000 + "1" + ")" * 10_000),
    ("500 nested parentheses", "(" * 500 + "1" + ")" * 500),
    ("1 KiB of 1+1+...", "1+" * 511 + "1"),
    ("255 tokens, then a dangling +", "1+" * 127 + "+"),
    ("200 unary minus", "-" * 200 + "1"),
    ("1 KiB unknown name", "x" * 1024),
    ("1 KiB number", "9" * 1024),
    ("9e999", "9e999"),
    ("exponent 1e(1000 nines)", "1e" + "9" * 1000),
    ("pow(10, 1e6)", "pow(10, 1e6)"),
    ("pow(pow(pow(10,10),10),10)", "pow(pow(pow(10,10),10),10)"),
    ("16 nested pow", "pow(" * 16 + "10" + ",10)" * 16),
    ("1 KiB NUL", "\x00" * 1024),
    ("'^' at the end of 1000 chars", "1+" * 500 + "^"),
    ("max(1,1,...) 300 args", "max(" + "1," * 300 + "1)"),
    ("retried / (2 - 2)", "retried / (2 - 2)"),
    ("255 tokens 1+1+... (accepted)", "+".join(["1"] * 128)),
    ("255 tokens retried+... (accepted)", "+".join(["retried"] * 128)),
]

RETRIED = 7


def best_per_call(func: Callable[[], object], calls_per_run: int, repeat: int = 7) -> float:
    """Best seconds per call over ``repeat`` runs (the usual timeit discipline)."""
    return min(timeit.repeat(func, number=1, repeat=repeat)) / calls_per_run


def side_by_side(runs: list[tuple[Callable[[], object], int]], repeat: int = 9) -> list[float]:
    """Best seconds per call of each ``(func, calls_per_run)``, their runs taken in turn.

    Taking the runs in turn (ours, theirs, ours, theirs, ...) rather than one after the other
    gives each the same chances on a machine whose load changes from second to second.
    """
    best = [math.inf] * len(runs)
    for _ in range(repeat):
        for index, (func, calls) in enumerate(runs):
            seconds = timeit.timeit(func, number=1) / calls
            best[index] = min(best[index], seconds)
    return best


def check_agreement() -> None:
    for text, function in EXPRESSIONS:
        ours = parse_retry_delay(text)
        evaluator = SimpleEval(functions=FUNCTIONS, names={"retried": 0})
        parsed = evaluator.parse(text)
        for retried in range(20):
            evaluator.names["retried"] = retried
            expected = float(function(retried))
            theirs = float(evaluator.eval(text, previously_parsed=parsed))
            if not ours.evaluate(retried) == theirs == expected:
                sys.exit(f"disagreement on {text!r} at retried={retried}")


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def bench_evaluate() -> None:
    print("(a) evaluate a parsed expression (retried = 7), per call")
    print(
        f"    {'expression':<44}{'ours':>9}{'simpleeval':>12}{'lambda':>9}"
        f"{'simpleeval/ours':>17}{'ours/lambda':>13}"
    )
    n = 100_000
    for text, function in EXPRESSIONS:
        evaluate = parse_retry_delay(text).evaluate
        for retried in range(module._COMPILE_AFTER):
            evaluate(retried)  # compiled from here on
        evaluator = SimpleEval(functions=FUNCTIONS, names={"retried": 0})
        parsed = evaluator.parse(text)

        def ours(evaluate: Callable[[int], float] = evaluate) -> None:
            for _ in range(n):
                evaluate(RETRIED)

        def theirs(
            evaluator: SimpleEval = evaluator, parsed: object = parsed, text: str = text
        ) -> None:
            names = evaluator.names
            for _ in range(n // 10):
                names["retried"] = RETRIED
                evaluator.eval(text, previously_parsed=parsed)

        def floor(function: Callable[[int], float] = function) -> None:
            for _ in range(n):
                function(RETRIED)

        a, b, c = side_by_side([(ours, n), (theirs, n // 10), (floor, n)])
        print(
            f"    {text:<44}{a * 1e9:>6.0f} ns{b * 1e9:>9.0f} ns{c * 1e9:>6.0f} ns"
            f"{b / a:>10.1f}x {verdict(b / a >= 10):<6}{a / c:>6.2f}x {verdict(a / c <= 2)}"
        )
    print("    targets: simpleeval/ours >= 10x (we are 10 times faster), ours/lambda <= 2x")


def bench_cached_parse() -> None:
    print("(b) parse_retry_delay on a text already seen, per call")
    n = 200_000
    for text, _ in EXPRESSIONS[:2]:
        parse_retry_delay(text)

        def cached(text: str = text) -> None:
            for _ in range(n):
                parse_retry_delay(text)

        seconds = best_per_call(cached, n)
        print(f"    {text:<44}{seconds * 1e9:>6.0f} ns  {verdict(seconds < 0.5e-6)}")
    print("    target: under 500 ns")


def bench_first_parse() -> None:
    print("(c) first parse of a text never seen, and one evaluation, per text")
    count = 500
    _resources._PARSERS.pop("retry_delay.lark", None)  # the Lark parser, built on first use
    module._MACHINE_HOLDER.clear()
    build = best_per_call(module._machine, 1, repeat=1)
    print(f"    loading the shipped tables (once per process, on first use) {build * 1e3:.1f} ms")
    module._MACHINE_HOLDER.clear()
    lark_build = best_per_call(
        lambda: module._Machine(module.machine_tables(module._parser())), 1, repeat=1
    )
    print(f"    (Lark computing them, as for an edited grammar: {lark_build * 1e3:.1f} ms)")
    module._machine()
    rounds = iter(range(1_000_000))  # each timed run parses texts never seen before
    templates = (
        "max({}, pow(2, retried) * 100)",
        "{} * (1 + retried)",
        "min(86400000, exp(2.5 * retried) * {})",
    )
    print(
        f"    {'text (N new each time)':<44}{'shape':<16}{'ours':>8}{'simpleeval':>12}"
        f"{'ours/simpleeval':>17}"
    )
    for template in templates:

        def theirs(template: str = template) -> None:
            evaluator = SimpleEval(functions=FUNCTIONS, names={"retried": RETRIED})
            for i in range(count):
                evaluator.eval(template.format(1000 + i))

        for compiled in (True, False):

            def ours(template: str = template, compiled: bool = compiled) -> None:
                if not compiled:
                    module._PROGRAMS.cache_clear()
                start = next(rounds) * count
                for i in range(start, start + count):
                    parse_retry_delay(template.format(1000 + i)).evaluate(RETRIED)

            if compiled:  # compile the shape once, as an earlier text of it would have
                warm = parse_retry_delay(template.format(999)).evaluate
                for retried in range(module._COMPILE_AFTER):
                    warm(retried)
            a, b = side_by_side([(ours, count), (theirs, count)])
            label = "compiled before" if compiled else "never compiled"
            print(
                f"    {template.format('N'):<44}{label:<16}{a * 1e6:>5.0f} us{b * 1e6:>9.0f} us"
                f"{a / b:>10.1f}x {verdict(a / b <= 5)}"
            )
    print("    target: ours/simpleeval <= 5x (parse and first evaluation, against parse and eval)")
    print("    a shape never compiled, later:")
    for template in templates:
        later(template)


def later(template: str) -> None:
    """What a shape never compiled costs after its first parse: each call, and compiling."""
    text = template.format(1000)
    tree = module._parse(text)
    module._rc.fold(tree, text)
    source, _ = module._rc.shape(tree)
    compile_once = best_per_call(lambda: module._rc.Program(source), 1, 50)
    reference = best_per_call(lambda: module._rc.evaluate(tree, text, RETRIED), 1, 200)
    evaluator = SimpleEval(functions=FUNCTIONS, names={"retried": RETRIED})
    parsed = evaluator.parse(text)
    peer = best_per_call(lambda: evaluator.eval(text, previously_parsed=parsed), 1, 200)
    print(
        f"    {template.format('N'):<44}compiling once {compile_once * 1e6:>4.0f} us;"
        f" a call before that {reference * 1e6:.1f} us (simpleeval eval {peer * 1e6:.1f} us)"
    )


def clear() -> None:
    module._CACHE.clear()
    module._REJECTED.clear()
    module._PROGRAMS.cache_clear()


def bench_hostile() -> None:
    print("(d) hostile input: time to the answer, cold (caches cleared before each try)")
    worst = 0.0
    for label, text in HOSTILE:
        try:
            parse_retry_delay(text)
        except InvalidRetryDelay as err:
            outcome = err.code
        else:
            outcome = "accepted"
            if not label.endswith("(accepted)"):
                sys.exit(f"hostile input accepted: {label}")

        def answer(text: str = text) -> None:
            clear()
            with contextlib.suppress(InvalidRetryDelay):
                parse_retry_delay(text)

        seconds = best_per_call(answer, 1, repeat=20)
        worst = max(worst, seconds)
        print(f"    {label:<36}{seconds * 1e3:>8.3f} ms  {outcome}")
    print(f"    worst {worst * 1e3:.3f} ms ({verdict(worst < 0.005)}; target: under 5 ms each)")


def main() -> None:
    check_agreement()
    bench_evaluate()
    bench_cached_parse()
    bench_first_parse()
    bench_hostile()


if __name__ == "__main__":
    main()
