"""Access to the data files shipped inside the package (the Lark grammars).

The grammars live in the top-level ``grammars/`` folder of the source tree. The wheel copies that
folder to ``qstash_protocol/grammars/``; in a source checkout or an editable install
``qstash_protocol/grammars`` is a symbolic link to it. Either way they are read through
:mod:`importlib.resources`, so zipped and frozen installs work too, and nothing is written.
"""

from __future__ import annotations

from importlib.resources import files

__all__ = ["grammar_text", "vector_text"]


def grammar_text(name: str) -> str:
    """Return the text of the grammar file ``name`` (e.g. ``"retry_delay.lark"``).

    >>> grammar_text("no-such-grammar.lark")
    Traceback (most recent call last):
      ...
    FileNotFoundError: grammar 'no-such-grammar.lark' is not in the qstash_protocol package
    """
    resource = files("qstash_protocol") / "grammars" / name
    if not resource.is_file():
        msg = f"grammar {name!r} is not in the qstash_protocol package"
        raise FileNotFoundError(msg)
    return resource.read_text(encoding="utf-8")


def vector_text(name: str) -> str:
    """Return the text of the conformance vector file ``name`` (e.g. ``"request.json"``).

    The vectors live in ``tests/vectors/``; ``qstash_protocol/vectors`` links to them in a source
    checkout, and the wheel carries a copy there (the conformance kit replays them).

    >>> vector_text("no-such-vectors.json")
    Traceback (most recent call last):
      ...
    FileNotFoundError: vector file 'no-such-vectors.json' is not in the qstash_protocol package
    """
    resource = files("qstash_protocol") / "vectors" / name
    if not resource.is_file():
        msg = f"vector file {name!r} is not in the qstash_protocol package"
        raise FileNotFoundError(msg)
    return resource.read_text(encoding="utf-8")
