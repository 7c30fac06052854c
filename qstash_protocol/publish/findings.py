"""Two verdicts: what QStash refuses (errors) and what it accepts but ignores or is likely a slip.

>>> for finding in lint_headers({"Upstash-Retry": "3", "Upstash-Failure-Callback-Retries": "2"}):
...     print(finding.severity, finding.code)
warning header.misspelled
warning header.callback_without_url
>>> print(lint_headers({"Upstash-Retry": "3"})[0])
Upstash-Retry: unknown QStash header 'Upstash-Retry'; did you mean Upstash-Retries?
  Upstash-Retry
  ^^^^^^^^^^^^^

:func:`~qstash_protocol.decode_headers` and :func:`~qstash_protocol.decode_request` raise only
for what the service refuses, or for values that have no meaning; what the service accepts but
ignores, and what is probably a mistake, is a *warning*. :func:`lint_headers` and
:func:`lint_request` return both, as :class:`Finding` objects, in the order of the headers; with
``strict=True`` the decoders raise for warnings too.

Facts
-----
Every warning below is something the service accepts (it answers 200/201/202 and queues the
message); the evidence for each, and for every refusal that stays an error, is in
``docs/protocol/verdicts.md``.

- **header.callback_without_url**: ``Upstash-Callback-X`` / ``Upstash-Failure-Callback-X``
  settings or forwards without ``Upstash-Callback`` / ``Upstash-Failure-Callback``. The official
  Python workflow SDK sends them on every step (``upstash_workflow/workflow_requests.py``,
  https://github.com/upstash/workflow-py), its tests expect them, and it works against the live
  service, which ignores the settings of a scope without a URL.
- **header.duplicate**: a setting (or a URL, or ``Content-Type``) given twice. The server is
  written in Go and reads one value with ``Header.Get``, which is the first one; the library
  does the same. The repeated value has no effect and is not kept.
- **header.misspelled**: an unknown ``Upstash-`` header whose directive is close to a known one
  (``difflib.get_close_matches`` with a cutoff of 0.8: one edit in a short name, a plural). The
  service keeps it as an unknown header and the setting silently does not apply.
- **delay.overridden_by_not_before**: both are given; Not-Before wins
  (https://upstash.com/docs/qstash/features/delay), so the delay is ignored.
- **label.duplicate**: ``a,a``: the label is given twice; it means the one label, and no
  refusal is known, so the value is kept as given.
- **not_before.in_past**: the time has passed when ``now`` is given (lint only: the decoders
  take no clock). The documents do not say what happens; the message cannot wait, so it is
  delivered at once.
- **deduplication.id_and_content_based**: an explicit id and content-based deduplication at once;
  https://upstash.com/docs/qstash/features/deduplication describes them as alternatives, so one
  of the two is ignored (which one is not documented).
- **header.invalid_content_type**: a ``Content-Type`` that is not a media type. QStash forwards it
  as it is; nothing says it refuses one.
- **request.schedule_only**: ``Upstash-Cron``, ``Upstash-Schedule-Id`` or ``Upstash-Queue-Name``
  outside a schedule request: v2 creates schedules at ``/v2/schedules/`` and an enqueue names its
  queue in the path, so they have no effect there.
- **request.flow_control_on_enqueue**: flow control on ``/v2/enqueue/``: qstash-js PR #223
  (https://github.com/upstash/qstash-js/pull/223) says it is "not available for queues" (the
  queue's own parallelism rules), and the OpenAPI enqueue section does not list it; the JS SDK
  still sends it, and no refusal is known, so it is a warning. (Delay and Not-Before on enqueue
  stay errors: qstash-py PR #28, https://github.com/upstash/qstash-py/pull/28, dropped them
  because "users get an immediate error from the server".)
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Final, Literal

from qstash_protocol.errors import ProtocolError
from qstash_protocol.publish.headers import SETTINGS, canonical_header_name

if TYPE_CHECKING:
    from qstash_protocol.publish.limits import Limits
    from qstash_protocol.publish.options import MessageOptions

__all__ = ["Finding", "Severity", "lint_headers", "lint_request"]

Severity = Literal["error", "warning"]


class Finding(ProtocolError):
    """One problem in a request: an error the service would refuse, or a warning.

    A finding is a :class:`~qstash_protocol.ProtocolError` with a ``severity``, so it renders
    with the same caret, pickles and compares the same way, and ``strict=True`` can raise
    warnings inside :class:`~qstash_protocol.InvalidHeaders`. ``CODES`` lists the warning codes;
    an error finding carries the code of the error it reports (``duration.missing_unit``, ...).

    >>> finding = Finding("Upstash-Delay is ignored: Upstash-Not-Before wins",
    ...                   code="delay.overridden_by_not_before", value="10s", span=(0, 3),
    ...                   header="Upstash-Delay")
    >>> finding.severity, finding.to_dict()["severity"]
    ('warning', 'warning')
    >>> print(finding)
    Upstash-Delay: Upstash-Delay is ignored: Upstash-Not-Before wins
      10s
      ^^^

    Copies keep the ``severity``:

    >>> Finding("m", code="header.duplicate").with_header("Upstash-Retries").header
    'Upstash-Retries'
    >>> Finding("m", code="header.duplicate", value="1", span=(0, 1)).shifted(2, "a=1").span
    (2, 3)
    >>> from qstash_protocol import InvalidDuration
    >>> Finding.from_error(InvalidDuration("m", code="duration.empty")).with_header("X").severity
    'error'
    """

    CODES: ClassVar[Mapping[str, str]] = {
        "header.callback_without_url": (
            "callback settings or forwards without the scope's URL (the service ignores them)"
        ),
        "header.duplicate": "a setting given twice (the first one applies)",
        "header.misspelled": "an unknown Upstash- header one slip away from a known one",
        "header.invalid_content_type": "a Content-Type that is not a media type (forwarded as is)",
        "delay.overridden_by_not_before": "Upstash-Delay together with Upstash-Not-Before",
        "label.duplicate": "the same label twice in Upstash-Label",
        "not_before.in_past": "Upstash-Not-Before earlier than the given now",
        "deduplication.id_and_content_based": (
            "Upstash-Deduplication-Id with Upstash-Content-Based-Deduplication: true"
        ),
        "request.schedule_only": "Cron, Schedule-Id or Queue-Name outside a schedule request",
        "request.flow_control_on_enqueue": "flow control on an enqueue request",
    }

    severity: Severity
    _extra_fields: ClassVar[tuple[str, ...]] = ("severity",)

    def __init__(
        self,
        message: str,
        *,
        code: str,
        value: str | None = None,
        span: tuple[int, int] | None = None,
        header: str | None = None,
        severity: Severity = "warning",
    ) -> None:
        if severity == "warning":
            super().__init__(message, code=code, value=value, span=span, header=header)
        else:  # the code of the error it reports, declared by that error's class
            ValueError.__init__(self, message)
            self.message, self.code, self.value, self.span, self.header = (
                message,
                code,
                value,
                span,
                header,
            )
        self.severity = severity

    @classmethod
    def from_error(cls, error: ProtocolError) -> Finding:
        """The error-severity finding of a :class:`~qstash_protocol.ProtocolError`.

        >>> from qstash_protocol import InvalidDuration
        >>> Finding.from_error(InvalidDuration("m", code="duration.empty", value="")).severity
        'error'
        """
        if isinstance(error, Finding):
            return error
        return cls(
            error.message,
            code=error.code,
            value=error.value,
            span=error.span,
            header=error.header,
            severity="error",
        )


#: The directives a misspelled unknown header is compared with (the settings, forwarding, and the
#: URLs of the callback scopes).
_KNOWN: Final = (*SETTINGS, "forward", "callback", "failure-callback")


def _stem(directive: str) -> str:
    """The directive with each word in the singular (``retries`` -> ``retry``, ``labels``)."""
    words = []
    for word in directive.split("-"):
        if word.endswith("ies") and len(word) > 4:
            words.append(word[:-3] + "y")
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            words.append(word[:-1])
        else:
            words.append(word)
    return "-".join(words)


#: The known directives by their stem.
_STEMS: Final = {_stem(known): known for known in _KNOWN}
#: Longer directives are a slip of none (and are not kept in the cache): difflib's ratio
#: 2 * matches / (both lengths) stays under the 0.8 cutoff once a stem is over 1.5 times the
#: longest known stem, and a stem is at least half its directive.
_LONGEST_SLIP: Final = 3 * max(len(stem) for stem in _STEMS)


def _near_in_length(length: int) -> tuple[str, ...]:
    """The known stems that difflib's first filter (real_quick_ratio) keeps for a word this long.

    The same expression as difflib's (2.0 * matches / total length, 1.0 when both are empty),
    with the shorter length as the most matches there can be: get_close_matches compares the
    rest no further, so leaving them out gives the same answer without a SequenceMatcher each.
    """
    return tuple(
        stem
        for stem in _STEMS
        if (2.0 * min(length, len(stem)) / (length + len(stem)) if length + len(stem) else 1.0)
        >= 0.8
    )


#: The known stems worth comparing with a stem of each length up to _LONGEST_SLIP.
_STEMS_BY_LENGTH: Final = tuple(_near_in_length(length) for length in range(_LONGEST_SLIP + 1))


@functools.lru_cache(maxsize=4096)
def _closest(directive: str) -> str | None:
    """The known directive that ``directive`` is a slip of, if any.

    Cached: decoding asks for every unknown header, and workflow traffic repeats the same few.
    """
    stem = _stem(directive)
    length = len(stem)
    # difflib's second filter (quick_ratio) keeps a stem whose characters, counted with their
    # repeats, match at least 0.8 of both lengths; the characters of a stem that occur in
    # ``stem`` at all are at least that many, so the stems that fall short even so are left
    # out at once (counted in C: no SequenceMatcher each, and most unknown names compare none).
    present = set(stem).__contains__
    near = [
        known
        for known in _STEMS_BY_LENGTH[length]
        if 2.0 * sum(map(present, known)) / (length + len(known)) >= 0.8
    ]
    close = difflib.get_close_matches(stem, near, n=1, cutoff=0.8) if near else None
    return _STEMS[close[0]] if close else None


def closest_directive(directive: str) -> str | None:
    """The known directive (lower case) that ``directive`` is one slip from, or ``None``.

    >>> closest_directive("labels"), closest_directive("workflow-runid")
    ('label', None)
    """
    return _closest(directive) if len(directive) <= _LONGEST_SLIP else None


def misspelled(name: str, directive: str) -> Finding | None:
    """A ``header.misspelled`` warning if ``directive`` is one slip from a known directive.

    ``name`` is the header as sent; ``directive`` its unknown part, lower case.

    >>> misspelled("Upstash-Labels", "labels").message
    "unknown QStash header 'Upstash-Labels'; did you mean Upstash-Label?"
    >>> misspelled("Upstash-Workflow-RunId", "workflow-runid") is None
    True
    """
    known = closest_directive(directive)
    if known is None:
        return None
    suggestion = name[: len(name) - len(directive)] + canonical_header_name(known)
    return Finding(
        f"unknown QStash header {name!r}; did you mean {suggestion}?",
        code="header.misspelled",
        value=name,
        span=(0, len(name)),
        header=name,
    )


def _past(options: MessageOptions, now: datetime, found: list[Finding]) -> None:
    if options.not_before is not None and options.not_before < now:
        text = str(int(options.not_before.timestamp()))
        found.append(
            Finding(
                f"Upstash-Not-Before is {now - options.not_before} in the past: the message is "
                "delivered at once",
                code="not_before.in_past",
                value=text,
                span=(0, len(text)),
                header="Upstash-Not-Before",
            )
        )


def lint_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    now: datetime | None = None,
) -> list[Finding]:
    """Every problem in a request's headers: the errors decoding raises, and the warnings.

    ``now`` (an aware ``datetime``) enables the ``not_before.in_past`` check.

    >>> [f.code for f in lint_headers({"Upstash-Delay": "30", "Upstash-Retries": "1"})]
    ['duration.missing_unit']
    >>> from datetime import UTC
    >>> [f.code for f in lint_headers({"Upstash-Not-Before": "1"}, now=datetime.now(UTC))]
    ['not_before.in_past']

    Raises:
        TypeError: when a header name or value is neither ``str`` nor ``bytes``.

    """
    from qstash_protocol.publish.codec import decode_with_findings  # noqa: PLC0415 (a cycle)

    options, found = decode_with_findings(headers)
    if options is not None and now is not None:
        _past(options, _aware(now), found)
    return found


def lint_request(
    path: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]],
    *,
    now: datetime | None = None,
    limits: Limits | None = None,
    content_length: int | None = None,
) -> list[Finding]:
    """Every problem in a publish, enqueue or schedule request: errors and warnings, in order.

    With ``limits`` (and ``content_length``), a plan's limits are checked as
    :func:`~qstash_protocol.decode_request` checks them.

    >>> findings = lint_request("/v2/enqueue/q/https://example.com",
    ...                         {"Upstash-Flow-Control-Key": "k",
    ...                          "Upstash-Flow-Control-Value": "rate=1"})
    >>> [(f.severity, f.code) for f in findings]
    [('warning', 'request.flow_control_on_enqueue')]

    Raises:
        TypeError: when a header name or value is neither ``str`` nor ``bytes``.

    """
    from qstash_protocol.publish.request import request_with_findings  # noqa: PLC0415

    request, found = request_with_findings(
        path, headers, limits=limits, content_length=content_length
    )
    if request is not None and now is not None:
        _past(request.options, _aware(now), found)
    return found


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        msg = "now must be an aware datetime"
        raise TypeError(msg)
    return now
