"""Every notebook runs top to bottom on the quick profile, and its cells can run twice.

Each notebook is executed in a fresh Jupyter kernel with nbclient, as a reader's "Run all"
would; a cell that raises fails the test with the cell's error. Then every cell that does
not train is run a second time in the same kernel, the classic TF1 notebook failure, and
in the notebook whose runs are short (004) every cell is. Each notebook's time is printed
(`pytest tests/test_notebooks.py -s`): a figure to read, not a bar to pass.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tfport import quotes
from tfport.examples import EXAMPLES

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
RERUN_EVERYTHING = {"004_binary_classifier.ipynb"}
TRAINING = ("run_example(", "try_upgraded(")  # cells that train: rerun only in RERUN_EVERYTHING


def test_there_is_one_notebook_per_article():
    assert [path.name[:3] for path in NOTEBOOKS] == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, (
                f"{path.name} is stored with outputs; clear them (Jupyter: Edit > Clear "
                f"Outputs of All Cells) before committing")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_quotes_are_the_articles_lines(path):
    """Every example a notebook covers is quoted verbatim, from the one copy in tfport/quotes."""
    text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                     if cell.cell_type == "markdown")
    names = [name for name in quotes.SOURCES if f"`{name}`" in text]
    assert names, f"{path.name} quotes no example"
    for name in names:
        assert quotes.quote(name) in text, f"{path.name}: the quote of {name} differs from tfport/quotes"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_and_reruns(path, monkeypatch):
    monkeypatch.setenv("TFPORT_NOTEBOOK_PROFILE", "quick")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        elapsed = time.perf_counter() - start
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and (path.name in RERUN_EVERYTHING
                                             or not any(mark in cell.source for mark in TRAINING)):
                client.execute_cell(cell, index)
    print(f"\n{path.name}: ran top to bottom in {elapsed:.1f} s ({os.cpu_count()} CPU cores)")

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    shown = [output.get("data", {}) for output in outputs
             if output.output_type in ("display_data", "execute_result")]
    markdown = "\n".join(data.get("text/markdown", "") for data in shown)
    covered = [example for example in EXAMPLES if f"run_example({example!r}" in
               "\n".join(cell.source for cell in notebook.cells)]
    if not covered:  # the BERT article: its port is a later issue; the notebook says so
        assert "not checked yet" in markdown
        return
    assert "TF1 (`legacy_tf1`)" in markdown, "no API mapping table shown"
    assert "| test accuracy" in markdown, "no side-by-side results shown"
    images = sum("image/png" in data for data in shown)
    # per example: loss curves, prediction grid, confusion matrix (sigmoid_step has no test
    # set; the BERT notebook runs the article's own sentences: loss curves only)
    with_test_set = [example for example in covered if example not in ("sigmoid_step",
                                                                       "bert_classifier")]
    assert images >= max(1, 3 * len(with_test_set)), f"{images} figures shown for {covered}"
    assert any("<pre" in data.get("text/html", "") for data in shown), "no side-by-side code shown"
