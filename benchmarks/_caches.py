"""Clear every value cache of the library, so the next pass runs cold (a fresh process).

Found by walking the loaded ``qstash_protocol`` modules: ``functools`` caches (``cache_clear``)
and module-level dicts whose name says they cache (``*cache*``, and the codec's ``_names``,
``_values``, ``_formatted``, ``_formatted_objects``, ``_bare_callbacks``). Built parsers (the
Lark tables) are kept: a gateway builds those once per process, not once per request.
"""

from __future__ import annotations

import sys

_CACHE_NAMES = frozenset(
    {"_names", "_values", "_formatted", "_formatted_objects", "_bare_callbacks", "_canonical_names"}
)


def clear_caches() -> int:
    """Clear the caches; return how many were cleared."""
    cleared = 0
    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("qstash_protocol") or module is None:
            continue
        for name, value in list(vars(module).items()):
            if callable(getattr(value, "cache_clear", None)) and not isinstance(value, type):
                if "strategies" in module_name:
                    continue  # built Hypothesis strategies, not value caches
                value.cache_clear()
                cleared += 1
            elif isinstance(value, dict) and ("cache" in name.lower() or name in _CACHE_NAMES):
                value.clear()
                cleared += 1
    return cleared
