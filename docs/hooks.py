"""MkDocs hooks (mkdocs.yml's `hooks:`): the generated pages of `tfport.site` as virtual files,
and docs/'s own pages with their links rewritten for the site. Nothing is written to docs/."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's tfport, installed or not

from tfport import runtime, site  # noqa: E402
from tfport.examples import EXAMPLES  # noqa: E402

# the pages the navigation lists by name, and the sections the hook fills in after them
NAV_SECTIONS = {
    f"{site.EXAMPLES_DIR}/index.md": lambda: [{example_id: f"{site.EXAMPLES_DIR}/{example_id}.md"}
                                              for example_id in EXAMPLES],
    "notebooks/README.md": lambda: list(site.notebook_files()),
}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Each example's and each notebook's page added to the navigation after the page that
    lists them."""
    def fill(items: list) -> list:
        filled = []
        for item in items:
            if isinstance(item, dict):
                item = {title: fill(value) if isinstance(value, list) else value
                        for title, value in item.items()}
            filled.append(item)
            page = item if isinstance(item, str) else next(iter(item.values()))
            if isinstance(page, str) and page in NAV_SECTIONS:
                filled += NAV_SECTIONS[page]()
        return filled

    config.nav = fill(config.nav or [])
    return config


@event_priority(50)  # before mkdocs-jupyter's on_files, which takes up the notebooks
def on_files(files: Files, config: MkDocsConfig) -> Files:
    runtime.quiet_start()  # the mapping tables read defaults from TensorFlow: no start-up lines
    in_nav = {"index.md", "notebooks/README.md", f"{site.EXAMPLES_DIR}/index.md",
              *(f"{site.EXAMPLES_DIR}/{example_id}.md" for example_id in EXAMPLES)}
    for src_uri, text in site.pages().items():
        inclusion = InclusionLevel.UNDEFINED if src_uri in in_nav else InclusionLevel.NOT_IN_NAV
        _replace(files, File.generated(config, src_uri, content=text, inclusion=inclusion))
    for src_uri, path in site.notebook_files().items():
        # a plain File, its source under the project root: mkdocs-jupyter's wrapper of a
        # File does not see a generated file's abs_src_path
        _replace(files, File(src_uri, src_dir=str(ROOT), dest_dir=config.site_dir,
                             use_directory_urls=config.use_directory_urls))
    return files


@event_priority(50)  # before mkdocs-jupyter's on_pre_page, which renders the notebook
def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    """A notebook's page renders its run copy with its outputs, where that is current
    (`tfport.site.notebook_files`). Set on the page's own file: mkdocs-jupyter's wrapper of
    a File works its path out again from the stored notebook's folder."""
    found = site.notebook_files().get(page.file.src_uri)
    if found is not None:
        page.file.__dict__["abs_src_path"] = str(found)  # File.abs_src_path is a cached_property
    return page


def _replace(files: Files, file: File) -> None:
    old = files.get_file_from_path(file.src_uri)
    if old is not None:
        files.remove(old)
    files.append(file)


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """docs/'s own pages: links to files outside docs/ pointed at their pages in the site
    (the generated pages come with theirs rewritten)."""
    if page.file.generated_by is not None or not page.file.src_uri.endswith(".md"):
        return markdown
    return site.site_links(markdown, f"docs/{page.file.src_uri}", page.file.src_uri)
