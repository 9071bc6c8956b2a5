"""The articles' own words and code, quoted verbatim from `articles/<id>.md` at the root of
this clone (articles/README.md says where they come from)."""

from __future__ import annotations

import re
from pathlib import Path

from tfport.examples import EXAMPLES

ARTICLES = Path(__file__).resolve().parent.parent / "articles"

# name -> (article file in shared/seeds, line ranges as SNIPPETS.md gives them)
SOURCES: dict[str, tuple[str, str]] = {
    example.id: (example.article, example.quote_lines or example.lines)
    for example in EXAMPLES.values()}


def quote(name: str) -> str:
    """The article's text for `name` (an example id), verbatim, from `articles/<id>.md`."""
    if name not in SOURCES:
        raise KeyError(f"no quote {name!r}; known: {', '.join(SOURCES)}")
    path = ARTICLES / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the quotes are read from the articles/ "
                                "folder of a clone of this repository (pip install -e .)")
    return path.read_text(encoding="utf-8")


def code(name: str) -> str:
    """The Python code of the quote: every ```python block, joined."""
    return "\n".join(re.findall(r"```python\n(.*?)```", quote(name), flags=re.DOTALL))
