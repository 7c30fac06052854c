"""Hypothesis' entry point: makes ``st.from_type`` work for the library's types, with no setup.

Hypothesis imports this at its own start-up, so it does as little as it can: it registers
deferred strategies and imports :mod:`qstash_protocol.testing.strategies` only when one is
first drawn.
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["register"]


def register() -> None:
    """Register strategies for MessageOptions, Callback, FlowControl, values and RetryDelay."""
    from qstash_protocol import (  # noqa: PLC0415
        Callback,
        FlowControl,
        FlowControlValue,
        MessageOptions,
        OrphanScope,
        RedactFields,
        RetryDelay,
        parse_retry_delay,
    )
    from qstash_protocol.testing import strategies as ours  # noqa: PLC0415

    st.register_type_strategy(MessageOptions, st.deferred(ours.message_options))
    st.register_type_strategy(Callback, st.deferred(ours.callbacks))
    st.register_type_strategy(OrphanScope, st.deferred(lambda: ours._orphans(1)))
    st.register_type_strategy(FlowControl, st.deferred(ours._flow_controls))
    st.register_type_strategy(FlowControlValue, st.deferred(ours.flow_control_values))
    st.register_type_strategy(RedactFields, st.deferred(ours.redact_fields))
    st.register_type_strategy(
        RetryDelay, st.deferred(lambda: ours.retry_delay_expressions().map(parse_retry_delay))
    )
