"""The documentation site: `mkdocs build --strict` builds it, and the side-by-side page of an
example shows both ports' code in two columns, and its results, in a real browser.

The build needs the docs extra (MkDocs, Material, mkdocs-jupyter; in the test extra too); the
browser test needs Debian's Chromium (`apt-get install -y chromium`, as .ci/run does). Each is
skipped, saying why, where it is missing. The link rewriting is checked without either.
"""

from __future__ import annotations

import html.parser
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfport import site
from tfport.examples import EXAMPLES
from tfport.notebook import port_paths, shown_steps
from tfport.results import RunResult
from tfport.tables import side_by_side

ROOT = Path(__file__).resolve().parents[1]
BUILD_PACKAGES = ("mkdocs", "material", "mkdocs_jupyter")
CODE_BACKGROUND = (245, 245, 245)  # Material's light code blocks (--md-code-bg-color)


# --- without MkDocs -----------------------------------------------------------------------

@pytest.mark.parametrize("page, site_page, link, expected", [
    ("README.md", "index.md", "[data](docs/data.md)", "[data](data.md)"),
    ("README.md", "index.md", "[p](tfport/profiles.py)", "[p](source/tfport/profiles.py.md)"),
    ("README.md", "index.md", "[r](docs/results/quick)", "[r](results/quick/index.md)"),
    ("README.md", "index.md", "[r](#results)", "[r](#results)"),
    ("docs/contract.md", "contract.md", "[c](../tfport/contract.py)",
     "[c](source/tfport/contract.py.md)"),
    ("docs/contract.md", "contract.md", "[n](../notebooks/)", "[n](notebooks/README.md)"),
    ("docs/contract.md", "contract.md", "[n](../notebooks/README.md#editing-the-code)",
     "[n](notebooks/README.md#editing-the-code)"),
    ("docs/bench/README.md", "bench/README.md", "[g](../results/gpu)",
     "[g](../results/gpu/index.md)"),
    ("notebooks/README.md", "notebooks/README.md", "[d](../docs/data.md)", "[d](../data.md)"),
    ("README.md", "index.md", "[x](https://example.org/a.md)", "[x](https://example.org/a.md)"),
    ("README.md", "index.md", "[gone](docs/no-such-page.md)", "[gone](docs/no-such-page.md)"),
])
def test_links_point_at_the_sites_pages(page, site_page, link, expected):
    assert site.site_links(link, page, site_page) == expected


def test_links_in_code_are_left_alone():
    text = "`[d](docs/data.md)`\n\n```\n[d](docs/data.md)\n```\n[d](docs/data.md)\n"
    assert site.site_links(text, "README.md", "index.md") == text.replace(
        "```\n[d](docs/data.md)\n```\n[d](docs/data.md)", "```\n[d](docs/data.md)\n```\n[d](data.md)")


@pytest.mark.parametrize("example_id", EXAMPLES)
def test_the_side_by_side_rows_hold_every_step_of_both_files_once(example_id):
    rows = site.twin_pairs(example_id)
    tf1_path, keras_path = port_paths(example_id)
    assert [tf1 for _, tf1, _ in rows if tf1 is not None] == \
        [step.source for step in shown_steps(tf1_path)]
    assert [keras for _, _, keras in rows if keras is not None] == \
        [step.source for step in shown_steps(keras_path)]
    for name in ("load_data", "build_model", "train", "run"):  # the contract's functions
        if any(step.name == name for step in shown_steps(tf1_path)):
            assert any(row[0] == name and row[1] and row[2] for row in rows), name


# --- the built site -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    """`mkdocs build --strict -d TMP`, once for this file."""
    missing = [name for name in BUILD_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the site's build packages are not installed ({', '.join(missing)}): "
                    "pip install -e \".[docs]\"")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about its successor
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def test_the_site_builds_with_every_page(built_site):
    for page in ["index.html", "examples/index.html",
                 *(f"examples/{example_id}/index.html" for example_id in EXAMPLES),
                 *(f"{name.removesuffix('.md')}/index.html"
                   for name in (path.name for path in (ROOT / "docs").glob("*.md"))),
                 *(f"notebooks/{path.stem}/index.html" for path in site.NOTEBOOKS.glob("*.ipynb"))]:
        assert (built_site / page).is_file(), f"the site has no {page}"
    home = (built_site / "index.html").read_text()
    assert "examples/cnn_sparse/" in home, "the navigation lists the side-by-side pages"
    assert not (ROOT / "docs" / "index.md").exists() and not (ROOT / "docs" / "examples").exists(), \
        "generated pages are virtual files, never written into docs/"


class _Tables(html.parser.HTMLParser):
    """Every table of a page: its class, the id of the heading above it, and its cells' text
    (code cells too), row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._heading: str | None = None
        self._table: dict | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h2", "h3") and attrs.get("id"):
            self._heading = attrs["id"]
        elif tag == "table" and self._table is None:
            self._table = {"class": attrs.get("class") or "", "heading": self._heading,
                           "rows": []}
        elif tag == "tr" and self._table is not None:
            self._table["rows"].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table["rows"][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium found (apt-get install -y chromium): the page is not opened in "
                "a browser here")


def _headless(page: Path, profile: Path, *options: str) -> str:
    done = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={profile}", *options, page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"chromium failed:\n{done.stderr[-2000:]}"
    return done.stdout


def test_the_cnn_sparse_page_shows_both_ports_and_the_results_in_a_browser(built_site, tmp_path):
    page = built_site / "examples" / "cnn_sparse" / "index.html"
    parser = _Tables()
    parser.feed(_headless(page, tmp_path / "profile", "--dump-dom"))
    twins = {table["heading"]: table for table in parser.tables if "tfport-twins" in table["class"]}
    for step, tf1_code, keras_code in [("build_model", "tf.compat.v1.train.AdamOptimizer",
                                        "model.compile("),
                                       ("train", "feed_dict=", "model.fit(")]:
        assert step in twins, f"no side-by-side table under a heading {step}"
        header, (tf1, keras) = twins[step]["rows"]
        assert "legacy_tf1/cnn_sparse.py" in header[0] and "keras_models/cnn_sparse.py" in header[1]
        assert f"def {step}(" in tf1 and tf1_code in tf1, f"the TF1 column of {step}"
        assert f"def {step}(" in keras and keras_code in keras, f"the Keras column of {step}"
        assert "tf.compat.v1" not in keras

    results = [RunResult.load(site.QUICK / f"cnn_sparse-{api}-quick-seed0.json")
               for api in ("tf1", "keras")]
    shown = next(table for table in parser.tables if table["heading"] == "results-quick-profile")
    expected = [[cell.strip() for cell in line.strip("|").split("|")]
                for line in side_by_side(results).splitlines() if not line.startswith("|-")]
    assert [[cell.strip() for cell in row] for row in shown["rows"]] == expected

    # the two columns stand side by side: rows of the screenshot with code on both halves
    from PIL import Image

    screenshot = tmp_path / "cnn_sparse.png"
    _headless(page, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1400,2000")
    image = Image.open(screenshot).convert("RGB")
    assert image.size == (1400, 2000)

    def code_on(row: int, left: int, right: int) -> bool:
        pixels = [image.getpixel((x, row)) for x in range(left, right, 10)]
        return pixels.count(CODE_BACKGROUND) > len(pixels) / 2

    both = sum(code_on(row, 50, 650) and code_on(row, 750, 1350) for row in range(0, 2000, 5))
    assert both > 100, f"only {both * 5} px of the screenshot have code in both columns"
