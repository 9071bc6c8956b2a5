"""The documentation site's generated pages: README as the home page, and each example's twins
side by side, step by step, with its API mapping and its quick-profile results.

`mkdocs build --strict` (mkdocs.yml at the project root) builds the site from docs/; its hook,
docs/hooks.py, adds the pages made here as virtual files, so nothing generated is written
into docs/ or committed:

- `index.md`: README.md, its links rewritten for the site (`home_page`);
- `examples/index.md` and `examples/<id>.md`: for every example, each step of
  `tfport.notebook.paired_steps` as a two-column table, TF1 code on the left and Keras code
  on the right, then `tfport.mapping.table(id)` and the records in docs/results/quick shown
  by `tfport.tables.side_by_side` (`example_page`);
- `notebooks/README.md`, and the notebooks themselves (`notebook_files`; mkdocs-jupyter
  renders them without running them: each as a CI-style run left it, with its outputs,
  from notebooks/executed/, `tfport.notebook_outputs`);
- `source/<path>.md`: a page showing a project file that a page links to outside docs/
  (`tfport/profiles.py`, say), and the two port files of every example;
- `<folder>/index.md`: a list of the files of a folder under docs/ that a page links to and
  that has no page of its own (docs/results/quick, say).

`site_links` rewrites a page's relative links to those pages, so that a link that works on
GitHub (`../tfport/profiles.py`) works on the site too; the hook applies it to docs/'s own
pages. `python -m tfport.site OUT` writes the generated Markdown pages into OUT to read them.
"""

from __future__ import annotations

import argparse
import html
import posixpath
import re
import sys
from pathlib import Path

from tfport.examples import EXAMPLES
from tfport.results import ROOT, RunResult

DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"
QUICK = DOCS / "results" / "quick"
EXAMPLES_DIR = "examples"  # where the side-by-side pages go in the site
SOURCE_DIR = "source"  # where pages showing project files outside docs/ go

# Markdown's code (no links in it), and its inline links and images: [text](target "title")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
LINK = re.compile(r"(!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?)([^)\s>]+)(>?(?:\s+\"[^\"]*\")?\s*\))")
SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
LANGUAGES = {".py": "python", ".sh": "bash", ".cfg": "ini", ".toml": "toml", ".yml": "yaml",
             ".yaml": "yaml", ".json": "json", ".md": "markdown"}


# --- links ------------------------------------------------------------------------------

def site_path(repo_path: str) -> str | None:
    """Where a project file or folder (a path relative to the project root) is in the site,
    as a path relative to the site's root; None if the site does not have it."""
    path = posixpath.normpath(repo_path)
    target = ROOT / path
    if path.startswith("../") or path == ".." or not target.exists():
        return None
    if path == "README.md":
        return "index.md"
    if path == "notebooks" or path == "notebooks/executed":
        return "notebooks/README.md"
    if path.startswith("notebooks/executed/"):  # the run copies: the site's notebook pages
        return "notebooks/" + path.removeprefix("notebooks/executed/")
    if path.startswith("notebooks/") and target.is_file():
        return path
    if path == "docs" or path.startswith("docs/"):
        inside = path.removeprefix("docs").lstrip("/")
        if target.is_dir():
            for name in ("index.md", "README.md"):
                if (target / name).is_file():
                    return posixpath.join(inside, name)
            return posixpath.join(inside, "index.md")  # a folder_page
        return inside
    if target.is_file():
        return f"{SOURCE_DIR}/{path}.md"  # a source_page
    return None


def site_links(markdown: str, repo_page: str, site_page: str) -> str:
    """`markdown`, the text of the project file `repo_page` shown as the site's `site_page`,
    with every relative link to a file the site has pointed at that file in the site.
    Links in code, absolute links, anchors on the page itself and links to what the site
    lacks are left alone (MkDocs warns about the last)."""
    code = _code_ranges(markdown)

    def rewrite(match: re.Match[str]) -> str:
        if any(start <= match.start(2) < end for start, end in code):
            return match.group(0)
        target = match.group(2)
        path, sep, anchor = target.partition("#")
        if not path or SCHEME.match(path) or path.startswith("/"):
            return match.group(0)
        path = path.partition("?")[0]
        found = site_path(posixpath.join(posixpath.dirname(repo_page), path))
        if found is None:
            return match.group(0)
        relative = posixpath.relpath(found, posixpath.dirname(site_page) or ".")
        return f"{match.group(1)}{relative}{sep}{anchor}{match.group(3)}"

    return LINK.sub(rewrite, markdown)


def link_targets(markdown: str, repo_page: str) -> list[str]:
    """The project paths that `markdown` (the text of `repo_page`) links to, outside code."""
    code = _code_ranges(markdown)
    targets = []
    for match in LINK.finditer(markdown):
        path = match.group(2).partition("#")[0].partition("?")[0]
        if path and not SCHEME.match(path) and not path.startswith("/") \
                and not any(start <= match.start(2) < end for start, end in code):
            targets.append(posixpath.normpath(posixpath.join(posixpath.dirname(repo_page), path)))
    return targets


