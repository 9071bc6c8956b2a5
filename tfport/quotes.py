"""The articles' own words and code, quoted verbatim.

The notebooks quote each snippet as the article printed it, and `tfport.upgrade` feeds
article 000's code to TensorFlow's `tf_upgrade_v2`. The quotes are copied line for line
from `shared/seeds/` into each example's record (`quote`, tfport/examples/<id>.py; the
articles themselves are not part of this repository); `tests/test_quotes.py` checks every
copy against its article.
"""

from __future__ import annotations

import re
from pathlib import Path

from tfport.examples import EXAMPLES

# name -> (article file in shared/seeds, line ranges as SNIPPETS.md gives them): each
# example's lines, or its record's `quote_lines` where the quote copies other lines.
SOURCES: dict[str, tuple[str, str]] = {
    example.id: (example.article, example.quote_lines or example.lines)
    for example in EXAMPLES.values()}


def line_ranges(lines: str) -> list[tuple[int, int]]:
    """'200-229, output 247-251' -> [(200, 229), (247, 251)] (1-based, inclusive)."""
    return [(int(first), int(last)) for first, last in re.findall(r"(\d+)-(\d+)", lines)]


def from_article(name: str, seeds_dir: str | Path) -> str:
    """The quote cut fresh from the article in `seeds_dir`, ranges separated by '...'."""
    article, lines = SOURCES[name]
    text = (Path(seeds_dir) / article).read_text(encoding="utf-8").splitlines()
    parts = ["\n".join(text[first - 1:last]) for first, last in line_ranges(lines)]
    return "\n\n[...]\n\n".join(parts) + "\n"


def quote(name: str) -> str:
    """The article's text for `name` (an example id), verbatim."""
    if name not in SOURCES:
        raise KeyError(f"no quote {name!r}; known: {', '.join(SOURCES)}")
    return EXAMPLES[name].quote


def code(name: str) -> str:
    """The Python code of the quote: every ```python block, joined."""
    blocks = re.findall(r"```python\n(.*?)```", quote(name), flags=re.DOTALL)
    return "\n".join(blocks)


def where(name: str) -> str:
    """'article 000_d91d80cfb38f4475.txt, lines 195-239'."""
    article, lines = SOURCES[name]
    return f"article {article}, lines {lines}"
