"""Start-up: what ``import qstash_protocol`` and the command line load, and that nothing is lost.

Every public name is loaded on first use (PEP 562), so ``import qstash_protocol`` imports the
error model and nothing else, and the command line imports a command's library code only when
that command runs. These tests check which modules a fresh interpreter holds (never a timing:
``benchmarks/bench_import.py`` times it), and that every public name still resolves, is the
object its module defines, and that public errors show and pickle as ``qstash_protocol.X`` however
they were first reached.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import qstash_protocol
from qstash_protocol._cli import CliError
from qstash_protocol._cli.check import PLANS
from qstash_protocol._cli.dump import InvalidDump
from qstash_protocol.publish.limits import Limits

ROOT = Path(__file__).resolve().parent.parent

#: Third-party packages nothing at start-up needs.
HEAVY = ("pydantic", "pydantic_core", "lark", "jwt")


def _fresh(code: str, *args: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; it ends by printing one JSON document."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    document: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return document


_LOADED = """
import json, sys
{statement}
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(statement: str) -> set[str]:
    found = _fresh(_LOADED.format(statement=textwrap.dedent(statement)))
    assert isinstance(found, list)
    return set(found)


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_import_loads_only_the_error_model() -> None:
    modules = _loaded("import qstash_protocol")
    ours = sorted(m for m in modules if m.split(".")[0] == "qstash_protocol")
    assert ours == ["qstash_protocol", "qstash_protocol.errors"]
    assert _heavy(modules) == []


def test_a_value_parser_loads_neither_pydantic_nor_lark() -> None:
    modules = _loaded("from qstash_protocol import parse_duration, validate_cron, InvalidCron")
    assert "qstash_protocol.values.durations" in modules
    assert "qstash_protocol.values.cron" in modules
    assert _heavy(modules) == []
    assert "qstash_protocol.publish.options" not in modules
    assert "importlib.resources" not in modules  # no grammar is read before a cron is parsed


def test_decoding_a_request_loads_neither_the_delivery_side_nor_lark() -> None:
    modules = _loaded("""
        from qstash_protocol import decode_request
        decode_request("/v2/publish/https://example.com/api", [
            ("Content-Type", "application/json"),
            ("Upstash-Retries", "3"),
            ("Upstash-Delay", "90s"),
            ("Upstash-Callback", "https://example.com/callback"),
        ])
    """)
    assert "pydantic" in modules
    assert "lark" not in modules  # no retry-delay expression, no cron
    assert not any(m.startswith("qstash_protocol.delivery") for m in modules)
    assert "jwt" not in modules
    assert "qstash_protocol.publish.batch" not in modules


def test_the_command_line_loads_only_the_command_that_runs() -> None:
    modules = _loaded("""
        import io
        from qstash_protocol.cli import main
        main(["--version"], out=io.StringIO(), err=io.StringIO())
        main(["--help"], out=io.StringIO(), err=io.StringIO())
        main(["check", "--help"], out=io.StringIO(), err=io.StringIO())
    """)
    assert "qstash_protocol._cli.check" in modules
    assert _heavy(modules) == []
    assert not any(
        m.startswith(("qstash_protocol.publish", "qstash_protocol.values")) for m in modules
    )
    duration = _loaded("""
        import io
        from qstash_protocol.cli import main
        assert main(["duration", "90m"], out=io.StringIO()) == 0
    """)
    assert "qstash_protocol.values.durations" in duration
    assert _heavy(duration) == []
    assert "qstash_protocol.publish.codec" not in duration


def test_the_plans_check_takes_are_the_library_plans() -> None:
    assert tuple(Limits.PLANS) == PLANS


_RESOLVE = """
import importlib, json, qstash_protocol as q
names = list(q.__all__)
found = {}
for name in names:
    obj = getattr(q, name)
    module = q._LAZY.get(name)
    found[name] = module is None or obj is getattr(importlib.import_module(module), name)
star = {}
exec("from qstash_protocol import *", star)
print(json.dumps({
    "found": found,
    "star": sorted(n for n in star if n != "__builtins__"),
    "dir": sorted(set(names) - set(dir(q))),
}))
"""


def test_every_public_name_resolves_in_a_fresh_interpreter() -> None:
    document = _fresh(_RESOLVE)
    found = document["found"]
    assert isinstance(found, dict)
    assert set(found) == set(qstash_protocol.__all__)
    assert [name for name, same in found.items() if not same] == []
    assert document["star"] == sorted(qstash_protocol.__all__)
    assert document["dir"] == []


def test_every_public_name_is_listed_in_all_and_dir() -> None:
    assert set(qstash_protocol._LAZY) | {"ProtocolError"} == set(qstash_protocol.__all__)
    assert set(qstash_protocol.__all__) <= set(dir(qstash_protocol))
    assert "__version__" in dir(qstash_protocol)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        qstash_protocol.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("no AttributeError")


_ERRORS = """
import json, pickle, sys
# Reached through its module, before qstash_protocol resolves the name.
from qstash_protocol.delivery.signature import InvalidSignature
from qstash_protocol.values.durations import InvalidDuration
before = [InvalidSignature.__module__, InvalidDuration.__module__]
error = InvalidSignature("bad", code=next(iter(InvalidSignature.CODES)), value="x", span=(0, 1))
again = pickle.loads(pickle.dumps(error))
import qstash_protocol
from qstash_protocol.errors import ProtocolError
public = sorted(
    name for name in qstash_protocol.__all__
    if isinstance(getattr(qstash_protocol, name), type)
    and issubclass(getattr(qstash_protocol, name), ProtocolError)
    and getattr(qstash_protocol, name).__module__ != "qstash_protocol"
)
print(json.dumps({
    "before": before,
    "pickled": again == error and type(again) is InvalidSignature,
    "not_public": public,
    "traceback": f"{type(error).__module__}.{type(error).__qualname__}",
}))
"""


def test_public_errors_show_as_public_however_first_reached() -> None:
    document = _fresh(_ERRORS)
    assert document["before"] == ["qstash_protocol", "qstash_protocol"]
    assert document["pickled"] is True
    assert document["not_public"] == []
    assert document["traceback"] == "qstash_protocol.InvalidSignature"


def test_private_and_user_errors_keep_their_module() -> None:
    class InvalidDuration(qstash_protocol.ProtocolError):  # a user's class of the same name
        CODES = {"mine.bad": "a user's code"}  # noqa: RUF012

    assert CliError.__module__ == "qstash_protocol._cli"
    assert InvalidDump.__module__ == "qstash_protocol._cli.dump"
    assert InvalidDuration.__module__ == __name__
    assert InvalidDuration("m", code="mine.bad").code == "mine.bad"
