"""The documentation site's generated pages, which docs/hooks.py hands to MkDocs as virtual
files (docs/contract.md, "The documentation site")."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from tfport import mapping, notebook_outputs
from tfport.examples import EXAMPLES
from tfport.notebook import paired_steps, port_paths
from tfport.results import ROOT, RunResult
from tfport.tables import side_by_side

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
    """Where a project file or folder is in the site (relative to its root); None if absent."""
    path = posixpath.normpath(repo_path)
    target = ROOT / path
    if path.startswith("../") or path == ".." or not target.exists():
        return None
    if path == "README.md":
        return "index.md"
    if path in ("notebooks", "notebooks/executed"):
        return "notebooks/README.md"
    if path.startswith("notebooks/executed/"):  # the run copies: the site's notebook pages
        return "notebooks/" + path.removeprefix("notebooks/executed/")
    if path.startswith("notebooks/") and target.is_file():
        return path
    if path == "docs" or path.startswith("docs/"):
        inside = path.removeprefix("docs").lstrip("/")
        if target.is_dir():  # its index.md or README.md, else its folder_page
            names = [name for name in ("index.md", "README.md") if (target / name).is_file()]
            return posixpath.join(inside, (names + ["index.md"])[0])
        return inside
    return f"{SOURCE_DIR}/{path}.md" if target.is_file() else None  # a source_page


def _linked_paths(markdown: str, repo_page: str) -> list[tuple[re.Match[str], str]]:
    """The relative links to files of `markdown` (the text of `repo_page`) outside code: each
    with the project path it points at."""
    code = [match.span() for match in FENCE.finditer(markdown)]
    code += [match.span() for match in CODE_SPAN.finditer(markdown)
             if not any(start <= match.start() < end for start, end in code)]
    found = []
    for match in LINK.finditer(markdown):
        path = match.group(2).partition("#")[0].partition("?")[0]
        if path and not SCHEME.match(path) and not path.startswith("/") \
                and not any(start <= match.start(2) < end for start, end in code):
            found.append((match, posixpath.join(posixpath.dirname(repo_page), path)))
    return found


def site_links(markdown: str, repo_page: str, site_page: str) -> str:
    """`markdown` (the project file `repo_page`, shown as the site's `site_page`) with each
    relative link to a file the site has pointed at its page (MkDocs warns about the rest)."""
    parts, end = [], 0
    for match, path in _linked_paths(markdown, repo_page):
        found = site_path(path)
        if found is not None:
            relative = posixpath.relpath(found, posixpath.dirname(site_page) or ".")
            anchor = "".join(match.group(2).partition("#")[1:])
            parts += [markdown[end:match.start(2)], relative, anchor]
            end = match.end(2)
    return "".join([*parts, markdown[end:]])


# --- the pages --------------------------------------------------------------------------

def notebook_files() -> dict[str, Path]:
    """The notebooks as the site shows them: site path -> their run copy with its outputs
    where that is current (`tfport.notebook_outputs`), else the stored notebook."""
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
    example = EXAMPLES[example_id]
    tf1_path, keras_path = port_paths(example_id)
    here = f"{EXAMPLES_DIR}/{example_id}.md"
    parts = [
        "---", "hide:", "  - navigation", "  - toc", "---", "",
        f"# {example_id}: TF1 and Keras 3 side by side", "",
        f"{_cell(example.summary)}. Article `{example.article}`, lines {example.lines}; "
        f"it claims: {example.claim}.", "",
        f"Left: [`{tf1_path}`](../../{tf1_path}) (TensorFlow 1 through `tf.compat.v1`); right: "
        f"[`{keras_path}`](../../{keras_path}) (Keras 3). Each table is one step of the files, "
        "in their order (`tfport.notebook.paired_steps`, the same steps as the notebook "
        "cells); the files' script blocks (`if __name__ == \"__main__\":`) are left out.", "",
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
    paths = [QUICK / f"{example_id}-{api}-quick-seed0.json" for api in ("tf1", "keras")]
    missing = [path.relative_to(ROOT).as_posix() for path in paths if not path.is_file()]
    if missing:
        return [f"No records yet: {', '.join(missing)} (made by `tfport compare --profile "
                "quick --quiet --out docs/results/quick`)."]
    results = [RunResult.load(path) for path in paths]
    env = results[0].environment
    records = " and ".join(f"[{path.name}](../results/quick/{path.name})" for path in paths)
    lines = [
        f"Seed 0, from the records {records} (`tfport compare --profile quick --quiet --out "
        f"docs/results/quick`), made {env.get('finished', 'at a time not recorded')} with "
        f"TensorFlow {env.get('tensorflow', '?')} and Keras {env.get('keras', '?')} on "
        f"{env.get('machine', 'a machine not recorded')}:", "", side_by_side(results)]
    plot = QUICK / f"{example_id}-quick-seed0-loss.png"
    if plot.is_file():
        lines += ["", f"![Training loss of both ports, {example_id}, quick profile]"
                      f"(../results/quick/{plot.name})"]
    return lines


def twin_pairs(example_id: str) -> list[tuple[str, str | None, str | None]]:
    """`paired_steps` as rows: (step name, TF1 source or None, Keras source or None)."""
    tf1_path = port_paths(example_id)[0]
    rows: list[tuple[str, str | None, str | None]] = []
    for path, step in paired_steps(example_id):
        if path == tf1_path:
            rows.append((step.name, step.source, None))
        elif rows and rows[-1][0] == step.name and rows[-1][2] is None:  # the TF1 step's twin
            rows[-1] = (step.name, rows[-1][1], step.source)
        else:
            rows.append((step.name, None, step.source))
    return rows


def _twin_table(tf1_path: str, tf1: str | None, keras_path: str, keras: str | None) -> str:
    """One step as a raw-HTML table of two columns, each its code highlighted by Pygments
    (in the markup Material for MkDocs colours, `div.highlight > pre > code`)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    def cell(source: str | None, path: str) -> str:
        if source is None:
            return f"<td class=\"tfport-none\">(no such step in <code>{html.escape(path)}</code>)" \
                "</td>"
        return f"<td>{highlight(source, PythonLexer(), HtmlFormatter(wrapcode=True)).strip()}</td>"

    return "\n".join([
        "<table class=\"tfport-twins\">",
        f"<thead><tr><th>TF1: <code>{tf1_path}</code></th>"
        f"<th>Keras 3: <code>{keras_path}</code></th></tr></thead>",
        f"<tbody><tr>{cell(tf1, tf1_path)}{cell(keras, keras_path)}</tr></tbody>",
        "</table>"])


def source_page(repo_path: str) -> str:
    """A page that shows a project file outside docs/, as code."""
    text = (ROOT / repo_path).read_text()
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`{3,}", text))])
    language = LANGUAGES.get(Path(repo_path).suffix, "text")
    return "\n".join([f"# `{repo_path}`", "", "This project file, as the site was built from it.",
                      "", f"{fence}{language}", text.rstrip("\n"), fence, ""])


def folder_page(repo_folder: str) -> str:
    """A page that links each file of a folder under docs/ (a subfolder where it has a page)."""
    lines = [f"# `{repo_folder}/`", "", "The files of this folder:", ""]
    for entry in sorted((ROOT / repo_folder).iterdir()):
        found = site_path(f"{repo_folder}/{entry.name}")
        if entry.is_file():
            lines.append(f"- [{entry.name}]({entry.name})")
        elif found and (DOCS / found).is_file():
            lines.append(f"- [{entry.name}/]({entry.name}/{posixpath.basename(found)})")
        else:
            lines.append(f"- {entry.name}/")
    return "\n".join([*lines, ""])


def pages() -> dict[str, str]:
    """Every generated Markdown page: its path in the site -> its text. Besides the home
    page, the notebooks' README and the side-by-side pages, a source or folder page for each
    project path that a page links to (and for each port file)."""
    texts = {path.relative_to(ROOT).as_posix(): path.read_text() for path in
             [ROOT / "README.md", ROOT / "notebooks" / "README.md", *sorted(DOCS.glob("**/*.md"))]}
    generated = {site_page: site_links(texts[page], page, site_page) for page, site_page in
                 [("README.md", "index.md"), ("notebooks/README.md", "notebooks/README.md")]}
    generated[f"{EXAMPLES_DIR}/index.md"] = examples_page()
    for example_id in EXAMPLES:
        generated[f"{EXAMPLES_DIR}/{example_id}.md"] = example_page(example_id)
    wanted = [path for page, text in texts.items() for _, path in _linked_paths(text, page)]
    wanted += [path for example_id in EXAMPLES for path in port_paths(example_id)]
    for repo_path in dict.fromkeys(posixpath.normpath(path) for path in wanted):
        found = site_path(repo_path)
        if found is not None and found.startswith(f"{SOURCE_DIR}/"):
            generated[found] = source_page(repo_path)
        elif found is not None and repo_path.startswith("docs/") \
                and (ROOT / repo_path).is_dir() and not (DOCS / found).is_file():
            generated[found] = folder_page(repo_path)
    return generated


def _cell(text: str) -> str:
    """Text for a Markdown table cell."""
    return text.replace("|", "\\|")
