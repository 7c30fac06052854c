"""Retry-delay expressions: ``Upstash-Retry-Delay`` and the callback variants; the default backoff.

>>> delay = parse_retry_delay("pow(2, retried) * 1000")
>>> [delay.evaluate(retried) for retried in range(4)]
[1000.0, 2000.0, 4000.0, 8000.0]
>>> delay.schedule(3)
[datetime.timedelta(seconds=1), datetime.timedelta(seconds=2), datetime.timedelta(seconds=4)]
>>> str(parse_retry_delay("max(1000,pow(2,retried)*100)"))
'max(1000, pow(2, retried) * 100)'

Facts
-----
The rule (specified in ``docs/protocol/retry-delay.md``;
https://upstash.com/docs/qstash/features/retry,
https://github.com/upstash/docs/blob/main/qstash/openapi.yaml): ``Upstash-Retry-Delay``,
``Upstash-Callback-Retry-Delay`` and ``Upstash-Failure-Callback-Retry-Delay`` carry an arithmetic
expression that the server evaluates after each failed delivery. Its value is the delay before the
next retry, in milliseconds. The variable ``retried`` is how many times the message has been
retried, 0 before the first retry. The documented examples: ``1000``;
``1000 * (1 + retried)`` (1 s, 2 s, 3 s...); ``pow(2, retried) * 1000`` (1 s, 2 s, 4 s, 8 s...);
``max(1000, pow(2, retried) * 100)``.

The language is ``grammars/retry_delay.lark``: numbers, ``retried``, binary ``+ - * / %`` with
the usual precedence and left associativity, unary ``+ -`` (binding tighter than ``*``),
parentheses, and the calls ``pow(x, y)``, ``exp(x)``, ``sqrt(x)``, ``abs(x)``, ``floor(x)``,
``ceil(x)``, ``round(x)``, ``min(a, b, ...)``, ``max(a, b, ...)``. Nothing else: no other names,
no strings, no comparisons, no conditionals.

The server is closed source, and no public material shows its expression engine. Where the
sources are silent or disagree, this module reads them so:

- **Operators**: the docs show only ``+``, ``*``, parentheses and calls. ``-``, ``/``, ``%`` and
  unary signs are accepted (every expression engine has them). ``^`` and
  ``**`` are rejected with ``retry_delay.power_operator``, pointing to ``pow(x, y)``: they mean
  a power in some engines and xor or nothing in others, so a portable expression avoids them.
- **min and max** take two or more arguments. The openapi table shows ``min(x, y)``; retry.mdx
  says "Minimum of values".
- **Names** are case-sensitive, as written in the docs. ``retries`` (in the workflow docs'
  ``(1 + retries) * 1000``, most likely a typo) is an unknown name, with "did you mean
  'retried'?".
- **Numbers** are decimal: ``1000``, ``1.5``, ``.5``, ``1.``, ``1e3``, ``2.5E-3``. Each is
  rounded to the nearest double, as Go's ``strconv.ParseFloat`` does; one beyond the double range
  (``9e999``) is ``retry_delay.number_out_of_range``; one that underflows is 0. No hexadecimal,
  no digit separators, no sign (``-5`` is the unary minus applied to ``5``).
- **Whitespace** between tokens is spaces and tabs, the optional whitespace of an HTTP header
  value. Other whitespace (a newline, a no-break space) is ``retry_delay.invalid_character``.
- **Arithmetic** is IEEE double precision, as in Go: ``+ - * /`` are correctly rounded, ``sqrt``
  is exact, ``exp`` and ``pow`` come from the platform's C library and may differ from Go's
  pure-Go ``math`` package in the last bit for results that are not exact (``pow(2, retried)``
  and other whole powers are exact).
- **Where IEEE would go on with inf or nan, this module stops** (a deliberate deviation, making
  the accepted language a safe subset of what any float64 engine computes the same way):
  division and modulo by zero, ``pow(0, y)`` with ``y < 0`` (``retry_delay.division_by_zero``),
  ``sqrt`` of a negative and a negative number to a fractional power
  (``retry_delay.domain_error``), and any value, at any step, beyond the double range
  (``retry_delay.overflow``) are errors wherever they occur, even inside ``min`` or ``max``,
  which could otherwise hide them. So every value computed is finite, and an expression this
  module accepts has the same value in an IEEE engine.
- **%** is Go's ``math.Mod``: the remainder of truncated division, with the sign of the
  dividend (``-7 % 3`` is ``-1``; Python's ``%`` would give ``2``).
- **round** rounds halves away from zero (Go's ``math.Round``: ``round(2.5)`` is 3,
  ``round(-2.5)`` is -3), not to even as Python's ``round`` does.
- **The result** must not be negative (``retry_delay.negative``). It is not clamped: no source
  shows a clamp for expressions (the one-day cap in the docs is for the default backoff). A
  zero result may come out as ``-0.0``; it is still no delay.
- **When errors are found**: ``parse_retry_delay`` evaluates every part of the expression that
  does not depend on ``retried`` once, so an expression that fails for every ``retried``
  because of such a part (``1 / 0``, ``0 - 1000``, ``pow(10, 1e6)``, ``retried / (2 - 2)``) is
  rejected when parsed. Other failures depend on ``retried`` and are raised by
  :attr:`RetryDelay.evaluate`, naming the ``retried`` value and pointing at the part that
  failed: ``1000 / retried`` parses, and fails for ``retried = 0``.
- **retried** is an ``int`` (exactly; ``True`` and ``False`` are a ``TypeError``, as are int
  subclasses and floats) from 0 to :data:`MAX_RETRIED` (2**53, the largest range in which a
  double holds every integer). A value of the wrong Python type is a ``TypeError``; an ``int``
  out of that range is :class:`InvalidRetryDelay` ``retry_delay.retried_out_of_range`` (a
  server may pass a count it read from the wire, so it gets the library's error, not a bare
  ``ValueError``). The same holds for ``schedule(retries)`` (``retry_delay.negative_retries``)
  and :func:`default_backoff` (``n`` negative is ``retry_delay.retried_out_of_range``; ``k``
  not a positive finite number is ``retry_delay.invalid_backoff_factor``). These errors concern
  an argument, not the expression text, so they carry no ``value`` or ``span``.
- **As a timedelta** (:meth:`RetryDelay.delay`), milliseconds are truncated toward zero to whole
  microseconds, the precision of :class:`~datetime.timedelta`, as ``parse_duration`` truncates.
  A delay longer than the longest duration the server holds (Go's ``time.Duration``, about 292
  years, ``durations.MAX_DURATION``) is ``retry_delay.out_of_range``.
- **Limits** bound the work on hostile input (a gateway sees it routinely): at most
  :data:`MAX_RETRY_DELAY_LENGTH` characters, checked before anything else;
  :data:`MAX_RETRY_DELAY_TOKENS` tokens, counted before the parser runs (parsing is pure
  Python, microseconds per token); nesting at most :data:`MAX_RETRY_DELAY_DEPTH` deep
  (parentheses, calls, operators and unary signs each count). Every hostile input is answered
  in well under 5 ms (``benchmarks/bench_retry_delay.py``, ``benchmarks/bench_hostile.py``).
- **Errors** are found in a fixed order, each step reporting the first problem it sees: length;
  characters, ``^``/``**`` and parentheses; the token count; syntax (names, numbers, operators,
  arity); meaning (constant parts, as above).

The default backoff (no ``Upstash-Retry-Delay``), :func:`default_backoff`: the docs give
``min(86400, e ** (k * n))`` seconds, with ``n`` "the number of times the task has been
retried". They disagree on ``k``:

- **k = 2.5** in the current retry page and in its table (n = 1: 12 s, 2: 2m28s, 3: 30m8s,
  4: 6h7m6s, 5 and more: 24 h); this is the default.
- **k = 2** in older pages and in the current common-request snippet
  (https://github.com/upstash/docs/blob/main/_snippets/qstash-common-request.mdx); pass
  ``k=2`` for it. The table contradicts it (e**2 is 7.4 s, not 12 s).

The table shows whole seconds. Truncating and rounding to the nearest second both reproduce
all its rows (e**2.5 = 12.18, e**5 = 148.41, e**7.5 = 1808.04, e**10 = 22026.47), so the table
cannot tell them apart; :func:`default_backoff` truncates, as Go's ``time.Duration(seconds) *
time.Second`` would. ``n`` is taken as given (n = 0 gives 1 s): the docs do not say whether
the first retry is n = 0 or n = 1.

The canonical form (``str()``) is what the docs write: one space around binary operators and
after commas, the fewest parentheses that keep the meaning, no unary plus, and numbers with
the fewest digits that give the same double (``1e3`` is ``1000``, ``0.10`` is ``0.1``). Left
associativity is kept exactly: ``(a + b) + c`` is written ``a + b + c`` but ``a + (b + c)`` keeps
its parentheses (floating-point addition is not associative). In the rare case where this
text would exceed :data:`MAX_RETRY_DELAY_LENGTH`, the canonical form drops the spaces and
writes numbers in their shortest form, which is never longer than the source; so
``parse_retry_delay(str(r)) == r`` for every ``r``.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final, NoReturn

from qstash_protocol._resources import grammar_text, lark_parser
from qstash_protocol.errors import ProtocolError
from qstash_protocol.values import _retry_compile as _rc
from qstash_protocol.values.durations import MAX_DURATION

if TYPE_CHECKING:
    from lark import Lark

__all__ = [
    "MAX_RETRIED",
    "MAX_RETRY_DELAY_DEPTH",
    "MAX_RETRY_DELAY_LENGTH",
    "MAX_RETRY_DELAY_TOKENS",
    "MAX_SCHEDULE",
    "InvalidRetryDelay",
    "RetryDelay",
    "default_backoff",
    "parse_retry_delay",
]


class InvalidRetryDelay(ProtocolError):
    """A retry-delay expression is invalid, or fails for a value of ``retried``.

    >>> try:
    ...     parse_retry_delay("1000 * (1 + retries)")
    ... except InvalidRetryDelay as err:
    ...     print(err.code, err.span)
    ...     print(err)
    retry_delay.unknown_name (12, 19)
    unknown name 'retries' (did you mean 'retried'?); the only variable is 'retried'
      1000 * (1 + retries)
                  ^^^^^^^
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "retry_delay.empty": "the expression is empty or only whitespace",
        "retry_delay.too_long": "the expression is longer than MAX_RETRY_DELAY_LENGTH",
        "retry_delay.too_many_tokens": "the expression has more than MAX_RETRY_DELAY_TOKENS tokens",
        "retry_delay.too_deep": "the expression nests deeper than MAX_RETRY_DELAY_DEPTH",
        "retry_delay.invalid_character": "a character that is in no token of the language",
        "retry_delay.power_operator": "'^' or '**'; the power function is pow(x, y)",
        "retry_delay.invalid_number": "a malformed number, such as '1.2.3', '2e' or '0x10'",
        "retry_delay.number_out_of_range": "a number beyond the double range, such as 9e999",
        "retry_delay.unknown_name": "a name that is neither 'retried' nor a function",
        "retry_delay.unknown_function": "a call of a function that does not exist",
        "retry_delay.misused_name": "a function named but not called, or 'retried' called",
        "retry_delay.arity": "a function called with the wrong number of arguments",
        "retry_delay.unmatched_parenthesis": "a ')' with no '(' before it",
        "retry_delay.unclosed_parenthesis": "a '(' that is never closed",
        "retry_delay.missing_operand": "an operator, ',', ')' or the end where an operand belongs",
        "retry_delay.missing_operator": "two operands with no operator between them",
        "retry_delay.unexpected_token": "a token that cannot go where it is, such as a stray ','",
        "retry_delay.division_by_zero": "division or modulo by zero, or pow(0, y) with y < 0",
        "retry_delay.domain_error": "sqrt of a negative, or a negative to a fractional power",
        "retry_delay.overflow": "a value beyond the double range (about 1.8e308)",
        "retry_delay.negative": "the delay is negative",
        "retry_delay.out_of_range": "the delay is longer than the longest the server holds",
        "retry_delay.retried_out_of_range": "retried (or n) is negative, or beyond MAX_RETRIED",
        "retry_delay.negative_retries": "schedule() was asked for a negative number of retries",
        "retry_delay.invalid_backoff_factor": "the backoff's k is not a positive finite number",
        "retry_delay.schedule_too_long": "schedule() asked for more than MAX_SCHEDULE delays",
    }


