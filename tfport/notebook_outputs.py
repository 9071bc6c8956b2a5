"""The notebooks as a CI-style run leaves them, with their outputs, in notebooks/executed/ for
the site's readers (notebooks/README.md says how they are made, docs/contract.md how shown)."""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

from tfport import backends, runtime
from tfport.results import ROOT

NOTEBOOKS = ROOT / "notebooks"
EXECUTED = NOTEBOOKS / "executed"
MARK = "tfport-executed"  # the metadata key of the Markdown cell that says how a copy was made
COMMAND = "python -m tfport.notebook_outputs"


def executed_path(notebook: Path) -> Path:
    """Where the run copy of the stored notebook `notebook` is."""
    return EXECUTED / notebook.name


def is_current(notebook: Path) -> bool:
    """Whether the run copy of `notebook` exists and has the stored notebook's cells."""
    import nbformat

    copy = executed_path(notebook)
    if not copy.is_file():
        return False
    stored = nbformat.read(notebook, as_version=4).cells
    ran = [cell for cell in nbformat.read(copy, as_version=4).cells if MARK not in cell.metadata]
    return [(cell.cell_type, cell.source) for cell in ran] == \
        [(cell.cell_type, cell.source) for cell in stored]


def run_notebook(notebook: Path, profile: str = "quick", timeout_s: int = 1200):
    """`notebook` run in a fresh kernel on `profile` (TFPORT_NOTEBOOK_PROFILE), its outputs
    kept, after a Markdown cell that says so. A cell that raises stops it (CellExecutionError)."""
    import nbformat
    from nbclient import NotebookClient

    book = nbformat.read(notebook, as_version=4)
    client = NotebookClient(book, timeout=timeout_s, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env={**os.environ, "TFPORT_NOTEBOOK_PROFILE": profile})  # the kernel's
    for cell in book.cells:
        cell.metadata.pop("execution", None)  # per-cell timestamps: noise in every diff
    made = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = nbformat.v4.new_markdown_cell(
        f"*This copy of `notebooks/{notebook.name}` was run top to bottom on the `{profile}` "
        f"profile by `{COMMAND}` on {made}: {platform.machine()}, {os.cpu_count()} CPU "
        f"cores, {backends.device('tensorflow')}. Every figure below is that run's; open the "
        f"stored notebook to run it yourself.*")
    header.metadata[MARK] = True
    book.cells.insert(0, header)
    return book


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=COMMAND, description="Run every notebook on the quick profile and write it, with "
        "its outputs, to notebooks/executed/ (a few minutes per notebook on two CPU cores).")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="only these notebooks (003_bert_classifier.ipynb, say)")
    args = parser.parse_args(argv)
    stored = {path.name: path for path in sorted(NOTEBOOKS.glob("*.ipynb"))}
    unknown = [name for name in args.names if name not in stored]
    if unknown:
        print(f"{COMMAND}: no notebook {unknown[0]!r} in notebooks/; choose from "
              f"{', '.join(stored)}", file=sys.stderr)
        return 2
    import nbformat

    runtime.quiet_start()
    EXECUTED.mkdir(exist_ok=True)
    for name in args.names or list(stored):
        print(f"running {name} ...", flush=True)
        nbformat.write(run_notebook(stored[name]), executed_path(stored[name]))
        print(f"wrote {executed_path(stored[name]).relative_to(ROOT)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
