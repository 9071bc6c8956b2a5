"""The articles' own words and code, quoted verbatim.

The notebooks quote each snippet as the article printed it, and `tfport.upgrade` feeds
article 000's code to TensorFlow's `tf_upgrade_v2`. The quotes are copied line for line
from `shared/seeds/` into `tfport/quotes/<name>.md` (the articles themselves are not part of
this repository); `tests/test_quotes.py` checks every copy against its article.
"""

from __future__ import annotations

import re
from pathlib import Path

from tfport.examples import EXAMPLES

QUOTES_DIR = Path(__file__).parent / "quotes"

# name -> (article file in shared/seeds, line ranges as SNIPPETS.md gives them)
SOURCES: dict[str, tuple[str, str]] = {
    **{example.id: (example.article, example.lines) for example in EXAMPLES.values()},
    # Article 003's BERT snippet is not ported yet; its notebook quotes it all the same.
    "bert_classifier": ("003_34aa8c543ca7d4c9.txt", "172-197, output 205-218"),
}


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
    """The article's text for `name` (an example id or 'bert_classifier'), verbatim."""
    if name not in SOURCES:
        raise KeyError(f"no quote {name!r}; known: {', '.join(SOURCES)}")
    return (QUOTES_DIR / f"{name}.md").read_text(encoding="utf-8")


def code(name: str) -> str:
    """The Python code of the quote: every ```python block, joined."""
    blocks = re.findall(r"```python\n(.*?)```", quote(name), flags=re.DOTALL)
    return "\n".join(blocks)


def where(name: str) -> str:
    """'article 000_d91d80cfb38f4475.txt, lines 195-239'."""
    article, lines = SOURCES[name]
    return f"article {article}, lines {lines}"
