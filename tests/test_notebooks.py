"""Every notebook holds the twins' own code, runs top to bottom on the quick profile, and
its cells can run twice; an edited cell changes what the run cells train.

Each notebook is executed in a fresh Jupyter kernel with nbclient, as a reader's "Run all"
would; a cell that raises fails the test with the cell's error. Then every cell that does
not train is run a second time in the same kernel, the classic TF1 notebook failure, and
in the notebook whose runs are short (004) every cell is. In notebook 002 the Keras
`build_model` cell of cnn_sparse is then edited (a ten times larger learning rate), as a
learner would, and the port run again from the cells. Notebook 003's fine-tune runs are
checked as tests/test_examples.py checks every example's (it does not train them again).
Each notebook's time is printed
(`pytest tests/test_notebooks.py -s`): a figure to read, not a bar to pass.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests import test_examples
from tfport import notebook as twins, notebook_outputs, quotes
from tfport.examples import EXAMPLES
from tfport.results import RunResult

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
RERUN_EVERYTHING = {"004_binary_classifier.ipynb"}
# cells that train: rerun only in RERUN_EVERYTHING
TRAINING = ("run_port(", "run_program(", "try_upgraded(", "verify.training_gaps(")


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_steps_are_the_whole_file(example_id):
    """The twin cells are made of `steps`: together they are each port file, nothing left out
    but the script block at its end, a step of its own that no cell shows (it starts the file
    from a terminal, and would never run inside a notebook's copy of the port)."""
    for path in twins.port_paths(example_id):
        text = (twins.ROOT / path).read_text()
        joined = "\n\n".join(step.source for step in twins.steps(path))
        assert joined.split() == text.split(), f"{path}: the steps are not the file"
        assert twins.steps(path)[0].name == "imports"
        assert twins.steps(path)[-1].name == twins.SCRIPT
        assert twins.shown_steps(path) == twins.steps(path)[:-1]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_code_cells_are_the_twins(path):
    """The notebook's twin cells are today's files (`python -m tfport.notebook` remakes them);
    every example it covers has them, TF1 and Keras, step by step."""
    assert not twins.out_of_date(path), (
        f"{path.name} is out of date with legacy_tf1/ and keras_models/: run "
        f"`python -m tfport.notebook` and commit the notebook")
    cells = [cell.source for cell in nbformat.read(path, as_version=4).cells
             if cell.cell_type == "code"]
    covered = [example for example in EXAMPLES
               if any(f'run_port("legacy_tf1/{example}.py"' in cell for cell in cells)]
    assert covered, f"{path.name} runs no port"
    for example in covered:
        tf1_path, keras_path = twins.port_paths(example)
        tf1_cells = [cell for cell in cells if cell.startswith(f"%%port {tf1_path}\n")]
        keras_cells = [cell for cell in cells if cell.startswith(f"%%port {keras_path}\n")]
        # every step but the script block (test_steps_are_the_whole_file says why)
        assert len(tf1_cells) == len(twins.shown_steps(tf1_path))
        assert len(keras_cells) == len(twins.shown_steps(keras_path))
        assert not any("__main__" in cell for cell in tf1_cells + keras_cells)
        assert any("tf.compat.v1." in cell for cell in tf1_cells)
        assert any("keras." in cell for cell in keras_cells)
        assert any(f'run_port("{keras_path}"' in cell for cell in cells)


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
    """Every example a notebook covers is quoted verbatim, from the one copy in its record."""
    text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                     if cell.cell_type == "markdown")
    names = [name for name in quotes.SOURCES if f"`{name}`" in text]
    assert names, f"{path.name} quotes no example"
    for name in names:
        assert quotes.quote(name) in text, f"{path.name}: the quote of {name} differs from its record's"


def test_a_run_copy_has_its_outputs_and_the_site_shows_it_while_current(tmp_path, monkeypatch):
    """`python -m tfport.notebook_outputs` writes each notebook, run, to notebooks/executed/
    (made, never committed): here a two-cell notebook, run by the same function, into a
    folder of the test's own. The copy holds the cells with their outputs after a cell naming
    the command and machine; the site shows it while its cells are the stored notebook's,
    and the stored notebook again once they differ."""
    from tfport import site

    stored = tmp_path / "notebooks" / "000_tiny.ipynb"
    stored.parent.mkdir()
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A tiny one"),
                                           nbformat.v4.new_code_cell("print(6 * 7)")])
    nbformat.write(book, stored)
    monkeypatch.setattr(notebook_outputs, "EXECUTED", tmp_path / "executed")
    monkeypatch.setattr(site, "NOTEBOOKS", stored.parent)
    assert not notebook_outputs.is_current(stored)
    assert site.notebook_files() == {"notebooks/000_tiny.ipynb": stored}
    notebook_outputs.EXECUTED.mkdir()
    nbformat.write(notebook_outputs.run_notebook(stored), notebook_outputs.executed_path(stored))
    copy = nbformat.read(notebook_outputs.executed_path(stored), as_version=4)
    header = copy.cells[0]
    assert header.metadata.get(notebook_outputs.MARK) and "`quick` profile" in header.source
    assert notebook_outputs.COMMAND in header.source and "CPU cores" in header.source
    assert copy.cells[2].outputs[0]["text"] == "42\n"
    assert notebook_outputs.is_current(stored)
    assert site.notebook_files() == {"notebooks/000_tiny.ipynb": notebook_outputs.executed_path(stored)}
    book.cells[1].source = "print(7 * 7)"  # the stored notebook changes: its copy is stale
    nbformat.write(book, stored)
    assert not notebook_outputs.is_current(stored)
    assert site.notebook_files() == {"notebooks/000_tiny.ipynb": stored}


