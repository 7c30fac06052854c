"""Clear every value cache of the library, so the next pass runs cold (a fresh process).

Found by walking the loaded ``qstash_protocol`` modules: ``functools`` caches (``cache_clear``)
and module-level dicts whose name says they cache (``*cache*``, and the codec's ``_names``,
``_values``, ``_formatted``, ``_formatted_objects``, ``_bare_callbacks``). Built parsers (the
Lark tables) are kept: a gateway builds those once per process, not once per request.

The walk runs once (again only when more modules have been loaded since): it looks up every
attribute of every module, about a millisecond of work that evicts the CPU's caches, and the
timed cold pass that follows would pay for it; h11, the peer, is timed without it. The caches
are module-level objects that are cleared in place, never rebound, so the ones found stay the
ones in use.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

_CACHE_NAMES = frozenset(
    {"_names", "_values", "_formatted", "_formatted_objects", "_bare_callbacks", "_canonical_names"}
)

_found: list[Callable[[], None]] = []
_found_with = [-1]  # len(sys.modules) when _found was collected


def _clearers() -> list[Callable[[], None]]:
    """The clear methods of the library's caches (collected again when modules were added)."""
    if _found_with[0] == len(sys.modules):
        return _found
    _found.clear()
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("qstash_protocol") or module is None:
            continue
        for name, value in list(vars(module).items()):
            if callable(getattr(value, "cache_clear", None)) and not isinstance(value, type):
                if "strategies" in module_name:
                    continue  # built Hypothesis strategies, not value caches
                _found.append(value.cache_clear)
            elif isinstance(value, dict) and ("cache" in name.lower() or name in _CACHE_NAMES):
                _found.append(value.clear)
    _found_with[0] = len(sys.modules)
    return _found


def clear_caches() -> int:
    """Clear the caches; return how many were cleared."""
    clearers = _clearers()
    for clear in clearers:
        clear()
    return len(clearers)
