"""Tools for testing other implementations: Hypothesis strategies and the entry-point hook.

:mod:`qstash_protocol.testing.strategies` (also importable as ``qstash_protocol.strategies``)
generates valid and invalid values and requests; :mod:`qstash_protocol.testing.hypothesis_hook`
registers them with Hypothesis so ``st.from_type(MessageOptions)`` works with no setup.

What it may import: anything in the package, and Hypothesis (the ``hypothesis`` extra). Nothing
outside this sub-package imports it, so the rest of the library never needs Hypothesis.
"""