#: The longest expression :func:`parse_retry_delay` looks at, in characters (1 KiB). The docs'
#: longest example, ``max(1000, pow(2, retried) * 100)``, has 32; no honest expression is near.
MAX_RETRY_DELAY_LENGTH: Final = 1024

#: The most tokens an expression may have. The docs' longest example has 12. Parsing is pure
#: Python and costs a few microseconds per token (lexing, parsing, folding and finding the
#: code's shape together), so this bounds the first parse of hostile input to about a
#: millisecond; compiling the largest shapes takes about as long.
MAX_RETRY_DELAY_TOKENS: Final = 256

#: How deep an expression may nest: open parentheses at any point, and the height of the
#: expression tree (each call, operator level and unary sign is one level). The docs' examples
#: are 4 deep. This keeps every recursive step (rendering, evaluation, Python's own compiler,
#: which refuses 200 nested parentheses) far from its limit.
MAX_RETRY_DELAY_DEPTH: Final = 32

#: The largest ``retried`` :attr:`RetryDelay.evaluate` takes: 2**53, up to which a double holds
#: every integer, so ``retried`` converts to the server's float64 exactly.
MAX_RETRIED: Final = 2**53

#: The most delays :meth:`RetryDelay.schedule` lists. ``Upstash-Retries`` may say up to 2**31 - 1,
#: and no plan publishes a maximum; a list of that many delays would take minutes and gigabytes.
#: For more retries than this, call :meth:`RetryDelay.delay` for the retry at hand.
MAX_SCHEDULE: Final = 10_000

