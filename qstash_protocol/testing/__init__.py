"""Tools for testing other implementations: strategies, the Hypothesis hook, the conformance kit.

:mod:`qstash_protocol.testing.strategies` (also importable as ``qstash_protocol.strategies``)
generates valid and invalid values and requests; :mod:`qstash_protocol.testing.hypothesis_hook`
registers them with Hypothesis so ``st.from_type(MessageOptions)`` works with no setup.
:mod:`qstash_protocol.testing.conformance` tests a QStash-compatible server through an adapter
(named cases, a verdict per case, a report); :mod:`qstash_protocol.testing.pytest_plugin` runs
its cases as pytest tests (enabled explicitly, never loaded automatically).

What it may import: anything in the package, and Hypothesis (the ``hypothesis`` extra). Nothing
outside this sub-package imports it, so the rest of the library never needs Hypothesis; the one
exception is the ``conformance`` command, which imports the kit when it runs.
"""
