"""Plan limits: the largest delay, timeout, retries, flow-control period and message a plan allows.

>>> from datetime import timedelta
>>> Limits.FREE.max_delay == timedelta(days=7)
True
>>> [error.code for error in check_limits(MessageOptions(delay="8d"), Limits.FREE)]
['limits.delay']
>>> check_limits(MessageOptions(delay="8d"), Limits.PAY_AS_YOU_GO)
[]

Facts
-----
The rule: QStash enforces per-plan maxima on what a message may ask for. The numbers are
published on the pricing page, https://upstash.com/pricing/qstash (its data:
https://github.com/upstash/upstash-web/blob/main/src/data/pricing/qstash.ts), and in part in
https://upstash.com/docs/qstash/features/delay ("7 days" free, "1 year" pay as you go). The
constants below were read on 2026-11-29; the numbers have changed before (the maximum delay was
90 days until 2023, the timeouts 2 and 5 minutes until 2024), so each sits in one place with
its source.

- **Maximum delay** (``max_delay``): Free 7 days, Pay as you go 1 year, the fixed plans
  unlimited. ``Upstash-Delay`` is checked; ``Upstash-Not-Before`` is not, because its distance
  from "now" is not a protocol input (see :func:`~qstash_protocol.first_delivery_time`).
- **Maximum HTTP response duration** (``max_timeout``): Free 15 minutes, Pay as you go 2 hours,
  Fixed 1M 6 hours, Fixed 10M 12 hours. ``Upstash-Timeout`` and every scoped timeout are
  checked; the docs say the header "can be used to shorten the default allowed timeout value on
  your plan" (https://upstash.com/docs/qstash/api-reference/messages/publish-a-message).
- **Maximum message size** (``max_message_size``): Free 1 MB, Pay as you go 10 MB, fixed plans
  50 MB. "MB" is not defined; this module reads it as MiB (1 MB = 1,048,576 bytes), the larger
  reading, so a limit check never refuses what the service may accept. The body size is only
  known to the caller: pass ``content_length``. Oversized bodies get HTTP 412 from the service
  (https://upstash.com/docs/qstash/overall/pricing, FAQ "quota exceeded").
- **Maximum retries** (``max_retries``): no plan publishes one today (the pricing data has no
  such field; the 2023 pricing said 3 / 5 / 20), so the plan constants leave it ``None``
  (unchecked); set it for a server of your own.
- **Maximum flow-control period** (``max_flow_control_period``): one week on every plan
  (changelog April 2025, https://upstash.com/docs/qstash/overall/changelog). The flow-control
  parser already refuses longer periods; the limit lets a self-hosted server choose less.
- Whether the service refuses or clamps an excess delay or timeout is not documented; this
  module reports it, each kind with its own code, so the caller decides.
- ``None`` means "no limit" (the fixed plans' unlimited delay, or a number no source gives).
  Enterprise plans are custom: build a :class:`Limits` of your own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import ClassVar, Final, TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.options import Callback, MessageOptions
from qstash_protocol.values.durations import format_duration

__all__ = ["InvalidLimits", "LimitExceeded", "Limits", "LimitsInput", "check_limits"]

_MB: Final = 1024 * 1024


class LimitExceeded(ProtocolError):
    """A message asks for more than its plan allows (a longer delay, a longer timeout, ...).

    >>> errors = check_limits(MessageOptions(timeout="1h"), Limits.FREE)
    >>> print(errors[0])
    Upstash-Timeout: the plan allows a timeout of at most 15m, got 1h
      1h
      ^^
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "limits.delay": "Upstash-Delay is longer than the plan's maximum delay",
        "limits.timeout": "a timeout is longer than the plan's maximum HTTP response duration",
        "limits.retries": "more retries than the plan allows",
        "limits.flow_control_period": "a flow-control period longer than the plan allows",
        "limits.body_size": "the message body is larger than the plan's maximum message size",
    }


class InvalidLimits(ProtocolError):
    """A :class:`Limits` given a value no limit can have (a negative number of retries, ...).

    >>> Limits(max_retries=-1)
    Traceback (most recent call last):
      ...
    qstash_protocol.InvalidLimits: Limits.max_retries: Input should be greater than or equal to 0
      -1
      ^^
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "limits.invalid_value": "a Limits field given a value no limit can have",
    }


class LimitsInput(TypedDict, total=False):
    """What :class:`Limits` accepts (every field optional; ``None`` means unlimited)."""

    max_delay: timedelta | None
    max_timeout: timedelta | None
    max_retries: int | None
    max_flow_control_period: timedelta | None
    max_message_size: int | None


#: Pydantic error types that mean a wrong argument or Python type, not a bad value.
_TYPE_ERRORS: Final = ("missing", "extra_forbidden")


class Limits(BaseModel):
    """The maxima a plan (or a server of your own) allows; ``None`` means unlimited.

    The documented plans are class constants: :attr:`FREE`, :attr:`PAY_AS_YOU_GO`,
    :attr:`FIXED_1M`, :attr:`FIXED_10M`; :attr:`PLANS` maps the names the command line takes
    (``free``, ``payg``, ``fixed-1m``, ``fixed-10m``) to them.

    >>> mine = Limits(max_delay=timedelta(hours=1), max_retries=5)
    >>> [error.code for error in check_limits(MessageOptions(retries=9), mine)]
    ['limits.retries']
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    max_delay: timedelta | None = None
    max_timeout: timedelta | None = None
    max_retries: int | None = Field(default=None, ge=0)
    max_flow_control_period: timedelta | None = None
    max_message_size: int | None = Field(default=None, ge=0)

    FREE: ClassVar[Limits]
    PAY_AS_YOU_GO: ClassVar[Limits]
    FIXED_1M: ClassVar[Limits]
    FIXED_10M: ClassVar[Limits]
    #: The documented plans by short name (the names ``qstash-protocol check --limits`` takes).
    PLANS: ClassVar[Mapping[str, Limits]]

    def __init__(self, **data: Unpack[LimitsInput]) -> None:
        """Validate the fields; a bad value is :class:`InvalidLimits`, a bad argument TypeError."""
        try:
            super().__init__(**data)
        except ValidationError as error:
            item = error.errors(include_url=False)[0]
            where = "Limits." + ".".join(str(part) for part in item["loc"])
            kind = str(item["type"])
            if kind in _TYPE_ERRORS or kind.endswith(("_type", "_parsing")):
                msg = f"{where}: {item['msg']}"
                raise TypeError(msg) from None
            shown = str(item.get("input"))
            raise InvalidLimits(
                f"{where}: {item['msg']}",
                code="limits.invalid_value",
                value=shown,
                span=(0, len(shown)),
            ) from None


