"""Inside retry-delay expressions: syntax tree, reference evaluator, canonical form, compiler.

The public module (:mod:`qstash_protocol.values.retry_delay`) parses text into the tree defined
here; this module gives the tree its meaning. It knows nothing of Lark or of the public error
class: it raises :class:`Failure` (a code, a message and a span), which the public module turns
into ``InvalidRetryDelay``.

There are two evaluators, and they must agree:

- :func:`evaluate` is the reference. It walks the tree and checks every step: a division or
  modulo by zero, a ``sqrt`` of a negative, a ``pow`` that divides by zero or is not a real
  number, and any value beyond the double range are errors wherever they occur, and the result
  must not be negative. It is slow and exact, and it says where things went wrong.
- The compiled function (:func:`build`, :func:`compile_tree`) is the tree turned into Python
  through generated source code. The generator writes every token of that source itself:
  operators and helper names from fixed tables, numbers as the ``repr`` of floats it computed.
  No character of the user's text reaches the source. The function computes with plain float
  operations and checks cheaply at the end; whenever anything could have gone wrong (an
  exception, a result that is not finite or is negative, a non-finite value where a later
  operation could have hidden it) it hands over to the reference evaluator, which gives the
  exact answer or the precise error. Where interval arithmetic (:func:`bounds`) proves that no
  step can fail and the result is not negative, the function returns the value unchecked.

Compiling costs more than everything else a first parse does (``compile()`` alone is 50 to
100 us, simpleeval parses and evaluates a typical expression in 10 to 20 us), so it is done
once per *shape*: the generated source with its numbers as placeholders (:func:`shape`).
:class:`Program` compiles a shape once, with a stand-in constant for each number, and gives
each expression of that shape its code by putting its numbers in place of the stand-ins
(``CodeType.replace``), which costs about a microsecond. An expression of a shape never
compiled starts with the reference evaluator and is compiled on a later call (:func:`build`):
most expressions a gateway sees are evaluated a few times, and a new shape is rarer still.

The depth of every tree is bounded by the parser (``MAX_RETRY_DELAY_DEPTH``), so the recursive
functions here stay far from Python's recursion limit.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import Final

__all__ = [
    "FUNCTIONS",
    "Call",
    "Chain",
    "Failure",
    "Node",
    "Number",
    "Program",
    "Programs",
    "Unary",
    "Variable",
    "bounds",
    "build",
    "check_result",
    "compile_tree",
    "evaluate",
    "fold",
    "format_number",
    "numbers",
    "render",
    "round_half_away",
    "shape",
]

#: The functions and how many arguments each takes (``None``: two or more).
FUNCTIONS: Final[dict[str, int | None]] = {
    "abs": 1,
    "ceil": 1,
    "exp": 1,
    "floor": 1,
    "max": None,
    "min": None,
    "pow": 2,
    "round": 1,
    "sqrt": 1,
}

#: At or beyond this magnitude every double is a whole number (2**52).
_ALL_WHOLE: Final = 4503599627370496.0


class Failure(Exception):
    """An invalid expression: raised here, turned into ``InvalidRetryDelay`` by the caller."""

    def __init__(self, code: str, message: str, span: tuple[int, int]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span


# --- The syntax tree ------------------------------------------------------------------------


class Node:
    """A node of the syntax tree.

    ``span`` is the node's ``(start, end)`` in the source text (parentheses included when the
    node was written in parentheses), ``depth`` its height (a leaf is 1), and ``value`` its
    value when it does not depend on ``retried`` (set by :func:`fold`).
    """

    __slots__ = ("depth", "parenthesized", "span", "value")

    def __init__(self, span: tuple[int, int], depth: int) -> None:
        self.span = span
        self.depth = depth
        self.parenthesized = False
        self.value: float | None = None


class Number(Node):
    """A number literal, already converted to the nearest double."""

    __slots__ = ("number",)

    def __init__(self, number: float, span: tuple[int, int]) -> None:
        super().__init__(span, 1)
        self.number = number
        self.value = number


class Variable(Node):
    """The variable ``retried``."""

    __slots__ = ()

    def __init__(self, span: tuple[int, int]) -> None:
        super().__init__(span, 1)


class Unary(Node):
    """``-x`` or ``+x``."""

    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node, span: tuple[int, int]) -> None:
        super().__init__(span, operand.depth + 1)
        self.op = op
        self.operand = operand


class Chain(Node):
    """Operands joined by operators of one precedence level, evaluated left to right.

    ``a - b + c`` is one chain at level 1 (``+ -``); ``a * b / c % d`` one at level 2
    (``* / %``). Chains keep left-associative sums and products flat, so ``1 + 1 + ... + 1``
    is not a deep tree. ``folded`` is how many of ``ops`` (from the left) :func:`fold` has
    already applied to get ``prefix``, the value of the constant start of the chain.
    """

    __slots__ = ("first", "folded", "level", "operands", "ops", "prefix")

    def __init__(self, level: int, first: Node, op: str, operand: Node) -> None:
        super().__init__((first.span[0], operand.span[1]), max(first.depth, operand.depth) + 1)
        self.level = level
        self.first = first
        self.ops = [op]
        self.operands = [operand]
        self.folded = 0
        self.prefix: float | None = None

    def extend(self, op: str, operand: Node) -> None:
        """Append ``op operand`` (the parser reduces ``chain op operand`` left to right)."""
        self.ops.append(op)
        self.operands.append(operand)
        self.span = (self.span[0], operand.span[1])
        self.depth = max(self.depth, operand.depth + 1)


class Call(Node):
    """A function call; the parser has checked the name and the number of arguments."""

    __slots__ = ("args", "name")

    def __init__(self, name: str, args: list[Node], span: tuple[int, int]) -> None:
        super().__init__(span, max(arg.depth for arg in args) + 1)
        self.name = name
        self.args = args


def _children(node: Node) -> list[Node]:
    if isinstance(node, Unary):
        return [node.operand]
    if isinstance(node, Chain):
        return [node.first, *node.operands]
    if isinstance(node, Call):
        return node.args
    return []


def _strip_plus(node: Node) -> Node:
    """Unary plus changes nothing (not even the sign of zero); look through it."""
    while isinstance(node, Unary) and node.op == "+":
        node = node.operand
    return node


# --- Numbers ---------------------------------------------------------------------------------


def format_number(value: float, *, shortest: bool = False) -> str:
    """Write a finite double so that it reads back as the same double.

    The digits are the fewest that round-trip (Python's ``repr``). By default the form is
    fixed-point from 1e-4 up to 1e16 and scientific outside, with no ``+`` and no leading
    zeros in the exponent: ``1000``, ``0.1``, ``1e16``, ``1.5e-5``. With ``shortest=True`` the
    shorter of the two forms is written (fixed-point on a tie), so the result is never longer
    than any literal that denotes the same double.

    >>> format_number(1000.0), format_number(1e16), format_number(2.5e-05)
    ('1000', '1e16', '2.5e-5')
    >>> format_number(1000.0, shortest=True), format_number(100.0, shortest=True)
    ('1e3', '100')
    >>> format_number(-0.5)
    '-0.5'
    """
    if value < 0 or math.copysign(1.0, value) < 0:
        return "-" + format_number(-value, shortest=shortest)
    if not shortest:
        # Python's repr has the fewest digits that round-trip, and switches to scientific
        # notation exactly where this form does (below 1e-4, from 1e16 on): drop its ".0",
        # its "+" and the leading zeros of its exponent.
        text = repr(float(value))
        if "e" in text:
            mantissa, exponent_text = text.split("e")
            return f"{mantissa}e{int(exponent_text)}"
        return text.removesuffix(".0")
    from decimal import Decimal  # noqa: PLC0415 (rarely needed: not loaded at import)

    _, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    if digits == "0":
        return "0"
    count = len(digits)
    if exponent >= 0:
        fixed = digits + "0" * exponent
    elif -exponent < count:
        fixed = digits[: count + exponent] + "." + digits[count + exponent :]
    else:
        fixed = "0." + "0" * (-exponent - count) + digits
    leading = exponent + count - 1  # the power of ten of the first digit
    mantissa = digits[0] + ("." + digits[1:] if count > 1 else "")
    scientific = f"{mantissa}e{leading}"
    if shortest:
        return fixed if len(fixed) <= len(scientific) else scientific
    return fixed if -4 <= leading < 16 else scientific


# --- Canonical rendering ---------------------------------------------------------------------


def _level(node: Node) -> int:
    """Precedence: 1 for ``+ -`` chains, 2 for ``* / %`` chains, 3 for unary, 4 for atoms."""
    if isinstance(node, Chain):
        return node.level
    if isinstance(node, Unary):
        return 3
    return 4


def render(node: Node, *, spaced: bool = True) -> str:
    """The canonical text of a tree: minimal parentheses, no unary plus, canonical numbers.

    ``spaced`` puts one space around binary operators and after commas, as the docs write
    expressions; without it nothing is spaced and numbers take their shortest form, so the
    text is never longer than the source it was parsed from.
    """
    node = _strip_plus(node)
    if isinstance(node, Number):
        return format_number(node.number, shortest=not spaced)
    if isinstance(node, Variable):
        return "retried"
    if isinstance(node, Unary):
        return "-" + _render_operand(node.operand, 3, spaced=spaced)
    if isinstance(node, Chain):
        parts = [_render_operand(node.first, node.level, spaced=spaced)]
        for op, operand in zip(node.ops, node.operands, strict=True):
            parts.append(f" {op} " if spaced else op)
            parts.append(_render_operand(operand, node.level + 1, spaced=spaced))
        return "".join(parts)
    assert isinstance(node, Call)
    separator = ", " if spaced else ","
    return f"{node.name}({separator.join(render(arg, spaced=spaced) for arg in node.args)})"


def _render_operand(node: Node, lowest: int, *, spaced: bool) -> str:
    text = render(node, spaced=spaced)
    return text if _level(_strip_plus(node)) >= lowest else f"({text})"


# --- The reference evaluator -----------------------------------------------------------------


def round_half_away(x: float) -> float:
    """Round to the nearest whole number, halves away from zero (Go's ``math.Round``).

    >>> round_half_away(2.5), round_half_away(-2.5), round_half_away(0.49999999999999994)
    (3.0, -3.0, 0.0)
    """
    if not abs(x) < _ALL_WHOLE:  # already whole, or not finite
        return float(x)  # the fast code may pass retried as an int
    whole = float(math.trunc(x))
    if abs(x - whole) >= 0.5:  # exact: x - whole is the fraction of x
        whole += math.copysign(1.0, x)
    return math.copysign(whole, x)


def _floor(x: float) -> float:
    """Go's ``math.Floor`` for finite ``x``, as a float (Python's returns an int)."""
    return math.copysign(float(math.floor(x)), x)


def _ceil(x: float) -> float:
    """Go's ``math.Ceil`` for finite ``x``, as a float; ``ceil(-0.5)`` is -0, as in Go."""
    return math.copysign(float(math.ceil(x)), x)


_MAX_QUOTED: Final = 40


class _Context:
    """What error messages need: the source text and the value of ``retried`` (or None)."""

    __slots__ = ("retried", "source")

    def __init__(self, source: str, retried: int | None) -> None:
        self.source = source
        self.retried = retried

    def quote(self, node: Node) -> str:
        text = self.source[node.span[0] : node.span[1]]
        if len(text) > _MAX_QUOTED:
            text = text[: _MAX_QUOTED - 3] + "..."
        return repr(text)

    def when(self) -> str:
        return "" if self.retried is None else f" when retried is {self.retried}"


def evaluate(node: Node, source: str, retried: int | None) -> float:
    """Evaluate ``node`` exactly as the module docstring says, or raise :class:`Failure`.

    ``retried=None`` evaluates a constant tree (one :func:`fold` has marked constant); the
    final check (not negative) is the caller's.
    """
    x = None if retried is None else float(retried)
    return _eval(node, x, _Context(source, retried))


def _eval(node: Node, x: float | None, context: _Context) -> float:
    if node.value is not None:
        return node.value
    if isinstance(node, Variable):
        assert x is not None, "a constant tree has no variable"
        return x
    if isinstance(node, Unary):
        value = _eval(node.operand, x, context)
        return -value if node.op == "-" else value
    if isinstance(node, Chain):
        return _eval_chain(node, len(node.ops), x, context)
    assert isinstance(node, Call)
    args = [_eval(arg, x, context) for arg in node.args]
    return _call(node, args, context)


def _eval_chain(node: Chain, stop: int, x: float | None, context: _Context) -> float:
    """Apply the chain's operators from the left, up to (not including) ``ops[stop]``."""
    if node.prefix is not None:
        result = node.prefix
        start = node.folded
    else:
        result = _eval(node.first, x, context)
        start = 0
    begin = node.first.span[0]  # where the part computed so far starts
    for index in range(start, stop):
        result = _binary(node.ops[index], result, node.operands[index], begin, x, context)
    return result


def _binary(
    op: str,
    left: float,
    operand: Node,
    begin: int,
    x: float | None,
    context: _Context,
) -> float:
    right = _eval(operand, x, context)
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    else:
        if right == 0:
            what = "division" if op == "/" else "modulo"
            raise Failure(
                "retry_delay.division_by_zero",
                f"{what} by zero: {context.quote(operand)} is 0{context.when()}",
                operand.span,
            )
        # Go's math.Mod: the remainder has the sign of the dividend (C fmod), not Python's %.
        result = left / right if op == "/" else math.fmod(left, right)
    if not math.isfinite(result):
        _raise_overflow((begin, operand.span[1]), context)
    return result


def _raise_overflow(span: tuple[int, int], context: _Context) -> None:
    text = context.source[span[0] : span[1]]
    if len(text) > _MAX_QUOTED:
        text = text[: _MAX_QUOTED - 3] + "..."
    raise Failure(
        "retry_delay.overflow",
        f"{text!r} is beyond the range of a double (about 1.8e308){context.when()}",
        span,
    )


def _call(node: Call, args: list[float], context: _Context) -> float:
    name = node.name
    if name == "pow":
        base, exponent = args
        if base == 0 and exponent < 0:
            raise Failure(
                "retry_delay.division_by_zero",
                f"pow(0, y) with y < 0 divides by zero: {context.quote(node)} is "
                f"pow({format_number(base)}, {format_number(exponent)}){context.when()}",
                node.span,
            )
        if base < 0 and exponent != math.floor(exponent):
            raise Failure(
                "retry_delay.domain_error",
                f"a negative number to a fractional power is not a real number: "
                f"{context.quote(node)} is pow({format_number(base)}, "
                f"{format_number(exponent)}){context.when()}",
                node.span,
            )
        try:
            result = math.pow(base, exponent)
        except OverflowError:
            result = math.inf
    elif name == "exp":
        try:
            result = math.exp(args[0])
        except OverflowError:
            result = math.inf
    elif name == "sqrt":
        if args[0] < 0:
            raise Failure(
                "retry_delay.domain_error",
                f"sqrt of a negative number: {context.quote(node.args[0])} is "
                f"{format_number(args[0])}{context.when()}",
                node.args[0].span,
            )
        result = math.sqrt(args[0])
    elif name == "abs":
        result = abs(args[0])
    elif name == "floor":
        result = _floor(args[0])
    elif name == "ceil":
        result = _ceil(args[0])
    elif name == "round":
        result = round_half_away(args[0])
    elif name == "min":
        result = min(args)
    else:
        assert name == "max", name
        result = max(args)
    if not math.isfinite(result):
        _raise_overflow(node.span, context)
    return result


def check_result(value: float, source: str, retried: int | None) -> float:
    """The final check: a delay is not negative (the evaluator has checked it is finite)."""
    if value < 0:
        when = "" if retried is None else f" when retried is {retried}"
        raise Failure(
            "retry_delay.negative",
            f"the delay must not be negative, got {format_number(value)} ms{when}",
            (0, len(source)),
        )
    return value


# --- Constant folding ------------------------------------------------------------------------


def fold(node: Node, source: str) -> None:
    """Compute, once, every part of the tree that does not depend on ``retried``.

    Sets ``value`` on constant nodes and ``prefix`` on chains that start with constants. An
    error in a constant part happens for every ``retried``, so it is raised now, at parse time,
    and so is a division or modulo by the constant zero (``retried / 0``).
    """
    context = _Context(source, None)
    _fold(node, context)


def _fold(node: Node, context: _Context) -> bool:
    """Fold below ``node``; return whether ``node`` is constant."""
    if isinstance(node, Number):
        return True
    if isinstance(node, Variable):
        return False
    constant = [_fold(child, context) for child in _children(node)]
    if isinstance(node, Chain):
        count = 0
        if constant[0]:
            while count < len(node.ops) and constant[count + 1]:
                count += 1
            if count:
                prefix = _eval_chain(node, count, None, context)
                if count == len(node.ops):
                    node.value = prefix
                    return True
                node.prefix, node.folded = prefix, count
        rest = zip(node.ops[count:], node.operands[count:], constant[count + 1 :], strict=True)
        for op, operand, is_constant in rest:
            if op in "/%" and is_constant and operand.value == 0:
                what = "division" if op == "/" else "modulo"
                raise Failure(
                    "retry_delay.division_by_zero",
                    f"{what} by zero: {context.quote(operand)} is always 0",
                    operand.span,
                )
        return False
    if all(constant):
        node.value = _eval(node, None, context)
        return True
    return False


# --- The compiler ----------------------------------------------------------------------------

#: What generated code may name, bound as closure variables of the generated factory.
_HELPERS: Final[dict[str, object]] = {
    "_pow": math.pow,
    "_exp": math.exp,
    "_sqrt": math.sqrt,
    "_fmod": math.fmod,
    "_abs": abs,
    "_floor": _floor,
    "_ceil": _ceil,
    "_round": round_half_away,
    "_min": min,
    "_max": max,
    "_int": int,
    "_INF": math.inf,
    "_ERRORS": (ArithmeticError, ValueError),
    # The largest retried the compiled code takes itself: below 2**30, Python's ints are one
    # machine word, which its comparisons are quickest for. A larger valid retried (a billion
    # retries and more) goes to _invalid, which hands it to the reference evaluator.
    "_FAST_MAX": 2**30 - 1,
}

_CALL_HELPERS: Final = {
    "pow": "_pow",
    "exp": "_exp",
    "sqrt": "_sqrt",
    "abs": "_abs",
    "floor": "_floor",
    "ceil": "_ceil",
    "round": "_round",
    "min": "_min",
    "max": "_max",
}

#: Calls whose result can be finite although an argument is not (min(inf, 1) is 1,
#: exp(-inf) is 0, pow(0.5, inf) is 0); divisors are the other such place (1 / inf is 0).
_ABSORBING: Final = frozenset({"pow", "exp", "min", "max"})


def _literal(value: float) -> str:
    assert math.isfinite(value)
    text = repr(float(value))
    return f"({text})" if math.copysign(1.0, value) < 0 else text


#: The range of ``retried`` (as a double) that the compiled function accepts.
_RETRIED_RANGE: Final = (0.0, 9007199254740992.0)

_Bounds = tuple[float, float] | None


class _Code:
    """What the generator knows of the fast code for one node.

    - ``text``: the Python expression.
    - ``is_float``: it computes a float even when ``retried`` is passed as an int.
    - ``has_int``: it does arithmetic on ints somewhere, where doubles behave differently
      (``+ - *`` of two ints is exact in Python and rounded in IEEE, and ``-0`` is ``+0`` for
      ints but ``-0.0`` for doubles); then the function converts ``retried`` to a float first.
    - ``may_be_non_finite``: it can compute inf or nan without raising. Only ``+ - * /``
      overflow silently; math.pow and math.exp raise OverflowError, and the other functions
      cannot leave the double range.
    - ``bounds``: finite bounds of every value it takes, or None (see :func:`bounds`).
    """

    __slots__ = ("bounds", "has_int", "is_float", "may_be_non_finite", "text")

    def __init__(
        self, text: str, is_float: bool, has_int: bool, non_finite: bool, bounds: _Bounds
    ) -> None:
        self.text = text
        self.is_float = is_float
        self.has_int = has_int
        self.may_be_non_finite = non_finite
        self.bounds = bounds


class _Generator:
    """Writes the Python expression for a tree. Every token comes from this class.

    Numbers are written as placeholders (``_k0``, ``_k1``, ...) and collected in
    ``constants``: the text is then the expression's *shape*, the same for ``1000 * retried``
    and ``2000 * retried``. One walk of the tree finds everything :func:`shape` needs.
    """

    def __init__(self) -> None:
        self.temporaries: list[str] = []
        self.constants: list[float] = []

    def literal(self, value: float) -> _Code:
        self.constants.append(value)
        return _Code(f"_k{len(self.constants) - 1}", True, False, False, (value, value))

    def checked(self, code: _Code) -> str:
        """The text of ``code``, kept in a temporary if it could hide a non-finite value."""
        if not code.may_be_non_finite:
            return code.text
        name = f"_t{len(self.temporaries)}"
        self.temporaries.append(name)
        return f"({name} := {code.text})"

    def code(self, node: Node) -> _Code:
        if node.value is not None:
            return self.literal(node.value)
        if isinstance(node, Variable):
            return _Code("retried", False, False, False, _RETRIED_RANGE)
        if isinstance(node, Unary):
            inner = self.code(node.operand)
            if node.op == "+":
                return inner
            range_ = inner.bounds
            return _Code(
                f"(-{inner.text})",
                inner.is_float,
                inner.has_int or not inner.is_float,
                inner.may_be_non_finite,
                None if range_ is None else (-range_[1], -range_[0]),
            )
        if isinstance(node, Chain):
            return self.chain(node)
        assert isinstance(node, Call)
        return self.call(node)

    def chain(self, node: Chain) -> _Code:
        first = self.code(node.first) if node.prefix is None else self.literal(node.prefix)
        text = first.text
        is_float, has_int, range_ = first.is_float, first.has_int, first.bounds
        non_finite = first.may_be_non_finite
        for op, operand in zip(node.ops[node.folded :], node.operands[node.folded :], strict=True):
            right = self.code(operand)
            if op == "%":
                text = f"_fmod({text}, {self.checked(right)})"
            elif op == "/":
                text = f"{text} / {self.checked(right)}"
                non_finite = True
            else:
                assert op in "+-*", op
                text = f"{text} {op} {right.text}"
                non_finite = True
                if not is_float and not right.is_float:
                    has_int = True
            non_finite = non_finite or right.may_be_non_finite
            has_int = has_int or right.has_int
            is_float = is_float or op in "/%" or right.is_float
            if range_ is not None:
                range_ = None if right.bounds is None else _combine(op, range_, right.bounds)
        return _Code(f"({text})", is_float, has_int, non_finite, range_)

    def call(self, node: Call) -> _Code:
        args = [self.code(arg) for arg in node.args]
        name = node.name
        if name in _ABSORBING:
            texts = [self.checked(arg) for arg in args]
        else:
            texts = [arg.text for arg in args]
        text = f"{_CALL_HELPERS[name]}({', '.join(texts)})"
        has_int = any(arg.has_int for arg in args)
        non_finite = any(arg.may_be_non_finite for arg in args)
        if name == "abs":
            is_float = args[0].is_float
        elif name in ("min", "max"):
            is_float = all(arg.is_float for arg in args)
        else:
            is_float = True
        ranges = [arg.bounds for arg in args]
        return _Code(text, is_float, has_int, non_finite, _call_bounds(name, ranges))


def _call_bounds(name: str, ranges: list[_Bounds]) -> _Bounds:
    known = [range_ for range_ in ranges if range_ is not None]
    if len(known) < len(ranges) or name in ("pow", "exp"):
        return None
    low, high = known[0]
    if name == "min":
        return min(arg[0] for arg in known), min(arg[1] for arg in known)
    if name == "max":
        return max(arg[0] for arg in known), max(arg[1] for arg in known)
    if name == "abs":
        if low >= 0:
            return low, high
        if high <= 0:
            return -high, -low
        return 0.0, max(-low, high)
    if name == "sqrt":
        return None if low < 0 else (math.sqrt(low), math.sqrt(high))
    function = {"floor": _floor, "ceil": _ceil, "round": round_half_away}[name]
    return function(low), function(high)


def _combine(op: str, left: tuple[float, float], right: tuple[float, float]) -> _Bounds:
    if op == "%":
        return None
    if op == "+":
        low, high = left[0] + right[0], left[1] + right[1]
    elif op == "-":
        low, high = left[0] - right[1], left[1] - right[0]
    else:
        if op == "/" and right[0] <= 0 <= right[1]:
            return None
        corners = [a * b if op == "*" else a / b for a in left for b in right]
        low, high = min(corners), max(corners)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return low, high


# --- Bounds: where the checks of the fast code cannot fail ---------------------------------


def bounds(node: Node) -> _Bounds:
    """Finite bounds of every value ``node`` takes for ``retried`` in 0..2**53, or None.

    Interval arithmetic on doubles: IEEE rounding is monotone, so the rounded results of
    ``+ - * /`` over a box lie between the rounded results at its corners, and ``floor``,
    ``ceil``, ``round``, ``sqrt``, ``min`` and ``max`` are monotone. ``None`` when a bound
    is not finite, a divisor's range holds 0, ``sqrt``'s argument may be negative, or the
    node uses ``%``, ``pow`` or ``exp`` (not worth bounding). When the bounds of a whole
    expression are finite and not negative, no step of it can fail, and its compiled code
    needs neither the ``try`` nor the final check (:func:`shape`).
    """
    return _numbers(node, [])


def numbers(node: Node) -> tuple[list[float], bool]:
    """The numbers of a folded tree in :func:`shape`'s order; whether its bounds drop checks.

    These two tell apart the functions of trees with one skeleton (see :class:`Programs`), and
    finding them is cheaper than :func:`shape`: no code is written.
    """
    constants: list[float] = []
    range_ = _numbers(node, constants)
    return constants, range_ is not None and range_[0] >= 0


def _numbers(node: Node, constants: list[float]) -> _Bounds:
    """Append the numbers below ``node`` (in the generator's order); return its bounds."""
    if node.value is not None:
        constants.append(node.value)
        return node.value, node.value
    if isinstance(node, Variable):
        return _RETRIED_RANGE
    if isinstance(node, Unary):
        inner = _numbers(node.operand, constants)
        if inner is None or node.op == "+":
            return inner
        return -inner[1], -inner[0]
    if isinstance(node, Chain):
        if node.prefix is None:
            range_ = _numbers(node.first, constants)
        else:
            constants.append(node.prefix)
            range_ = node.prefix, node.prefix
        for op, operand in zip(node.ops[node.folded :], node.operands[node.folded :], strict=True):
            right = _numbers(operand, constants)
            if range_ is not None:
                range_ = None if right is None else _combine(op, range_, right)
        return range_
    assert isinstance(node, Call)
    return _call_bounds(node.name, [_numbers(arg, constants) for arg in node.args])


# --- Compiling: shapes, programs, functions ---------------------------------------------------

_TEMPLATE: Final = """\
def evaluate(retried):
    if retried.__class__ is not _int or not 0 <= retried <= _FAST_MAX:
        return _invalid(retried)
{convert}    try:
        result = {expression}
    except _ERRORS:
        return _slow(retried)
    if 0.0 <= result < _INF{finite_check}:
        return result
    return _slow(retried)
"""

# When bounds() proves that nothing can fail: no try, no final check.
_SAFE_TEMPLATE: Final = """\
def evaluate(retried):
    if retried.__class__ is not _int or not 0 <= retried <= _FAST_MAX:
        return _invalid(retried)
{convert}    return {expression}
"""

# Before its shape is compiled, a function runs the reference evaluator (through _warm).
_WARM_TEMPLATE: Final = """\
def evaluate(retried):
    if retried.__class__ is not _int or not 0 <= retried <= _FAST_MAX:
        return _invalid(retried)
    return _warm(retried)
"""

_PLACEHOLDER: Final = re.compile(r"_k([0-9]+)")


def shape(node: Node) -> tuple[str, list[float]]:
    """The source of the function for a folded tree, with its numbers as ``_k0, _k1, ...``.

    Trees that differ only in their numbers have the same shape, and share one compiled
    :class:`Program`. Returns the shape and the numbers, in placeholder order.
    """
    generator = _Generator()
    code = generator.code(node)
    convert = code.has_int or not code.is_float
    expression = code.text.replace("retried", "x") if convert else code.text
    range_ = code.bounds
    template = _TEMPLATE
    finite_check = ""
    if range_ is not None and range_[0] >= 0:
        template = _SAFE_TEMPLATE
    elif generator.temporaries:
        finite_check = f" and ({' + '.join(generator.temporaries)}) * 0.0 == 0.0"
    source = template.format(
        convert="    x = retried + 0.0\n" if convert else "",
        expression=expression,
        finite_check=finite_check,
    )
    return source, generator.constants


class Program:
    """A shape compiled once: ``code`` and, for each placeholder, its index in co_consts.

    The shape is compiled with a distinct stand-in number for each placeholder (the smallest
    subnormal doubles, which no template constant equals); a tree of that shape then gets its
    function by putting its own numbers in those places of the code's constants
    (``CodeType.replace``), with no compiling.
    """

    __slots__ = ("code", "size", "slots", "source")

    def __init__(self, source: str) -> None:
        count = len({match.group() for match in _PLACEHOLDER.finditer(source)})
        stand_ins = [math.ulp(0.0) * (index + 1) for index in range(count)]
        code = _function_code(
            _PLACEHOLDER.sub(lambda match: repr(stand_ins[int(match.group(1))]), source)
        )
        position = {value: index for index, value in enumerate(stand_ins)}
        slots = [-1] * count
        for index, const in enumerate(code.co_consts):
            if const.__class__ is float and const in position:
                slots[position[const]] = -2 if slots[position[const]] != -1 else index
        self.source = source
        self.code = code
        #: Where each placeholder's number is in co_consts; None if the compiler did not keep
        #: each stand-in as one constant of its own (no CPython version does; then each tree
        #: is compiled with its numbers written in).
        self.slots = tuple(slots) if min(slots, default=0) >= 0 else None
        #: What the program keeps, in bytes, estimated generously (for the cache's bound).
        self.size = 5 * len(source) + 1024

    def specialize(self, constants: list[float]) -> CodeType:
        """The code with ``constants`` in place of the stand-ins."""
        if self.slots is None:
            return _function_code(
                _PLACEHOLDER.sub(
                    lambda match: _literal(constants[int(match.group(1))]), self.source
                )
            )
        consts = list(self.code.co_consts)
        for index, value in zip(self.slots, constants, strict=True):
            consts[index] = value
        return self.code.replace(co_consts=tuple(consts))


def _function_code(source: str) -> CodeType:
    """The code of the one function ``source`` defines."""
    module = compile(source, "<retry-delay>", "exec")
    codes = [const for const in module.co_consts if isinstance(const, CodeType)]
    assert len(codes) == 1, codes
    return codes[0]


class Programs:
    """A bounded cache of compiled shapes: at most ``entries`` and about ``size`` bytes.

    A program is filed under the *skeleton* of the expression it was compiled for (its text
    with its numbers and spaces taken out, which the caller finds with one regex) and whether
    :func:`bounds` let its checks out: texts with one skeleton have one tree but for their
    numbers, so those two facts tell their shape, and :func:`numbers` finds the second
    without writing the shape. An expression whose skeleton is not here at all needs neither
    until it is compiled.
    """

    def __init__(self, entries: int, size: int) -> None:
        self.entries = entries
        self.size = size
        self.used = 0
        self.programs: dict[tuple[str, bool], Program] = {}
        self.skeletons: dict[str, int] = {}  # skeleton -> how many programs have it
        self.lock = threading.Lock()

    def get(self, skeleton: str, unchecked: bool) -> Program | None:
        return self.programs.get((skeleton, unchecked))

    def compile(self, skeleton: str, unchecked: bool, source: str) -> Program:
        """The program for ``source``, compiled now unless cached; kept if it fits."""
        key = (skeleton, unchecked)
        program = self.programs.get(key)
        if program is not None:
            return program
        program = Program(source)
        size = self._size(program, skeleton)
        with self.lock:
            if not self.programs:
                self.used = 0
            if key in self.programs or size > self.size:
                return program
            while self.programs and (
                len(self.programs) >= self.entries or self.used + size > self.size
            ):
                oldest = next(iter(self.programs))
                self.used -= self._size(self.programs.pop(oldest), oldest[0])
                count = self.skeletons.pop(oldest[0], 1) - 1
                if count:
                    self.skeletons[oldest[0]] = count
            self.programs[key] = program
            self.skeletons[skeleton] = self.skeletons.get(skeleton, 0) + 1
            self.used += size
        return program

    @staticmethod
    def _size(program: Program, skeleton: str) -> int:
        return program.size + 2 * len(skeleton)

    def cache_clear(self) -> None:
        """Forget every program (as a fresh process would have none)."""
        with self.lock:
            self.programs.clear()
            self.skeletons.clear()
            self.used = 0


_WARM_CODE: list[CodeType] = []


def _warm_code() -> CodeType:
    if not _WARM_CODE:
        _WARM_CODE[:] = [_function_code(_WARM_TEMPLATE)]
    return _WARM_CODE[0]


def _environment(
    slow: Callable[[int], float], invalid: Callable[[object], float], max_retried: int
) -> dict[str, object]:
    """The globals of a compiled function: the helpers, ``_slow`` and ``_invalid``.

    ``_invalid`` gets every ``retried`` the code does not take itself: it raises through
    ``invalid`` for one that is not an int or out of ``0..max_retried``, and evaluates a valid
    one beyond ``_FAST_MAX`` with ``slow``.
    """

    def outside(retried: object) -> float:
        if retried.__class__ is int and 0 <= retried <= max_retried:
            return slow(retried)
        return invalid(retried)

    return {"__builtins__": {}, **_HELPERS, "_slow": slow, "_invalid": outside}


def build(
    node: Node,
    *,
    skeleton: str,
    slow: Callable[[int], float],
    invalid: Callable[[object], float],
    max_retried: int,
    programs: Programs,
    compile_after: int,
) -> Callable[[int], float]:
    """The function ``evaluate(retried) -> float`` for a folded tree, compiled when it pays.

    When a tree of the same shape was compiled before (``programs``), the function is the
    compiled code at once. Otherwise it starts with the reference evaluator (``slow``, behind
    the same check of ``retried``) and compiles its shape on its ``compile_after``-th call,
    replacing its own code: the function object stays the same, so a caller holding it gets
    the compiled code from then on. Compiling costs about as much as 20 evaluations by the
    reference evaluator, and most expressions a gateway sees are evaluated a few times.
    ``skeleton`` is the expression's text without its numbers and spaces (see
    :class:`Programs`).
    """
    environment = _environment(slow, invalid, max_retried)
    if skeleton in programs.skeletons:
        constants, unchecked = numbers(node)
        program = programs.get(skeleton, unchecked)
        if program is not None:
            return FunctionType(program.specialize(constants), environment, "evaluate")
    function = FunctionType(_warm_code(), environment, "evaluate")
    calls = 0

    def warm(retried: int) -> float:
        nonlocal calls
        calls += 1
        if calls >= compile_after:  # >=: calls from several threads may race past it
            source, constants = shape(node)
            program = programs.compile(skeleton, numbers(node)[1], source)
            function.__code__ = program.specialize(constants)
        return slow(retried)

    environment["_warm"] = warm
    return function


def compile_tree(
    node: Node,
    *,
    slow: Callable[[int], float],
    invalid: Callable[[object], float],
    max_retried: int,
) -> tuple[Callable[[int], float], str]:
    """Compile a folded tree into ``evaluate(retried) -> float`` now; also return its source.

    The function checks ``retried`` (an int, bool excluded, within ``0..max_retried``; else it
    returns ``invalid(retried)``, which raises; a valid ``retried`` of 2**30 or more goes to
    ``slow``), computes the expression with float
    operations, and returns the result when it is finite and not negative and no value that a
    later operation could have hidden (an argument of pow, exp, min or max, a divisor) was
    inf or nan. In every other case it returns ``slow(retried)``, the reference evaluator,
    which raises the precise error (or, rarely, returns a value the quick check was unsure of).
    When :func:`bounds` proves that no step can fail and the result is not negative, the
    function returns the value with no further check.

    The source returned is the shape with its numbers written in (what the code computes).
    """
    source, constants = shape(node)
    program = Program(source)
    function = FunctionType(
        program.specialize(constants), _environment(slow, invalid, max_retried), "evaluate"
    )
    written = _PLACEHOLDER.sub(lambda match: _literal(constants[int(match.group(1))]), source)
    return function, written