EDITED = "002_cnn_mnist.ipynb"  # where a learner's edit is tried
FINETUNED = "003_bert_classifier.ipynb"  # where the pretrained BERT is fine-tuned


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_and_reruns(path, monkeypatch):
    monkeypatch.setenv("TFPORT_NOTEBOOK_PROFILE", "quick")
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        elapsed = time.perf_counter() - start
        check_outputs(path, notebook)
        if path.name == FINETUNED:
            check_the_finetune(client, notebook)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type == "code" and (path.name in RERUN_EVERYTHING
                                             or not any(mark in cell.source for mark in TRAINING)):
                client.execute_cell(cell, index)
        if path.name == EDITED:
            edit_the_learning_rate(client, notebook)
    print(f"\n{path.name}: ran top to bottom in {elapsed:.1f} s ({os.cpu_count()} CPU cores)")


def check_outputs(path: Path, notebook) -> None:
    """What a first run shows: tables, figures, loss curves of at least 10 points (so that
    a curve shows its shape), and one line per epoch of progress, with no TensorFlow
    start-up text (which a reader would take for an error in the notebook)."""
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    shown = [output.get("data", {}) for output in outputs
             if output.output_type in ("display_data", "execute_result")]
    markdown = "\n".join(data.get("text/markdown", "") for data in shown)
    printed = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    errors = [output.text for output in outputs if output.get("name") == "stderr"]
    assert not errors, f"{path.name} writes to stderr: {errors[0][:300]}"
    for start_up in ("cuda", "oneDNN", "absl::InitializeLog", "cpu_feature_guard"):
        assert start_up not in printed, f"{path.name} shows TensorFlow's start-up text: {start_up}"
    assert "\x08" not in printed and "\r" not in printed, "a progress bar redrawn in place"
    assert "TF1 (`legacy_tf1`)" in markdown, "no API mapping table shown"
    assert "| test accuracy" in markdown, "no side-by-side results shown"
    covered = [example for example in EXAMPLES if f'run_port("legacy_tf1/{example}.py"' in
               "\n".join(cell.source for cell in notebook.cells)]
    images = sum("image/png" in data for data in shown)
    # per example: loss curves, prediction grid, confusion matrix (sigmoid_step has no test
    # set; the BERT notebook runs the article's own sentences: loss curves only)
    with_test_set = [example for example in covered if example not in ("sigmoid_step",
                                                                       "bert_classifier")]
    assert images >= max(1, 3 * len(with_test_set)), f"{images} figures shown for {covered}"
    assert any("<pre" in data.get("text/html", "") for data in shown), "no scaffold code shown"
    exercises = [cell for cell in notebook.cells if cell.cell_type == "code"
                 and cell.source.startswith("# Exercise: the answer, measured")]
    assert exercises, f"{path.name} has no exercise"
    for cell in exercises:  # the answer is computed: the cell prints the measured figures
        answer = "".join(output.get("text", "") for output in cell.outputs)
        assert re.search(r"\d\.\de[-+]\d\d|: +\d+$", answer, re.MULTILINE), answer


def edit_the_learning_rate(client: NotebookClient, notebook) -> None:
    """A learner's edit: the Keras build_model cell with a ten times larger learning rate,
    run again, then the port: a different run, which its record calls edited."""
    cell = next(cell for cell in notebook.cells
                if cell.source.startswith("%%port keras_models/cnn_sparse.py\ndef build_model"))
    original = cell.source
    cell.source = original.replace("Adam(profile.learning_rate)", "Adam(10 * profile.learning_rate)")
    assert cell.source != original, "the edit no longer applies to the cell"
    client.execute_cell(cell, notebook.cells.index(cell))
    check = nbformat.v4.new_code_cell(
        'edited = run_port("keras_models/cnn_sparse.py", PROFILE, seed=SEED, verbose=0)\n'
        'print(edited.extra["edited_in_notebook"], edited.test_loss != keras_sparse.test_loss,\n'
        '      edited.loss_by_step["loss"] != keras_sparse.loss_by_step["loss"])')
    notebook.cells.append(check)
    client.execute_cell(check, len(notebook.cells) - 1)
    printed = "".join(output.get("text", "") for output in check.outputs).splitlines()
    assert printed == ["(this run used edited cells of keras_models/cnn_sparse.py: build_model)",
                       "['build_model'] True True"], printed


def check_the_finetune(client: NotebookClient, notebook) -> None:
    """Notebook 003 fine-tunes the pretrained BERT in both APIs, the runs that
    tests/test_examples.py checks for every other example: its records, read out of the
    kernel, must pass the same checks (test_examples.check_bert_finetune)."""
    cell = nbformat.v4.new_code_cell("import json\nprint(json.dumps([run.to_dict() for run in mr_runs]))")
    notebook.cells.append(cell)
    client.execute_cell(cell, len(notebook.cells) - 1)
    printed = "".join(output.get("text", "") for output in cell.outputs)
    tf1, keras = (RunResult.from_dict(record) for record in json.loads(printed))
    test_examples.check_bert_finetune(tf1, keras)
    notebook.cells.pop()