#: How many parsed expressions :func:`parse_retry_delay` keeps (oldest dropped first), and how
#: many rejected texts it remembers (with their error). Keys are at most
#: MAX_RETRY_DELAY_LENGTH characters (longer texts are refused before any lookup), so each
#: cache holds at most 1024 x 1 KiB of text, plus the compiled expressions.
_CACHE_SIZE: Final = 1024

#: The compiled shapes of expressions (``1000 * retried`` and ``2000 * retried`` share one):
#: at most 256, and about 2 MiB (each is charged five bytes per character of its generated
#: source, plus 1 KiB).
_PROGRAMS: Final = _rc.Programs(entries=256, size=2 * 1024 * 1024)

#: An expression whose shape has not been compiled is evaluated by the reference evaluator
#: until this call, which compiles it (see ``_rc.build``).
_COMPILE_AFTER: Final = 8

#: ``k`` in the default backoff ``min(86400, e ** (k * n))``; see the module docstring.
DEFAULT_BACKOFF_K: Final = 2.5

#: "Each delay is capped at 1 day" (retry.mdx), in seconds.
_BACKOFF_CAP_SECONDS: Final = 86_400.0

_MAX_DELAY_MICROSECONDS: Final = MAX_DURATION // timedelta(microseconds=1)

_FUNCTION_LIST: Final = "abs, ceil, exp, floor, max, min, pow, round and sqrt"
_KNOWN_NAMES: Final = frozenset({"retried", *_rc.FUNCTIONS})
_OPERAND_TEXT: Final = "a number, 'retried', a function call or '('"
#: Names longer than this get no "did you mean" (difflib's work grows with the length).
_MAX_SUGGESTED: Final = 32


# --- Checks before the parser ----------------------------------------------------------------

# Parentheses, the power operators, and any character outside the language.
_SCAN: Final = re.compile(r"[()]|\*\*|[^0-9A-Za-z_.+\-*/%, \t]")
# Tokens, for counting (an upper bound on what the parser will see; exact for valid input).
_TOKEN: Final = re.compile(r"[0-9.]+(?:[eE][+-]?[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*|[^ \t]")
_NUMBER: Final = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_CHARACTER_HINTS: Final = {
    **dict.fromkeys("<>=!?:&|", "comparisons and conditions are not supported"),
    **dict.fromkeys("'\"`", "strings are not supported"),
    **dict.fromkeys("[]{}", "only parentheses group"),
    ";": "an expression is one expression",
}


def _fail(code: str, message: str, span: tuple[int, int]) -> NoReturn:
    raise _rc.Failure(code, message, span)


def _check_characters(text: str) -> None:
    """Characters, ``^`` and ``**``, balanced parentheses, and their depth: one regex pass."""
    opened: list[int] = []
    for match in _SCAN.finditer(text):
        found, start = match.group(), match.start()
        if found == "(":
            opened.append(start)
            if len(opened) > MAX_RETRY_DELAY_DEPTH:
                _fail(
                    "retry_delay.too_deep",
                    f"parentheses nest more than {MAX_RETRY_DELAY_DEPTH} deep",
                    (start, start + 1),
                )
        elif found == ")":
            if not opened:
                _fail(
                    "retry_delay.unmatched_parenthesis",
                    "this ')' closes no '('",
                    (start, start + 1),
                )
            opened.pop()
        elif found in ("^", "**"):
            _fail(
                "retry_delay.power_operator",
                f"{found!r} is not an operator here; write a power as pow(x, y)",
                match.span(),
            )
        else:
            _fail(
                "retry_delay.invalid_character",
                f"unexpected character {found!r}{_character_hint(found)}",
                match.span(),
            )
    if opened:
        last = opened[-1]
        _fail("retry_delay.unclosed_parenthesis", "this '(' is never closed", (last, last + 1))


def _character_hint(char: str) -> str:
    if char.isspace():
        return "; only spaces and tabs may separate tokens"
    if char.isdigit() or char.isalpha():
        return "; names and numbers are ASCII"
    hint = _CHARACTER_HINTS.get(char)
    return f"; {hint}" if hint else ""


def _check_token_count(text: str) -> None:
    if len(text) <= MAX_RETRY_DELAY_TOKENS:  # a token is at least one character
        return
    if len(_TOKEN.findall(text)) <= MAX_RETRY_DELAY_TOKENS:
        return
    extra = next(itertools.islice(_TOKEN.finditer(text), MAX_RETRY_DELAY_TOKENS, None))
    _fail(
        "retry_delay.too_many_tokens",
        f"an expression has at most {MAX_RETRY_DELAY_TOKENS} tokens (numbers, names, "
        "operators, parentheses and commas)",
        (extra.start(), len(text)),
    )


# --- The parser ------------------------------------------------------------------------------
#
# Lark builds the LALR(1) automaton from grammars/retry_delay.lark; its tables are shipped as
# grammars/retry_delay.tables.json (tools/gen_retry_tables.py writes them, and a test checks they
# are Lark's tables of the grammar as it is), loaded once per process on first use, and a short
# loop here runs them. When the file does not match the grammar, Lark computes them at run time.
# Lark's own parse loop is general (interactive parsing, error
# recovery, tree building, token objects with line and column), and on this small language it
# spent about 90 us on the docs' longest example, far more than everything else a first parse
# does. The loop below follows Lark's tables exactly, shift for shift and reduce for reduce, and
# reports the same two kinds of error at the same positions (a character no terminal matches,
# and a token the automaton does not expect), so the messages built from them are unchanged.
# The lexer is one regular expression made from the grammar's terminals in the order Lark's
# basic lexer tries them (no two terminals of this grammar match at the same position, so the
# basic and the contextual lexer agree); it is run token by token as the parser asks, as Lark's is.
# The handlers below run as the parser reduces (a token is ``(terminal name, start, end)``), so
# the tree is built bottom-up without recursion, and its depth is checked as it grows: no input
# makes anything here recurse deeply.

