"""README.md stays short, and it and the pages under docs/ link to what exists and to each other.

README.md is what a newcomer reads first; every deep topic is a page in docs/, reached from
README by links. These checks read Markdown only (no training, no TensorFlow).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_README_LINES = 250

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def pages() -> list[Path]:
    """README.md and the topic pages, docs/*.md."""
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def linking_pages() -> list[Path]:
    """Every page whose links are checked: the topic pages, the generated reports and reading
    guides under docs/, and notebooks/README.md."""
    return [README, *sorted((ROOT / "docs").glob("**/*.md")), ROOT / "notebooks" / "README.md"]


def prose(text: str) -> str:
    """The Markdown without its code: fenced blocks and code spans hold no links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def links(page: Path) -> list[str]:
    """Every relative link target on a page (no scheme, no mailto), anchors included."""
    return [target for target in LINK.findall(prose(page.read_text()))
            if not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", target)]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, punctuation dropped, spaces
    to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for _, heading in HEADING.findall(FENCE.sub("", page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in links(page):
        path_part, _, anchor = target.partition("#")
        path_part = re.sub(r"\?.*", "", path_part)
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target} (no such file or folder)")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no heading #{anchor} in {resolved.relative_to(ROOT)})")
    return broken


def test_readme_is_short():
    lines = len(README.read_text().splitlines())
    assert lines <= MAX_README_LINES, (
        f"README.md has {lines} lines, over {MAX_README_LINES}: move a topic to docs/")


def test_every_relative_link_points_at_something_that_exists():
    broken = {page.relative_to(ROOT).as_posix(): broken_links(page) for page in linking_pages()}
    broken = {page: targets for page, targets in broken.items() if targets}
    assert not broken, f"broken links: {broken}"


def test_every_docs_page_is_reached_from_readme():
    reached, todo = {README}, [README]
    while todo:
        page = todo.pop()
        for target in links(page):
            path_part = target.partition("#")[0]
            if not path_part:
                continue
            linked = (page.parent / path_part).resolve()
            if linked.parent == ROOT / "docs" and linked.suffix == ".md" \
                    and linked.exists() and linked not in reached:
                reached.add(linked)
                todo.append(linked)
    unreached = sorted(page.name for page in pages() if page not in reached)
    assert not unreached, f"docs pages no link from README leads to: {unreached}"