def _code_ranges(markdown: str) -> list[tuple[int, int]]:
    """Where `markdown`'s fenced blocks and code spans are."""
    ranges = [match.span() for match in FENCE.finditer(markdown)]
    for match in CODE_SPAN.finditer(markdown):
        if not any(start <= match.start() < end for start, end in ranges):
            ranges.append(match.span())
    return ranges


# --- the pages --------------------------------------------------------------------------

def home_page() -> str:
    """README.md with its links rewritten for the site's home page."""
    return site_links((ROOT / "README.md").read_text(), "README.md", "index.md")


def notebooks_page() -> str:
    """notebooks/README.md with its links rewritten for the site."""
    return site_links((NOTEBOOKS / "README.md").read_text(), "notebooks/README.md",
                      "notebooks/README.md")


def notebook_files() -> dict[str, Path]:
    """The notebooks as the site shows them: site path -> the file, their run copy with its
    outputs (`tfport.notebook_outputs`) where that is current, else the stored notebook."""
    from tfport import notebook_outputs

    return {f"notebooks/{path.name}": (notebook_outputs.executed_path(path)
                                       if notebook_outputs.is_current(path) else path)
            for path in sorted(NOTEBOOKS.glob("*.ipynb"))}


def examples_page() -> str:
    """The list of the side-by-side pages."""
    rows = [f"| [`{example.id}`]({example.id}.md) | {_cell(example.summary)} | "
            f"`{example.article}`, lines {example.lines} | {_cell(example.claim)} |"
            for example in EXAMPLES.values()]
    return "\n".join([
        "# The twins side by side", "",
        "Each example's TF1 port (`legacy_tf1/<id>.py`) and Keras 3 port "
        "(`keras_models/<id>.py`), function by function, with its API mapping and its "
        "results on the quick profile. The pages are generated from the files "
        "(`tfport/site.py`) each time the site is built.", "",
        "| example | what it shows | article | the article claims |",
        "|---|---|---|---|", *rows, ""])


def example_page(example_id: str) -> str:
    """One example's page: its steps side by side, its API mapping, its quick results."""
    from tfport import mapping
    from tfport.notebook import port_paths

    example = EXAMPLES[example_id]
    tf1_path, keras_path = port_paths(example_id)
    here = f"{EXAMPLES_DIR}/{example_id}.md"

    def source_link(path: str) -> str:
        return f"[`{path}`]({posixpath.relpath(site_path(path) or path, EXAMPLES_DIR)})"

    parts = [
        "---", "hide:", "  - navigation", "  - toc", "---", "",
        f"# {example_id}: TF1 and Keras 3 side by side", "",
        f"{_cell(example.summary)}. Article `{example.article}`, lines {example.lines}; "
        f"it claims: {example.claim}.", "",
        f"Left: {source_link(tf1_path)} (TensorFlow 1 through `tf.compat.v1`); right: "
        f"{source_link(keras_path)} (Keras 3). Each table is one step of the files, in their "
        "order (`tfport.notebook.paired_steps`, the same steps as the notebook cells); the "
        "files' script blocks (`if __name__ == \"__main__\":`) are left out.", "",
        "## The code, step by step", "",
    ]
    for name, tf1, keras in twin_pairs(example_id):
        parts += [f"### `{name}`", "", _twin_table(tf1_path, tf1, keras_path, keras), ""]
    parts += [
        "## API mapping", "",
        "Each TF1 call the ports use and its Keras 3 counterpart (`tfport.mapping`; the "
        "defaults are read from the installed TensorFlow and Keras):", "",
        mapping.table(example_id), "",
        "## Results (quick profile)", "",
        *results_section(example_id), "",
    ]
    return site_links("\n".join(parts), f"docs/{here}", here)


def results_section(example_id: str) -> list[str]:
    """The example's two quick-profile records as the side-by-side table, and its loss plot."""
    from tfport.tables import side_by_side

    paths = [QUICK / f"{example_id}-{api}-quick-seed0.json" for api in ("tf1", "keras")]
    missing = [path.relative_to(ROOT).as_posix() for path in paths if not path.is_file()]
    if missing:
        return [f"No records yet: {', '.join(missing)} (made by `tfport compare --profile "
                "quick --quiet --out docs/results/quick`)."]
    results = [RunResult.load(path) for path in paths]
    environment = results[0].environment
    lines = [
        f"Seed 0, from the records [{paths[0].name}](../results/quick/{paths[0].name}) and "
        f"[{paths[1].name}](../results/quick/{paths[1].name}) "
        f"(`tfport compare --profile quick --quiet --out docs/results/quick`), made "
        f"{environment.get('finished', 'at a time not recorded')} with TensorFlow "
        f"{environment.get('tensorflow', '?')} and Keras {environment.get('keras', '?')} "
        f"on {environment.get('machine', 'a machine not recorded')}:", "",
        side_by_side(results),
    ]
    plot = QUICK / f"{example_id}-quick-seed0-loss.png"
    if plot.is_file():
        lines += ["", f"![Training loss of both ports, {example_id}, quick profile]"
                      f"(../results/quick/{plot.name})"]
    return lines