# A rule's action on its children (tokens, nodes, or the spliced list of an inlined rule).
_Handler = Callable[[str, list[Any]], Any]


def _number(text: str, children: list[Any]) -> _rc.Node:
    _, start, end = children[0]
    value = float(text[start:end])  # the grammar's NUMBER is a valid Python float literal
    if not math.isfinite(value):
        _fail(
            "retry_delay.number_out_of_range",
            f"{_quoted(text[start:end])} is beyond the range of a double (about 1.8e308)",
            (start, end),
        )
    return _rc.Number(value, (start, end))


def _variable(_text: str, children: list[Any]) -> _rc.Node:
    _, start, end = children[0]
    return _rc.Variable((start, end))


def _unary(text: str, children: list[Any]) -> _rc.Node:
    (_, start, end), operand = children
    return _depth_checked(_rc.Unary(text[start:end], operand, (start, operand.span[1])))


def _binary(text: str, children: list[Any]) -> _rc.Node:
    left, (_, start, end), right = children
    op = text[start:end]
    level = 1 if op in "+-" else 2
    if isinstance(left, _rc.Chain) and left.level == level and not left.parenthesized:
        left.extend(op, right)
        return _depth_checked(left)
    return _depth_checked(_rc.Chain(level, left, op, right))


def _call(text: str, children: list[Any]) -> _rc.Node:
    (_, start, end), closing = children[0], children[-1]
    if len(children) == 5 and isinstance(children[3], list):  # min and max: the spliced rest
        children = [*children[:3], *children[3], closing]
    arguments = children[2:-1:2]
    return _depth_checked(_rc.Call(text[start:end], arguments, (start, closing[2])))


def _group(_text: str, children: list[Any]) -> _rc.Node:
    (_, start, _), node, (_, _, end) = children
    node.parenthesized = True
    node.span = (start, end)
    return node  # type: ignore[no-any-return]


def _inlined(_text: str, children: list[Any]) -> list[Any]:
    """A rule Lark inlines into its parent (its name starts with '_'): splice its children."""
    if children and isinstance(children[0], list):
        return [*children[0], *children[1:]]
    return children


#: The action of each rule, by its alias in the grammar (``-> binary``).
_HANDLERS: Final[dict[str, _Handler]] = {
    "number": _number,
    "variable": _variable,
    "unary": _unary,
    "binary": _binary,
    "call": _call,
    "group": _group,
}


def _depth_checked(node: _rc.Node) -> _rc.Node:
    if node.depth > MAX_RETRY_DELAY_DEPTH:
        _fail(
            "retry_delay.too_deep",
            f"the expression nests more than {MAX_RETRY_DELAY_DEPTH} levels deep",
            node.span,
        )
    return node


class _Machine:
    """Lark's LALR(1) tables for the grammar, in the form the loop in :func:`_run` reads.

    ``actions[state][symbol]`` is the next state (a shift, or the goto after a reduction) when
    it is 0 or more, and ``~rule`` (negative) for a reduction by ``rules[rule]``, which is
    ``(length, name of the rule, handler)``; a handler of ``None`` passes its one child up
    (Lark's ``?rule`` with one child), which changes only the state on top of the stack.

    Built from :func:`machine_tables` data: the tables Lark computes, shipped with the package
    as ``grammars/retry_delay.tables.json`` (so a process needs neither to import Lark nor to
    build the automaton, about 60 ms), or computed by Lark when that file does not match the
    grammar (an edited grammar is never parsed with old tables).
    """

    __slots__ = ("actions", "end", "lex", "rules", "start", "terminals", "units")

    def __init__(self, tables: Mapping[str, Any]) -> None:
        self.rules: list[tuple[int, str, _Handler | None]] = [
            (size, name, None if key is None else _inlined if key == "_inlined" else _HANDLERS[key])
            for size, name, key in tables["rules"]
        ]
        self.actions: list[dict[str, int]] = [dict(row) for row in tables["actions"]]
        self.start: int = tables["start"]
        self.end: int = tables["end"]
        self.lex = re.compile(tables["lex"]).match
        self.terminals: list[str] = list(tables["terminals"])
        #: ``(below, top, lookahead)`` -> the top state after every reduction by a rule of one
        #: child that follows (such a reduction changes the top state only, and the next one
        #: depends on the state below, which it leaves). Filled as met; at most 36 x 36 x 11.
        self.units: dict[tuple[int, int, str], int] = {}

    def after_units(self, below: int, top: int, kind: str) -> int:
        """The top state after the reductions by rules of one child that ``kind`` calls for."""
        while top != self.end:
            action = self.actions[top].get(kind)
            if action is None or action >= 0:
                break
            _, name, handler = self.rules[~action]
            if handler is not None:
                break
            top = self.actions[below][name]
        return top


