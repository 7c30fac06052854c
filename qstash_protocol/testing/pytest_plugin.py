"""A pytest plugin that runs the conformance kit's cases as tests of your QStash-compatible server.

Enable it in the ``conftest.py`` at the root of your tests (it is not loaded automatically) and
give it a ``qstash_server`` fixture that returns the adapter
(:mod:`qstash_protocol.testing.conformance` says what an adapter is)::

    # conftest.py
    import pytest

    pytest_plugins = ["qstash_protocol.testing.pytest_plugin"]


    @pytest.fixture
    def qstash_server():
        return MyAdapter()  # submit(...) and, optionally, delivered(url) and signing_keys()

Every case of the kit then appears as one parametrised test, collected from that conftest file:
``conftest.py::qstash_conformance[delivery.signature]``. A failure's message says what the
server did wrong; a case the adapter cannot run (no delivery capability) is skipped with the
reason. Select cases with ``-k`` (``-k "delivery or refusal"``) and size the Hypothesis samples
with ``--qstash-examples N`` (default 25).

The fixture may have any scope. With the default function scope every case gets a fresh server.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from qstash_protocol.testing.conformance import ConformanceCase, conformance_cases, run_case

__all__ = ["pytest_addoption", "pytest_collect_file", "qstash_conformance"]

_NAME = "qstash_protocol.testing.pytest_plugin"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--qstash-examples``: how many requests each Hypothesis sample sends."""
    group = parser.getgroup("qstash-conformance", "QStash conformance kit")
    group.addoption(
        "--qstash-examples",
        type=int,
        default=25,
        metavar="N",
        help="requests in each of the kit's Hypothesis samples (default 25)",
    )


class _ConformanceModule(pytest.Module):
    """The kit's tests, collected from the conftest file that enables the plugin.

    Collecting them there (rather than from this installed module) puts them under the user's
    tests, so the user's ``qstash_server`` fixture, whatever its scope, is in reach.
    """

    def _getobj(self) -> ModuleType:
        return importlib.import_module(_NAME)

    def funcnamefilter(self, name: str) -> bool:
        """Collect the one kit function, whatever the project's ``python_functions`` says."""
        return name == "qstash_conformance"


def _enables_plugin(module: object) -> bool:
    plugins = getattr(module, "pytest_plugins", ())
    if isinstance(plugins, str):
        plugins = (plugins,)
    return _NAME in plugins


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect the kit's cases from the ``conftest.py`` whose ``pytest_plugins`` names us."""
    if file_path.name != "conftest.py":
        return None
    conftest = parent.config.pluginmanager.get_plugin(str(file_path))
    if conftest is None or not _enables_plugin(conftest):
        return None
    module: pytest.Collector = _ConformanceModule.from_parent(parent, path=file_path)
    return module


def _case_id(case: ConformanceCase) -> str:
    return case.id


@pytest.mark.parametrize("qstash_conformance_case", conformance_cases(), ids=_case_id)
def qstash_conformance(
    qstash_server: Any, qstash_conformance_case: ConformanceCase, request: pytest.FixtureRequest
) -> None:
    """Run one case of the kit against the ``qstash_server`` fixture's adapter.

    Its name does not start with ``test``, so pytest collects it only from the conftest file
    that enables the plugin, never from this module itself.
    """
    case = qstash_conformance_case
    examples: int = request.config.getoption("qstash_examples")
    result = run_case(case, qstash_server, examples=examples)
    if result.verdict == "skip":
        pytest.skip(result.message)
    if result.verdict == "fail":
        pytest.fail(
            f"{case.id} ({case.severity}): {case.title}\nspec: {case.section}\n{result.message}",
            pytrace=False,
        )