_WEEK: Final = timedelta(days=7)

# The plans are built without validation (their numbers are written here, and
# tests/test_bounds.py checks them against Limits(...)), so importing builds no pydantic schema.
_plan = Limits.model_construct

# Source of every number below: https://upstash.com/pricing/qstash, whose data is
# https://github.com/upstash/upstash-web/blob/main/src/data/pricing/qstash.ts (read 2026-11-29);
# flow-control period: https://upstash.com/docs/qstash/overall/changelog (April 2025).
Limits.FREE = _plan(
    max_delay=timedelta(days=7),  # maxDelay "7 days"
    max_timeout=timedelta(minutes=15),  # maxHttpResponseDuration "15 minutes"
    max_flow_control_period=_WEEK,  # "up to 1 week" (changelog, April 2025)
    max_message_size=1 * _MB,  # maxMessageSize "1 MB"
)
Limits.PAY_AS_YOU_GO = _plan(
    max_delay=timedelta(days=365),  # maxDelay "1 year"
    max_timeout=timedelta(hours=2),  # maxHttpResponseDuration "2 hours"
    max_flow_control_period=_WEEK,
    max_message_size=10 * _MB,  # maxMessageSize "10 MB"
)
Limits.FIXED_1M = _plan(
    max_delay=None,  # maxDelay "Unlimited"
    max_timeout=timedelta(hours=6),  # maxHttpResponseDuration "6 hours"
    max_flow_control_period=_WEEK,
    max_message_size=50 * _MB,  # maxMessageSize "50 MB"
)
Limits.FIXED_10M = _plan(
    max_delay=None,  # maxDelay "Unlimited"
    max_timeout=timedelta(hours=12),  # maxHttpResponseDuration "12 hours"
    max_flow_control_period=_WEEK,
    max_message_size=50 * _MB,  # maxMessageSize "50 MB"
)

Limits.PLANS = {
    "free": Limits.FREE,
    "payg": Limits.PAY_AS_YOU_GO,
    "fixed-1m": Limits.FIXED_1M,
    "fixed-10m": Limits.FIXED_10M,
}


def _scopes(
    scope: MessageOptions | Callback, prefix: str
) -> Iterator[tuple[str, MessageOptions | Callback]]:
    yield prefix, scope
    if scope.callback is not None:
        yield from _scopes(scope.callback, prefix + "Callback-")
    if scope.failure_callback is not None:
        yield from _scopes(scope.failure_callback, prefix + "Failure-Callback-")


def _exceeded(code: str, header: str, what: str, limit: str, value: str) -> LimitExceeded:
    return LimitExceeded(
        f"the plan allows {what} of at most {limit}, got {value}",
        code=code,
        value=value,
        span=(0, len(value)),
        header=header,
    )


def check_limits(
    options: MessageOptions, limits: Limits, *, content_length: int | None = None
) -> list[LimitExceeded]:
    """Every way ``options`` (and a body of ``content_length`` bytes) exceeds ``limits``.

    Each error names the canonical header and its canonical value; the callback scopes are
    checked too.

    >>> check_limits(MessageOptions(), Limits.FREE, content_length=2 * 1024 * 1024)[0].code
    'limits.body_size'
    """
    errors: list[LimitExceeded] = []
    for prefix, scope in _scopes(options, "Upstash-"):
        delay, limit = scope.delay, limits.max_delay
        if delay is not None and limit is not None and delay > limit:
            errors.append(
                _exceeded(
                    "limits.delay",
                    prefix + "Delay",
                    "a delay",
                    format_duration(limit),
                    format_duration(delay),
                )
            )
        timeout, limit = scope.timeout, limits.max_timeout
        if timeout is not None and limit is not None and timeout > limit:
            errors.append(
                _exceeded(
                    "limits.timeout",
                    prefix + "Timeout",
                    "a timeout",
                    format_duration(limit),
                    format_duration(timeout),
                )
            )
        retries, most = scope.retries, limits.max_retries
        if retries is not None and most is not None and retries > most:
            errors.append(
                _exceeded("limits.retries", prefix + "Retries", "retries", str(most), str(retries))
            )
        flow, limit = scope.flow_control, limits.max_flow_control_period
        if flow is not None and limit is not None and flow.value.effective_period > limit:
            errors.append(
                _exceeded(
                    "limits.flow_control_period",
                    prefix + "Flow-Control-Value",
                    "a flow-control period",
                    format_duration(limit),
                    str(flow.value),
                )
            )
    size = limits.max_message_size
    if content_length is not None and size is not None and content_length > size:
        errors.append(
            LimitExceeded(
                f"the plan allows a message body of at most {size} bytes, got {content_length}",
                code="limits.body_size",
                value=str(content_length),
                span=(0, len(str(content_length))),
                header="Content-Length",
            )
        )
    return errors