def machine_tables(parser: Lark) -> dict[str, Any]:
    """Lark's tables for the loop in :func:`_run`, as JSON-ready data (see :class:`_Machine`).

    ``tools/gen_retry_tables.py`` writes them to ``grammars/retry_delay.tables.json``, with the
    SHA-256 of the grammar they were computed from.
    """
    from lark.parsers.lalr_analysis import Shift  # noqa: PLC0415 (lark is loaded by now)

    table = parser.parser.parser.parser.parse_table
    rules: list[list[Any]] = []
    indexes: dict[Any, int] = {}
    for rule in parser.rules:
        indexes[rule] = len(rules)
        size = len(rule.expansion)
        if rule.alias is not None:
            key: str | None = str(rule.alias)
            assert key in _HANDLERS, rule
        elif rule.origin.name.startswith("_"):
            key = "_inlined"
        else:
            assert rule.options.expand1, rule  # a ?rule with one child
            assert size == 1, rule
            key = None
        rules.append([size, str(rule.origin.name), key])
    actions: list[dict[str, int]] = [{} for _ in table.states]
    for state, row in table.states.items():
        for symbol, (action, argument) in row.items():
            # Plain str keys: Lark's names are Token objects, whose == is Python code.
            actions[state][str(symbol)] = argument if action is Shift else ~indexes[argument]
    # One regex for every terminal, tried in the order of Lark's basic lexer, after any
    # ignored whitespace; the last alternative matches the end of the text.
    terminals = sorted(
        parser.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    ignored = [t for t in terminals if t.name in parser.ignore_tokens]
    used = [t for t in terminals if t.name not in parser.ignore_tokens]
    for terminal in terminals:
        assert re.compile(terminal.pattern.to_regexp()).groups == 0, terminal
    skip = "|".join(t.pattern.to_regexp() for t in ignored)
    alternatives = "|".join(f"({t.pattern.to_regexp()})" for t in used)
    return {
        "rules": rules,
        "actions": [sorted(row.items()) for row in actions],
        "start": table.start_states["start"],
        "end": table.end_states["start"],
        "lex": f"(?:{skip})*(?:{alternatives}|()\\Z)",
        "terminals": ["", *(str(t.name) for t in used), "$END"],
    }


def grammar_digest() -> str:
    """The SHA-256 of ``grammars/retry_delay.lark``, which the shipped tables name."""
    import hashlib  # noqa: PLC0415

    return hashlib.sha256(grammar_text("retry_delay.lark").encode("utf-8")).hexdigest()


def _shipped_tables() -> dict[str, Any] | None:
    """The tables shipped with the package, or ``None`` if missing or not of this grammar."""
    import json  # noqa: PLC0415

    try:
        data: dict[str, Any] = json.loads(grammar_text(_TABLES_FILE))
    except (FileNotFoundError, ValueError):
        return None
    if data.get("grammar_sha256") != grammar_digest():
        return None
    return data


_TABLES_FILE: Final = "retry_delay.tables.json"


def _run(text: str) -> _rc.Node:
    """Lex and parse ``text`` with Lark's tables; raise :class:`_rc.Failure` on a syntax error."""
    machine = _machine()
    actions, rules, lex, terminals, end, units = (
        machine.actions,
        machine.rules,
        machine.lex,
        machine.terminals,
        machine.end,
        machine.units,
    )
    states = [machine.start]
    values: list[Any] = []
    position = 0
    while True:
        match = lex(text, position)
        if match is None:  # no terminal matches here (after any whitespace)
            position += len(text[position:]) - len(text[position:].lstrip(" \t"))
            raise _syntax_failure(text, position, None)
        index = match.lastindex
        assert index is not None
        kind = terminals[index]
        start = match.start(index)
        position = match.end()
        while True:
            action = actions[states[-1]].get(kind)
            if action is None:
                raise _syntax_failure(text, start, kind)
            if action >= 0:  # shift
                states.append(action)
                values.append((kind, start, position))
                break
            size, name, handler = rules[~action]
            if handler is None:  # one or more reductions by rules of one child, in one step
                key = (states[-2], states[-1], kind)
                top = units.get(key)
                if top is None:
                    top = units[key] = machine.after_units(states[-2], states[-1], kind)
                states[-1] = top
            else:
                children = values[-size:]
                del values[-size:]
                values.append(handler(text, children))
                del states[-size:]
                states.append(actions[states[-1]][name])
            if states[-1] == end:
                return values[-1]  # type: ignore[no-any-return]


def _parser() -> Lark:
    """The Lark parser, built on first use (not at import) and kept; it writes no files.

    Parsing goes through :func:`_machine` (its tables); the Lark object itself serves the
    grammar to the tests (``hypothesis.extra.lark`` generates expressions from it).
    """
    return lark_parser("retry_delay.lark")


def _machine() -> _Machine:
    machine = _MACHINE_HOLDER.get("machine")
    if machine is None:
        tables = _shipped_tables()
        if tables is None:  # an edited grammar: Lark computes its tables (and is imported)
            tables = machine_tables(_parser())
        with _MACHINE_LOCK:
            machine = _MACHINE_HOLDER.get("machine")
            if machine is None:
                machine = _Machine(tables)
                _MACHINE_HOLDER["machine"] = machine
    return machine


_MACHINE_HOLDER: dict[str, _Machine] = {}
_MACHINE_LOCK: Final = threading.Lock()


# --- Syntax errors: from Lark's exceptions to precise codes ----------------------------------


def _quoted(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "_.")


def _syntax_failure(text: str, position: int, kind: str | None) -> _rc.Failure:
    """Explain a syntax error by looking at the text around where the parser stopped.

    ``kind`` is the terminal the parser did not expect at ``position`` (``$END`` for the end),
    or ``None`` when no terminal matches there.
    """
    if position < len(text) and _is_word_char(text[position]):
        start, end = position, position
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
        while end < len(text) and _is_word_char(text[end]):
            end += 1
        failure = _word_failure(text, start, end)
        if failure is not None:
            return failure
    return _token_failure(text, position, kind)


def _word_failure(text: str, start: int, end: int) -> _rc.Failure | None:
    """Explain a run of letters, digits, ``_`` and ``.`` that is not one valid token."""
    identifier = _IDENTIFIER.match(text, start, end)
    if identifier is not None:
        name = identifier.group()
        if name not in _KNOWN_NAMES:
            return _unknown_name(text, identifier.start(), identifier.end())
        if identifier.end() == end:
            return None
        return _rc.Failure(
            "retry_delay.unexpected_token",
            f"unexpected {text[identifier.end()]!r} after {name!r}",
            (identifier.end(), identifier.end() + 1),
        )
    number = _NUMBER.match(text, start, end)
    word = text[start:end]
    if number is None:
        return _rc.Failure(
            "retry_delay.invalid_number", f"{_quoted(word)} is not a number", (start, end)
        )
    if number.end() == end:
        return None
    after = _IDENTIFIER.match(text, number.end(), end)
    if after is not None and after.group() in _KNOWN_NAMES:
        return _rc.Failure(
            "retry_delay.missing_operator",
            f"expected an operator between {number.group()!r} and {after.group()!r}, "
            f"e.g. '{number.group()} * {after.group()}'",
            after.span(),
        )
    if text[number.end()] in "eE" and end == number.end() + 1:
        stop = end + 1 if end < len(text) and text[end] in "+-" else end
        return _rc.Failure(
            "retry_delay.invalid_number",
            f"{_quoted(text[start:stop])} is not a number: the exponent has no digits",
            (start, stop),
        )
    return _rc.Failure(
        "retry_delay.invalid_number", f"{_quoted(word)} is not a number", (start, end)
    )


def _unknown_name(text: str, start: int, end: int) -> _rc.Failure:
    name = text[start:end]
    rest = text[end:].lstrip(" \t")
    called = rest.startswith("(")
    candidates = list(_rc.FUNCTIONS) if called else ["retried"]
    hint = ""
    if name.lower() in _KNOWN_NAMES:
        hint = f" (did you mean {name.lower()!r}? names are case-sensitive)"
    elif len(name) <= _MAX_SUGGESTED:
        import difflib  # noqa: PLC0415 (only for this message: not loaded at import)

        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
        elif name in ("e", "E"):
            hint = " (for e to the power x, write exp(x))"
    if called:
        return _rc.Failure(
            "retry_delay.unknown_function",
            f"unknown function {name!r}{hint}; the functions are {_FUNCTION_LIST}",
            (start, end),
        )
    return _rc.Failure(
        "retry_delay.unknown_name",
        f"unknown name {name!r}{hint}; the only variable is 'retried'",
        (start, end),
    )


def _previous_token(text: str, position: int) -> tuple[int, int] | None:
    """The span of the token before ``position`` (whitespace skipped), if any."""
    end = len(text[:position].rstrip(" \t"))
    if end == 0:
        return None
    start = end - 1
    if _is_word_char(text[start]):
        while start > 0 and _is_word_char(text[start - 1]):
            start -= 1
    return start, end


def _token_failure(text: str, position: int, kind: str | None) -> _rc.Failure:
    """Explain a token the parser did not expect (``kind`` is its terminal name)."""
    previous = _previous_token(text, position)
    before = "" if previous is None else text[previous[0] : previous[1]]
    length = 1 if kind in ("LPAR", "RPAR", "COMMA", "ADD_OP", "MUL_OP") else 0
    if kind not in (None, "$END", "LPAR", "RPAR", "COMMA", "ADD_OP", "MUL_OP"):
        length = len(_TOKEN.match(text, position).group())  # type: ignore[union-attr]
    span = (position, position + length)
    found = text[span[0] : span[1]]
    if previous is not None and before in _rc.FUNCTIONS and kind != "LPAR":
        return _rc.Failure(
            "retry_delay.misused_name",
            f"{before!r} is a function: call it, e.g. {_usage(before)}",
            previous,
        )
    if kind == "LPAR" and before == "retried":
        return _rc.Failure(
            "retry_delay.misused_name",
            "'retried' is a variable, not a function; write 'retried * (...)' to multiply",
            previous or span,
        )
    if kind == "$END":
        return _rc.Failure(
            "retry_delay.missing_operand",
            f"the expression ends after {before!r}; expected {_OPERAND_TEXT}",
            span,
        )
    if kind in ("COMMA", "RPAR"):
        call = _enclosing_call(text, position)
        if call is not None:
            arity = _arity_failure(text, *call)
            if arity is not None:
                return arity
        elif kind == "COMMA":
            return _rc.Failure(
                "retry_delay.unexpected_token",
                "a ',' separates the arguments of a function call, and this one is in none",
                span,
            )
        return _rc.Failure(
            "retry_delay.missing_operand", f"expected {_OPERAND_TEXT} before {found!r}", span
        )
    if kind == "MUL_OP":
        return _rc.Failure(
            "retry_delay.missing_operand", f"expected {_OPERAND_TEXT} before {found!r}", span
        )
    if kind in ("NUMBER", "RETRIED", "FUNCTION_1", "FUNCTION_2", "FUNCTION_N", "LPAR"):
        return _rc.Failure(
            "retry_delay.missing_operator",
            f"expected an operator (+ - * / %) between {before!r} and {found!r}",
            span,
        )
    return _rc.Failure(  # pragma: no cover - every terminal is handled above
        "retry_delay.unexpected_token", f"unexpected {found!r}", span
    )


def _usage(name: str) -> str:
    arity = _rc.FUNCTIONS[name]
    if arity is None:
        return f"{name}(a, b)"
    return f"{name}(x, y)" if arity == 2 else f"{name}(x)"


def _enclosing_call(text: str, position: int) -> tuple[str, int, int, int] | None:
    """The call whose parentheses contain ``position``: name, name start, '(' and ')'."""
    opened: list[int] = []
    for index in range(position):
        if text[index] == "(":
            opened.append(index)
        elif text[index] == ")" and opened:
            opened.pop()
    if not opened:
        return None
    opening = opened[-1]
    previous = _previous_token(text, opening)
    if previous is None or text[previous[0] : previous[1]] not in _rc.FUNCTIONS:
        return None
    depth = 0
    closing = opening
    for index in range(opening, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                closing = index
                break
    return text[previous[0] : previous[1]], previous[0], opening, closing


def _arity_failure(
    text: str, name: str, start: int, opening: int, closing: int
) -> _rc.Failure | None:
    """An arity error if the call's argument count is wrong (an empty argument counts)."""
    inside = text[opening + 1 : closing]
    commas = 0
    depth = 0
    for char in inside:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
    count = 0 if not inside.strip(" \t") else commas + 1
    arity = _rc.FUNCTIONS[name]
    if (arity is None and count >= 2) or count == arity:
        return None
    if arity is None:
        wanted = "2 or more arguments"
    else:
        wanted = f"{arity} argument{'s' if arity > 1 else ''}"
    return _rc.Failure(
        "retry_delay.arity",
        f"{name} takes {wanted}, e.g. {_usage(name)}, but is given {count}",
        (start, closing + 1),
    )


# --- Parsing ---------------------------------------------------------------------------------


def _error(failure: _rc.Failure, text: str) -> InvalidRetryDelay:
    return InvalidRetryDelay(failure.message, code=failure.code, value=text, span=failure.span)


def _build(text: str) -> RetryDelay:
    """Parse, check and compile ``text``; raise :class:`InvalidRetryDelay`."""
    if len(text) > MAX_RETRY_DELAY_LENGTH:
        raise InvalidRetryDelay(
            f"a retry-delay expression is at most {MAX_RETRY_DELAY_LENGTH} characters, "
            f"got {len(text)}",
            code="retry_delay.too_long",
            value=text,
            span=(MAX_RETRY_DELAY_LENGTH, len(text)),
        )
    try:
        tree = _parse(text)
        _rc.fold(tree, text)
        if tree.value is not None:
            _rc.check_result(tree.value, text, None)
    except _rc.Failure as failure:
        raise _error(failure, text) from None

    def slow(retried: int) -> float:
        try:
            value = _rc.evaluate(tree, text, retried)
            return _rc.check_result(value, text, retried)
        except _rc.Failure as failure:
            raise _error(failure, text) from None

    evaluate = _rc.build(
        tree,
        skeleton=_NUMBER.sub("#", text.replace(" ", "").replace("\t", "")),
        slow=slow,
        invalid=_invalid_retried,
        max_retried=MAX_RETRIED,
        programs=_PROGRAMS,
        compile_after=_COMPILE_AFTER,
    )
    evaluate.__qualname__ = "RetryDelay.evaluate"
    evaluate.__doc__ = _EVALUATE_DOC
    return RetryDelay._create(text, tree, evaluate)


def _parse(text: str) -> _rc.Node:
    if text.isdigit() and text.isascii():
        # A constant delay, the commonest expression: one NUMBER token, whose tree the parser
        # would make with the same handler (tests/test_retry_delay.py compares the two).
        return _number(text, [("NUMBER", 0, len(text))])
    if not text.strip(" \t"):
        _fail(
            "retry_delay.empty",
            "expected an expression such as 'pow(2, retried) * 1000', got an empty value",
            (0, len(text)),
        )
    _check_characters(text)
    _check_token_count(text)
    return _run(text)


def _invalid_retried(retried: object) -> NoReturn:
    if type(retried) is not int:
        msg = f"retried must be an int, not {type(retried).__name__}"
        raise TypeError(msg)
    raise InvalidRetryDelay(
        f"retried must be from 0 to {MAX_RETRIED} (2**53), got {retried}",
        code="retry_delay.retried_out_of_range",
    )


_EVALUATE_DOC: Final = """The value of the expression, in milliseconds, for this ``retried``.

Raises:
    InvalidRetryDelay: the expression fails for this ``retried`` (division by zero, overflow,
        a negative result, ...; see ``InvalidRetryDelay.CODES``).
        ``retry_delay.retried_out_of_range`` when ``retried`` is negative or larger than
        ``MAX_RETRIED``.
    TypeError: ``retried`` is not an int (``bool`` is refused).
"""


class RetryDelay:
    """A parsed and compiled retry-delay expression. Immutable and hashable.

    Two expressions are equal when their canonical forms (``str()``) are; the text they were
    parsed from is kept as ``source``.

    >>> delay = parse_retry_delay("1000*(1+retried)")
    >>> str(delay), delay.source
    ('1000 * (1 + retried)', '1000*(1+retried)')
    >>> delay == parse_retry_delay("1000 * (1 + retried)")
    True
    >>> RetryDelay("1e3")
    RetryDelay('1000')

    ``evaluate(retried)`` gives the value of the expression in milliseconds, as a float. It is
    a function stored on the object (an attribute, not a method), so a call costs one Python
    call, checks included. The function is compiled Python code: at once when an expression of
    the same shape (the same but for its numbers) was compiled before, else from its 8th call
    (until then it runs the reference evaluator, with the same results; the same function
    object, so a reference to it held by the caller gets the compiled code too):

    >>> parse_retry_delay("max(1000, pow(2, retried) * 100)").evaluate(5)
    3200.0
    >>> try:
    ...     parse_retry_delay("1000 / retried").evaluate(0)
    ... except InvalidRetryDelay as err:
    ...     print(err)
    division by zero: 'retried' is 0 when retried is 0
      1000 / retried
             ^^^^^^^

    ``evaluate`` raises :class:`InvalidRetryDelay` when the expression fails for this
    ``retried`` (division by zero, overflow, a negative result, ...) or when ``retried`` is
    negative or larger than :data:`MAX_RETRIED` (``retry_delay.retried_out_of_range``), and
    ``TypeError`` when ``retried`` is not an int (``bool`` is refused):

    >>> parse_retry_delay("1000").evaluate(-1)
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidRetryDelay: retried must be from 0 to 9007199254740992 (2**53), got -1
    """

    __slots__ = {
        "_canonical": "The canonical form, written on first use (None until then).",
        "_hash": "The hash of the canonical form (None until first used).",
        "_tree": "The syntax tree, folded.",
        "evaluate": _EVALUATE_DOC,
        "source": "The text this expression was parsed from.",
    }

    source: str
    evaluate: Callable[[int], float]
    _canonical: str | None
    _hash: int | None
    _tree: _rc.Node

    def __init__(self, text: str) -> None:
        parsed = parse_retry_delay(text)
        for name in RetryDelay.__slots__:
            object.__setattr__(self, name, getattr(parsed, name))

    @classmethod
    def _create(cls, source: str, tree: _rc.Node, evaluate: Callable[[int], float]) -> RetryDelay:
        self = object.__new__(cls)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "_tree", tree)
        object.__setattr__(self, "evaluate", evaluate)
        object.__setattr__(self, "_canonical", None)
        object.__setattr__(self, "_hash", None)
        return self

    def _canonical_form(self) -> str:
        """The canonical form, written the first time it is asked for (a gateway may never)."""
        canonical = self._canonical
        if canonical is None:
            canonical = _rc.render(self._tree)
            if len(canonical) > MAX_RETRY_DELAY_LENGTH:
                canonical = _rc.render(self._tree, spaced=False)
            object.__setattr__(self, "_canonical", canonical)
        return canonical

    def delay(self, retried: int) -> timedelta:
        """The delay before the retry after ``retried`` retries, truncated to microseconds.

        >>> parse_retry_delay("pow(2, retried) * 1000").delay(3)
        datetime.timedelta(seconds=8)
        >>> parse_retry_delay("0.0015").delay(0)
        datetime.timedelta(microseconds=1)

        Raises:
            InvalidRetryDelay: as :meth:`evaluate`, or ``retry_delay.out_of_range`` for a
                delay longer than the server's longest duration (about 292 years).

        """
        milliseconds = self.evaluate(retried)
        numerator, denominator = milliseconds.as_integer_ratio()
        microseconds = numerator * 1000 // denominator  # exact, and not negative
        if microseconds > _MAX_DELAY_MICROSECONDS:
            raise InvalidRetryDelay(
                f"a delay of {_rc.format_number(milliseconds)} ms when retried is {retried} is "
                "longer than the longest duration the server holds (about 292 years)",
                code="retry_delay.out_of_range",
                value=self.source,
                span=(0, len(self.source)),
            )
        return timedelta(microseconds=microseconds)

    def schedule(self, retries: int) -> list[timedelta]:
        """The delays before each of ``retries`` retries (``retried`` = 0 .. retries - 1).

        >>> [str(delay) for delay in parse_retry_delay("1000 * (1 + retried)").schedule(3)]
        ['0:00:01', '0:00:02', '0:00:03']

        Raises:
            InvalidRetryDelay: as :meth:`delay`, for the first ``retried`` that fails;
                ``retry_delay.negative_retries`` when ``retries`` is negative, and
                ``retry_delay.schedule_too_long`` when it is more than :data:`MAX_SCHEDULE`.
            TypeError: ``retries`` is not an int (``bool`` is refused).

        """
        if type(retries) is not int:
            msg = f"retries must be an int, not {type(retries).__name__}"
            raise TypeError(msg)
        if retries < 0:
            raise InvalidRetryDelay(
                f"retries must be 0 or more, got {retries}", code="retry_delay.negative_retries"
            )
        if retries > MAX_SCHEDULE:
            text = str(retries)
            raise InvalidRetryDelay(
                f"a schedule lists at most {MAX_SCHEDULE} delays, got {text}; call delay() "
                "for the retry at hand instead",
                code="retry_delay.schedule_too_long",
                value=text,
                span=(0, len(text)),
            )
        delay = self.delay
        return [delay(retried) for retried in range(retries)]

    def __str__(self) -> str:
        return self._canonical or self._canonical_form()

    def __repr__(self) -> str:
        return f"RetryDelay({self._canonical_form()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RetryDelay):
            return NotImplemented
        return self._canonical_form() == other._canonical_form()

    def __hash__(self) -> int:
        value = self._hash
        if value is None:
            value = hash(("RetryDelay", self._canonical_form()))
            object.__setattr__(self, "_hash", value)
        return value

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"RetryDelay is immutable; cannot set {name!r}"
        raise AttributeError(msg)

    def __delattr__(self, name: str) -> None:
        msg = f"RetryDelay is immutable; cannot delete {name!r}"
        raise AttributeError(msg)

    def __reduce__(self) -> tuple[Callable[[str], RetryDelay], tuple[str]]:
        return parse_retry_delay, (self.source,)

    def __copy__(self) -> RetryDelay:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> RetryDelay:
        return self

    @classmethod
    def __get_pydantic_core_schema__(cls, source_type: object, handler: object) -> Any:
        """Let pydantic models hold a ``RetryDelay``: validated from a str, serialized by ``str()``.

        >>> from pydantic import BaseModel
        >>> class Retry(BaseModel):
        ...     delay: RetryDelay
        >>> model = Retry(delay="1000*(1+retried)")
        >>> model.model_dump_json()
        '{"delay":"1000 * (1 + retried)"}'
        """
        from pydantic_core import core_schema  # noqa: PLC0415 (only for pydantic users)

        from_text = core_schema.no_info_after_validator_function(
            parse_retry_delay, core_schema.str_schema()
        )
        return core_schema.json_or_python_schema(
            json_schema=from_text,
            python_schema=core_schema.union_schema(
                [core_schema.is_instance_schema(cls), from_text]
            ),
            serialization=core_schema.to_string_ser_schema(),
        )


_CACHE: dict[str, RetryDelay] = {}
_REJECTED: dict[str, tuple[str, str, tuple[int, int]]] = {}
_CACHE_LOCK: Final = threading.Lock()


def parse_retry_delay(text: str) -> RetryDelay:
    """Parse and compile a retry-delay expression such as ``pow(2, retried) * 1000``.

    The language and every reading taken are in the module docstring. The result is cached
    (a bounded cache): a gateway sees the same few expressions all day, and a repeated text
    costs one dictionary lookup.

    >>> parse_retry_delay("max(1000, pow(2, retried) * 100)").schedule(5)[-1]
    datetime.timedelta(seconds=1, microseconds=600000)
    >>> try:
    ...     parse_retry_delay("2 ^ retried")
    ... except InvalidRetryDelay as err:
    ...     print(err)
    '^' is not an operator here; write a power as pow(x, y)
      2 ^ retried
        ^

    Raises:
        InvalidRetryDelay: with one of the codes in ``InvalidRetryDelay.CODES``.
        TypeError: ``text`` is not a str.

    """
    # The length first: a huge text is refused without hashing it for the cache.
    if text.__class__ is str and len(text) <= MAX_RETRY_DELAY_LENGTH:
        cached = _CACHE.get(text)
        if cached is not None:
            return cached
    return _parse_and_remember(text)


def _parse_and_remember(text: str) -> RetryDelay:
    if not isinstance(text, str):
        msg = f"a retry-delay expression must be a str, not {type(text).__name__}"
        raise TypeError(msg)
    if len(text) <= MAX_RETRY_DELAY_LENGTH:
        rejected = _REJECTED.get(text)
        if rejected is not None:  # seen and refused: the same error, without parsing again
            message, code, span = rejected
            raise InvalidRetryDelay(message, code=code, value=text, span=span)
    try:
        result = _build(text)
    except InvalidRetryDelay as error:
        if error.code != "retry_delay.too_long":
            with _CACHE_LOCK:
                if len(_REJECTED) >= _CACHE_SIZE:
                    del _REJECTED[next(iter(_REJECTED))]
                _REJECTED[text] = (error.message, error.code, error.span or (0, len(text)))
        raise
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[text] = result
    return result


def default_backoff(n: int, *, k: float = DEFAULT_BACKOFF_K) -> timedelta:
    """QStash's delay when no retry-delay expression is given: ``min(86400, e ** (k * n))`` s.

    Truncated to whole seconds, the precision of the docs' table. ``k`` defaults to 2.5, the
    current docs and their table; older docs say 2 (see the module docstring).

    >>> [str(default_backoff(n)) for n in range(1, 6)]
    ['0:00:12', '0:02:28', '0:30:08', '6:07:06', '1 day, 0:00:00']
    >>> default_backoff(1, k=2)
    datetime.timedelta(seconds=7)

    >>> default_backoff(1, k=float("nan"))
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidRetryDelay: k must be a positive finite number, got nan

    Raises:
        InvalidRetryDelay: ``retry_delay.retried_out_of_range`` when ``n`` is negative,
            ``retry_delay.invalid_backoff_factor`` when ``k`` is not a positive finite number.
        TypeError: ``n`` is not an int (``bool`` is refused) or ``k`` is not a number.

    """
    if type(n) is not int:
        msg = f"n must be an int, not {type(n).__name__}"
        raise TypeError(msg)
    if n < 0:
        raise InvalidRetryDelay(
            f"n (the number of retries so far) must be 0 or more, got {n}",
            code="retry_delay.retried_out_of_range",
        )
    if isinstance(k, bool) or not isinstance(k, (int, float)):
        msg = f"k must be a number, not {type(k).__name__}"
        raise TypeError(msg)
    try:
        factor = float(k)  # an int beyond the double range overflows here
    except OverflowError:
        factor = math.inf
    if not (math.isfinite(factor) and factor > 0):
        raise InvalidRetryDelay(
            f"k must be a positive finite number, got {k!r}",
            code="retry_delay.invalid_backoff_factor",
        )
    try:
        seconds = min(_BACKOFF_CAP_SECONDS, math.exp(factor * n))
    except OverflowError:  # e ** (k * n) beyond any double, or n beyond any double
        seconds = _BACKOFF_CAP_SECONDS
    return timedelta(seconds=math.floor(seconds))
