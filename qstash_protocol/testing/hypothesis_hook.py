"""Hypothesis' entry point: makes ``st.from_type`` work for the library's types, with no setup.

Hypothesis imports this at its own start-up, so it does as little as it can: it registers
deferred strategies and imports :mod:`qstash_protocol.testing.strategies` only when one is
first drawn.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["register"]


def register() -> None:
    """Register strategies for the option models, the values, RetryDelay and callback payloads."""
    from qstash_protocol import (  # noqa: PLC0415
        Callback,
        CallbackPayload,
        FailureCallbackPayload,
        FlowControl,
        FlowControlValue,
        MessageOptions,
        RedactFields,
        RetryDelay,
        parse_retry_delay,
    )
    from qstash_protocol.testing import strategies as ours  # noqa: PLC0415

    st.register_type_strategy(MessageOptions, st.deferred(ours.message_options))
    st.register_type_strategy(Callback, st.deferred(ours.callbacks))
    st.register_type_strategy(FlowControl, st.deferred(ours._flow_controls))
    st.register_type_strategy(FlowControlValue, st.deferred(ours.flow_control_values))
    st.register_type_strategy(RedactFields, st.deferred(ours.redact_fields))
    st.register_type_strategy(
        RetryDelay, st.deferred(lambda: ours.retry_delay_expressions().map(parse_retry_delay))
    )
    # Imported when first drawn: the module imports Hypothesis, which may be running this hook.
    st.register_type_strategy(CallbackPayload, st.deferred(_callback_payloads))
    st.register_type_strategy(FailureCallbackPayload, st.deferred(_failure_callback_payloads))


def _callback_payloads() -> st.SearchStrategy[Any]:
    from qstash_protocol.testing import delivery_strategies  # noqa: PLC0415

    return delivery_strategies.callback_payloads()


def _failure_callback_payloads() -> st.SearchStrategy[Any]:
    from qstash_protocol.testing import delivery_strategies  # noqa: PLC0415

    return delivery_strategies.failure_callback_payloads()
