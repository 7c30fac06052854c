"""Shared test settings: Hypothesis profiles, and what a plain ``pytest`` leaves out.

The default ``dev`` profile is quick, so a plain ``pytest`` finishes in well under a minute;
``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) runs many more examples with no deadline, so a
slow CI machine never turns a timing hiccup into a failure; ``smoke`` runs a handful. The few
tests that pin a smaller ``max_examples`` (generation from the Lark grammar is slow) take
``min(pinned, profile)``, so the default run shortens them too while CI keeps the pinned number.

Tests marked ``slow`` (wheel and sdist builds, the searches that show the public strategies reach
every option and error code) are deselected by default (``-m "not slow"`` in ``pyproject.toml``);
``.ci/run`` runs them with ``-m "slow or not slow"``.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=25, deadline=None)
# For the run of the suite from the unpacked sdist (tests/test_packaging.py), which checks that
# every file is there and found, not how hard each property is searched.
settings.register_profile("smoke", max_examples=5, deadline=None)
settings.load_profile(PROFILE)


def pytest_report_header(config: pytest.Config) -> str:
    marks = config.getoption("markexpr") or "(all)"
    return f"hypothesis profile: {PROFILE} (max_examples={settings().max_examples}); -m {marks}"
