"""MkDocs hooks: the guide page is the repository's README.

``docs/guide.md`` is a placeholder; at build time its text is replaced by ``README.md`` so the
guide and the README never drift apart. The README is written to be read on a code host from
the repository root, so its links into ``docs/`` are made relative to the site here
(``docs/protocol/durations.md`` becomes ``protocol/durations.md``); every other link is left as
it is, and MkDocs' strict link checks apply to the result.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
_DOCS_LINK = re.compile(r"\]\((?:\./)?docs/")


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:
    """Replace the guide placeholder with the README, links rebased onto the site."""
    if page.file.src_uri != "guide.md":
        return markdown
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return _DOCS_LINK.sub("](", readme)