def twin_pairs(example_id: str) -> list[tuple[str, str | None, str | None]]:
    """`paired_steps` as rows: (step name, TF1 source or None, Keras source or None)."""
    from tfport.notebook import paired_steps, port_paths

    tf1_path, _ = port_paths(example_id)
    rows: list[tuple[str, str | None, str | None]] = []
    for path, step in paired_steps(example_id):
        if path == tf1_path:
            rows.append((step.name, step.source, None))
        elif rows and rows[-1][0] == step.name and rows[-1][2] is None and rows[-1][1] is not None:
            rows[-1] = (step.name, rows[-1][1], step.source)
        else:
            rows.append((step.name, None, step.source))
    return rows


def _twin_table(tf1_path: str, tf1: str | None, keras_path: str, keras: str | None) -> str:
    """One step as a raw-HTML table of two columns, each its code highlighted by Pygments
    (in the markup Material for MkDocs colours, `div.highlight > pre > code`)."""
    def cell(source: str | None, path: str) -> str:
        if source is None:
            return f"<td class=\"tfport-none\">(no such step in <code>{html.escape(path)}</code>)</td>"
        return f"<td>{highlighted(source)}</td>"

    return "\n".join([
        "<table class=\"tfport-twins\">",
        f"<thead><tr><th>TF1: <code>{tf1_path}</code></th>"
        f"<th>Keras 3: <code>{keras_path}</code></th></tr></thead>",
        f"<tbody><tr>{cell(tf1, tf1_path)}{cell(keras, keras_path)}</tr></tbody>",
        "</table>"])


def highlighted(source: str, language: str = "python") -> str:
    """`source` as HTML, highlighted by Pygments."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name

    markup = highlight(source, get_lexer_by_name(language), HtmlFormatter(wrapcode=True))
    return markup.strip("\n")


def source_page(repo_path: str) -> str:
    """A page that shows a project file outside docs/, as code."""
    text = (ROOT / repo_path).read_text()
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`{3,}", text))])
    language = LANGUAGES.get(Path(repo_path).suffix, "text")
    return "\n".join([f"# `{repo_path}`", "",
                      "This project file, as the site was built from it.", "",
                      f"{fence}{language}", text.rstrip("\n"), fence, ""])


def folder_page(repo_folder: str) -> str:
    """A page that lists the files of a folder under docs/, each linked (a subfolder only
    where it has a page of its own)."""
    lines = [f"# `{repo_folder}/`", "", "The files of this folder:", ""]
    for entry in sorted((ROOT / repo_folder).iterdir()):
        if entry.is_file():
            lines.append(f"- [{entry.name}]({entry.name})")
            continue
        found = site_path(f"{repo_folder}/{entry.name}")
        lines.append(f"- [{entry.name}/]({entry.name}/{posixpath.basename(found)})"
                     if found and (DOCS / found).is_file() else f"- {entry.name}/")
    return "\n".join([*lines, ""])


def linked_pages() -> dict[str, str]:
    """The source and folder pages that the site's pages link to, and one for each port
    file: site path -> Markdown."""
    from tfport.notebook import port_paths

    texts = {"README.md": (ROOT / "README.md").read_text(),
             "notebooks/README.md": (NOTEBOOKS / "README.md").read_text()}
    for path in sorted(DOCS.glob("**/*.md")):
        texts[path.relative_to(ROOT).as_posix()] = path.read_text()
    wanted = [path for page, text in texts.items() for path in link_targets(text, page)]
    wanted += [path for example_id in EXAMPLES for path in port_paths(example_id)]
    pages: dict[str, str] = {}
    for repo_path in dict.fromkeys(wanted):
        found = site_path(repo_path)
        if found is None:
            continue
        if found.startswith(f"{SOURCE_DIR}/"):
            pages[found] = source_page(repo_path)
        elif repo_path.startswith("docs/") and (ROOT / repo_path).is_dir() \
                and not (DOCS / found).is_file():
            pages[found] = folder_page(repo_path)
    return pages


def pages() -> dict[str, str]:
    """Every generated Markdown page: its path in the site -> its text."""
    generated = {"index.md": home_page(), "notebooks/README.md": notebooks_page(),
                 f"{EXAMPLES_DIR}/index.md": examples_page()}
    for example_id in EXAMPLES:
        generated[f"{EXAMPLES_DIR}/{example_id}.md"] = example_page(example_id)
    generated.update(linked_pages())
    return generated


def write_pages(out_dir: str | Path) -> list[Path]:
    """Write every generated Markdown page under `out_dir`, at its path in the site; return
    the files written."""
    written = []
    for site_file, text in pages().items():
        path = Path(out_dir) / site_file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def _cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return text.replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tfport.site",
        description="Write the site's generated Markdown pages (mkdocs build makes them itself).")
    parser.add_argument("out", type=Path, help="the folder to write them into")
    args = parser.parse_args(argv)
    from tfport import runtime

    runtime.quiet_start()
    for path in write_pages(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
