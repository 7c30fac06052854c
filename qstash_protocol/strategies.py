"""Hypothesis strategies for QStash values and requests (the ``hypothesis`` extra).

This name is kept for users; the strategies live in :mod:`qstash_protocol.testing.strategies`.

>>> from qstash_protocol import strategies
>>> from qstash_protocol.testing import strategies as moved
>>> strategies.durations is moved.durations
True
"""

from qstash_protocol.testing.strategies import *  # noqa: F403
from qstash_protocol.testing.strategies import __all__  # noqa: F401
