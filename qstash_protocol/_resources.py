"""Access to the data files the package reads (the Lark grammars), and their Lark parsers.

The grammars live in one place, the top-level ``grammars/`` folder of the source tree, and are
found without a symbolic link in every way the package is run:

- **wheel** (and anything installed from one, including an sdist built by pip): the wheel carries
  a copy as ``qstash_protocol/grammars/``, read through :mod:`importlib.resources`, so zipped
  and frozen installs work too;
- **source checkout, editable install, unpacked sdist**: the package has no ``grammars/`` folder,
  and the top-level ``grammars/`` beside it is read instead. That folder is only taken when it
  sits in a source tree (next to ``pyproject.toml``), never some other ``grammars/`` that happens
  to lie beside an installed package.

Nothing is written, and nothing is imported until a file is read: :mod:`importlib.resources`
and :mod:`pathlib` cost several milliseconds at start-up, and decoding a request reads no file.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pathlib import Path

    from lark import Lark

__all__ = ["grammar_text", "lark_parser", "vector_text"]


def _source_tree_grammars() -> Path | None:
    """The top-level ``grammars/`` folder when the package runs from a source tree, else None."""
    from pathlib import Path  # noqa: PLC0415 (on first read, not at import)

    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / "grammars").is_dir():
        return root / "grammars"
    return None


def grammar_text(name: str) -> str:
    """Return the text of the grammar file ``name`` (e.g. ``"retry_delay.lark"``).

    >>> grammar_text("retry_delay.lark").startswith("//")
    True
    >>> grammar_text("no-such-grammar.lark")
    Traceback (most recent call last):
      ...
    FileNotFoundError: grammar 'no-such-grammar.lark' is not in the qstash_protocol package
    """
    from importlib.resources import files  # noqa: PLC0415 (on first read, not at import)

    packaged = files("qstash_protocol") / "grammars" / name
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    source = _source_tree_grammars()
    if source is not None and (source / name).is_file():
        return (source / name).read_text(encoding="utf-8")
    msg = f"grammar {name!r} is not in the qstash_protocol package"
    raise FileNotFoundError(msg)


def lark_parser(name: str) -> Lark:
    """The LALR parser of the grammar file ``name``, built on first use and kept; no files written.

    Importing Lark and analysing a grammar take tens of milliseconds, so neither happens until a
    parser is asked for (decoding a request asks for none).
    """
    parser = _PARSERS.get(name)
    if parser is None:
        with _PARSERS_LOCK:
            parser = _PARSERS.get(name)
            if parser is None:
                from lark import Lark  # noqa: PLC0415 (lazily: importing lark takes time)

                parser = _PARSERS[name] = Lark(
                    grammar_text(name),
                    parser="lalr",
                    lexer="contextual",
                    maybe_placeholders=False,
                    cache=False,
                )
    return parser


#: The parsers built so far, by grammar file.
_PARSERS: dict[str, Lark] = {}
_PARSERS_LOCK: Final = threading.Lock()


def vector_text(name: str) -> str:
    """Return the text of the conformance vector file ``name`` (e.g. ``"request.json"``).

    The vectors live in ``tests/vectors/``; the wheel carries a copy as
    ``qstash_protocol/vectors/`` (the conformance kit replays them), and a source tree is read
    directly, as for the grammars.

    >>> vector_text("no-such-vectors.json")
    Traceback (most recent call last):
      ...
    FileNotFoundError: vector file 'no-such-vectors.json' is not in the qstash_protocol package
    """
    from importlib.resources import files  # noqa: PLC0415 (on first read, not at import)
    from pathlib import Path  # noqa: PLC0415

    packaged = files("qstash_protocol") / "vectors" / name
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    source = root / "tests" / "vectors" / name
    if (root / "pyproject.toml").is_file() and source.is_file():
        return source.read_text(encoding="utf-8")
    msg = f"vector file {name!r} is not in the qstash_protocol package"
    raise FileNotFoundError(msg)
