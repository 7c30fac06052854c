"""Access to the data files shipped inside the package (the Lark grammars).

The grammars live in the top-level ``grammars/`` folder of the source tree. The wheel copies that
folder to ``qstash_protocol/grammars/``; in a source checkout or an editable install
``qstash_protocol/grammars`` is a symbolic link to it. Either way they are read through
:mod:`importlib.resources`, so zipped and frozen installs work too, and nothing is written.
"""

from __future__ import annotations

__all__ = ["grammar_text"]


def grammar_text(name: str) -> str:
    """Return the text of the grammar file ``name`` (e.g. ``"retry_delay.lark"``).

    >>> grammar_text("no-such-grammar.lark")
    Traceback (most recent call last):
      ...
    FileNotFoundError: grammar 'no-such-grammar.lark' is not in the qstash_protocol package
    """
    from importlib.resources import files  # noqa: PLC0415 (on use: start-up)

    resource = files("qstash_protocol") / "grammars" / name
    if not resource.is_file():
        msg = f"grammar {name!r} is not in the qstash_protocol package"
        raise FileNotFoundError(msg)
    return resource.read_text(encoding="utf-8")
