"""A Griffe extension: read the package's reST-flavoured docstrings as Markdown.

The docstrings are written for ``help()`` and doctest: reST roles (``:func:`parse_duration```),
``::`` literal blocks, ``Facts`` headings underlined with dashes, and bare ``>>>`` examples.
mkdocstrings renders docstrings as Markdown, where ``>>>`` would become a nested quote and a role
would be shown as written. This extension rewrites each docstring before rendering:

- a role naming a public object of the package becomes a cross-reference to its API entry (the
  build fails if the entry is missing); any other role becomes inline code;
- a run of ``>>>`` lines and their output becomes a ``pycon`` code block;
- a trailing ``::`` becomes ``:`` (the indented block after it is a Markdown code block);
- a heading underlined with dashes becomes a bold line (no heading per docstring in the TOC).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:func|class|meth|attr|data|mod|exc|obj|const):`(~?)([^`]+)`")
_UNDERLINE = re.compile(r"-{3,}")


class MarkdownDocstrings(griffe.Extension):
    """Rewrite every docstring of the loaded package from reST habits to Markdown."""

    def on_package(self, *, pkg: griffe.Module, **_: Any) -> None:
        """Rewrite the docstrings of ``pkg`` and everything in it."""
        exports = {}
        for name in pkg.exports or ():
            member = pkg.members.get(name)
            if member is not None:
                exports[name] = member.target_path if member.is_alias else member.path
        seen: set[str] = set()
        self._walk(pkg, pkg, exports, seen)

    def _walk(
        self, obj: griffe.Object, pkg: griffe.Module, exports: dict[str, str], seen: set[str]
    ) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is not None:
            obj.docstring.value = _markdown(obj.docstring.value, obj, pkg, exports)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member, pkg, exports, seen)  # type: ignore[arg-type]


#: The modules the API reference pages render (docs/api/*.md), with everything public in them.
RENDERED = ("values", "publish", "delivery", "testing", "errors")


def _rendered(obj: griffe.Object) -> bool:
    """Whether the API reference shows ``obj``, so that a cross-reference to it resolves."""
    parts = obj.path.split(".")
    if len(parts) < 2 or parts[1] not in RENDERED:
        return False
    if any(part.startswith("_") for part in parts):
        return False
    return obj.is_module or obj.is_public


def _lookup(pkg: griffe.Module, path: str) -> griffe.Object | None:
    parts = path.split(".")
    if parts[0] != pkg.name:
        return None
    obj: Any = pkg
    for part in parts[1:]:
        try:
            obj = obj.members[part]
        except (KeyError, AttributeError):
            return None
        if obj.is_alias:
            try:
                obj = obj.final_target
            except griffe.AliasResolutionError:
                return None
    return obj  # type: ignore[no-any-return]


def _target(text: str, obj: griffe.Object, pkg: griffe.Module, exports: dict[str, str]) -> str:
    """The path of the documented object a role names, or "" when it names none."""
    head, _, rest = text.partition(".")
    candidates = []
    if head in exports:
        candidates.append(exports[head] + ("." + rest if rest else ""))
    if text.startswith(pkg.name + "."):
        top = text.split(".")[1]
        if top in exports:
            candidates.append(exports[top] + text[len(pkg.name) + 1 + len(top) :])
        candidates.append(text)
    module = obj if obj.is_module else obj.module
    candidates.append(f"{module.path}.{text}")
    if obj.is_class:
        candidates.append(f"{obj.path}.{text}")
    for path in candidates:
        found = _lookup(pkg, path)
        if found is not None and _rendered(found):
            return found.path
    return ""


def _markdown(text: str, obj: griffe.Object, pkg: griffe.Module, exports: dict[str, str]) -> str:
    def role(match: re.Match[str]) -> str:
        short, name = match.group(1), match.group(2)
        shown = name.rsplit(".", 1)[-1] if short else name
        path = _target(name, obj, pkg, exports)
        return f"[`{shown}`][{path}]" if path else f"`{shown}`"

    lines = _ROLE.sub(role, text).split("\n")
    out: list[str] = []
    in_example = False
    in_fence = False
    example_indent = ""
    example_strip = 0
    literal_indent: str | None = None  # the indent of the last "::" line, while it applies
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if in_fence or stripped.startswith("```"):
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        if in_example and not stripped:
            out.append(example_indent + "```")
            in_example = False
        if not in_example and stripped.startswith(">>>"):
            # An example in a "::" literal block is fenced at the paragraph's indent instead.
            example_indent = indent
            example_strip = 0
            if literal_indent is not None and len(indent) > len(literal_indent):
                example_indent = literal_indent
                example_strip = len(indent) - len(literal_indent)
            out.append(example_indent + "```pycon")
            in_example = True
        if in_example:
            out.append(line[example_strip:] if line[:example_strip].isspace() else line)
            continue
        if stripped:
            literal_indent = None
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        previous = lines[index - 1].strip() if index else ""
        if _UNDERLINE.fullmatch(following) and stripped and len(following) == len(stripped):
            out.append(f"{indent}**{stripped}**")
            continue
        if _UNDERLINE.fullmatch(stripped) and out and out[-1].strip() == f"**{previous}**":
            continue
        if stripped.endswith("::"):
            out.append(line[:-2].rstrip() + ":" if stripped != "::" else "")
            literal_indent = indent
            continue
        out.append(line)
    if in_example:
        out.append(example_indent + "```")
    return "\n".join(out)
