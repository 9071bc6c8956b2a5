"""The notebooks' live code: the twins' own source in cells a learner can edit and re-run.

Each notebook holds, for each of its examples, the code of `legacy_tf1/<id>.py` and
`keras_models/<id>.py` as executable cells, step by step: the TF1 cell of a step, then the
Keras cell of the same step (`twin_cells`). The cells are generated from the files, never
copied by hand: `python -m tfport.notebook` rewrites them in every notebook, and
`python -m tfport.notebook --check` (run by the tests) fails when a notebook is out of date.

A twin cell starts with `%%port legacy_tf1/<id>.py` (an IPython cell magic this module
registers, `%load_ext tfport.notebook`): the cell runs inside a copy of that port module, so
that the TF1 and the Keras port's functions of the same name do not overwrite each other, and
the port's own `run` calls the functions as the cells last defined them. The files on disk
do not change. `run_port` runs such a copy; `port` hands it out (for an exercise, say).

A port file's last step, its `if __name__ == "__main__":` block (`SCRIPT`), gets no cell: it
starts the file as a script from a terminal (`tfport.script`), and in a notebook, where the
cell runs inside the copy of the port module, it would never run.
"""

from __future__ import annotations

import __future__
import argparse
import ast
import dataclasses
import difflib
import html
import importlib
import inspect
import re
import sys
import types
import warnings
from pathlib import Path
from typing import Any

from tfport.profiles import Profile, get_profile
from tfport.results import ROOT, RunResult

NOTEBOOKS = ROOT / "notebooks"
MAGIC = "port"
TWIN = "twin"  # the cell tag of generated cells
MARK = "tfport-twins"  # the metadata key of the Markdown cell the twin cells follow
SCRIPT = "__main__"  # the step name of a port file's script block, which no cell shows


# --- the twins, cut into steps ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Step:
    """One top-level piece of a port file: its imports (with the module docstring), a
    function or class (with the comments just above it), other statements, or its script
    block (`SCRIPT`)."""

    name: str
    source: str


def steps(path: str | Path) -> list[Step]:
    """The file at `path` (relative to the project) cut into `Step`s, in order; joined with
    blank lines they are the file again (`tests/test_notebooks.py` checks it)."""
    text = (ROOT / path).read_text()
    lines = text.splitlines()
    starts: list[int] = []
    after_definition = False
    for node in ast.parse(text).body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        while first > 0 and lines[first - 1].startswith("#"):  # its comments come with it
            first -= 1
        definition = isinstance(node, (ast.FunctionDef, ast.ClassDef))
        if not starts:
            starts.append(0)  # the docstring and the imports
        elif definition or after_definition or _is_script_block(node):
            starts.append(first)  # (statements after statements stay one step)
        after_definition = definition
    sources = ["\n".join(lines[begin:end]).strip("\n")
               for begin, end in zip(starts, starts[1:] + [len(lines)])]
    return [Step(step_name(source), source) for source in sources]


def _is_script_block(node: ast.stmt) -> bool:
    """Whether `node` is `if __name__ == "__main__":`."""
    test = getattr(node, "test", None)
    return (isinstance(node, ast.If) and isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def step_name(source: str) -> str:
    """"imports" for the module's first step, `SCRIPT` for its script block, the name of
    the first function or class a step defines, or the names that a step of other
    statements binds."""
    body = ast.parse(source).body
    if not body:
        return ""
    node = body[0]
    if isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant):
        return "imports"  # it opens with the module docstring
    if _is_script_block(node):
        return SCRIPT
    definitions = [n.name for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    if definitions:  # (a learner may have put an import above it)
        return definitions[0]
    names = []
    for statement in body:
        names += [alias.asname or alias.name for alias in getattr(statement, "names", [])]
        names += [t.id for t in getattr(statement, "targets", []) if isinstance(t, ast.Name)]
    return ", ".join(names) or type(node).__name__


def port_paths(example_id: str) -> tuple[str, str]:
    return f"legacy_tf1/{example_id}.py", f"keras_models/{example_id}.py"


def shown_steps(path: str | Path) -> list[Step]:
    """The `steps` of a port file that the notebooks show as cells: all but its script
    block (`SCRIPT`)."""
    return [step for step in steps(path) if step.name != SCRIPT]


def paired_steps(example_id: str) -> list[tuple[str, Step]]:
    """Both ports' steps, step by step: a step both files have (by name) as the TF1 one then
    the Keras one; a step only one file has where it comes in that file."""
    tf1_path, keras_path = port_paths(example_id)
    tf1, new = shown_steps(tf1_path), shown_steps(keras_path)
    matcher = difflib.SequenceMatcher(a=[s.name for s in tf1], b=[s.name for s in new],
                                      autojunk=False)
    paired: list[tuple[str, Step]] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(tf1[a0:a1], new[b0:b1]):
                paired += [(tf1_path, a), (keras_path, b)]
        else:
            paired += [(tf1_path, a) for a in tf1[a0:a1]] + [(keras_path, b) for b in new[b0:b1]]
    return paired


def twin_cells(example_id: str) -> list[Any]:
    """The generated code cells of one example, tagged `twin`."""
    import nbformat

    cells = []
    for path, step in paired_steps(example_id):
        cell = nbformat.v4.new_code_cell(f"%%{MAGIC} {path}\n{step.source}",
                                         metadata={"tags": [TWIN]})
        # the same id each time it is made, so that a rewrite changes only what changed
        cell.id = re.sub(r"[^A-Za-z0-9_-]", "-", f"{path.split('/')[0]}-{example_id}-{step.name}")[:64]
        cells.append(cell)
    return cells


def refreshed(notebook: Any) -> Any:
    """`notebook` with its twin cells made anew from today's files: after each Markdown cell
    whose metadata names an example (`MARK`), that example's cells; old twin cells dropped."""
    cells = []
    for cell in notebook.cells:
        if TWIN in cell.get("metadata", {}).get("tags", []):
            continue
        cells.append(cell)
        example_id = cell.get("metadata", {}).get(MARK)
        if example_id:
            cells += twin_cells(example_id)
    notebook.cells = cells
    return notebook


def out_of_date(path: Path) -> bool:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    sources = [cell.source for cell in notebook.cells]
    return sources != [cell.source for cell in refreshed(notebook).cells]


# --- the cells at work ------------------------------------------------------------------

_ports: dict[str, types.ModuleType] = {}  # "legacy_tf1/cnn_sparse.py" -> its notebook copy
_ran: dict[str, dict[str, str]] = {}  # path -> step name -> the source its cell last ran


def port(path: str) -> types.ModuleType:
    """The notebook's copy of a port module, as its cells have defined it so far."""
    if path not in _ports:
        name = path.removesuffix(".py").replace("/", ".")
        module = types.ModuleType(name, f"{name}, as this notebook's cells define it")
        module.__file__ = str(ROOT / path)
        _ports[path] = module
    return _ports[path]


def run_cell(path: str, source: str) -> None:
    """What `%%port PATH` does with its cell: run it inside the copy of the port module."""
    path = path.strip()
    if not (ROOT / path).is_file() or not path.startswith(("legacy_tf1/", "keras_models/")):
        raise ValueError(f"%%{MAGIC} needs a port file, such as legacy_tf1/cnn_sparse.py; "
                         f"got {path!r}")
    flags = __future__.annotations.compiler_flag  # as the file's own first import asks
    code = compile(source, f"<{path}, notebook cell>", "exec", flags=flags, dont_inherit=True)
    exec(code, port(path).__dict__)
    _ran.setdefault(path, {})[step_name(source)] = source.strip("\n")


def edited(path: str) -> list[str]:
    """The steps of a port whose cells ran code other than the file's."""
    return sorted(step.name for step in steps(path)
                  if step.name in _ran.get(path, {}) and _ran[path][step.name] != step.source)


def run_port(path: str, profile: str | Profile = "quick", seed: int = 0,
             verbose: int = 2) -> RunResult:
    """Run a port as the notebook's cells define it (`run`, from the copy): the example's
    profile by name, one progress line per epoch. A run whose cells were edited says so in
    its record: `extra["edited_in_notebook"]`, and a fingerprint that matches no file."""
    example_id = Path(path).stem
    if isinstance(profile, str):
        profile = get_profile(example_id, profile)
    module = port(path)
    if not hasattr(module, "run"):
        raise RuntimeError(f"run the {path} cells above first (Run > Run All Above Selected Cell)")
    result = module.run(profile, seed=seed, verbose=verbose)
    changed = edited(path)
    if changed:
        result.extra["edited_in_notebook"] = changed
        result.environment["fingerprint"] = "edited in a notebook"
        print(f"(this run used edited cells of {path}: {', '.join(changed)})")
    return result


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext tfport.notebook`: TensorFlow imported without its start-up lines, and the
    `%%port PATH` cell magic."""
    from tfport import runtime

    runtime.quiet_start()
    # tqdm (which KerasHub imports) warns in a notebook without ipywidgets; nothing uses it
    warnings.filterwarnings("ignore", message="IProgress not found")

    def port_magic(line: str, cell: str) -> None:
        run_cell(line, cell)

    ipython.register_magic_function(port_magic, magic_kind="cell", magic_name=MAGIC)


# --- the run scaffolds, shown (not edited: every port of an API shares them) ------------

class SideBySide:
    """Two columns of source code; renders as HTML in a notebook and as text elsewhere."""

    def __init__(self, title: str, left: tuple[str, str], right: tuple[str, str]):
        self.title, self.left, self.right = title, left, right

    def _repr_html_(self) -> str:
        def column(heading: str, code: str) -> str:
            return (f"<td style='vertical-align:top;text-align:left;width:50%'>"
                    f"<b>{html.escape(heading)}</b>"
                    f"<pre style='font-size:11px;white-space:pre-wrap'>{html.escape(code)}</pre></td>")

        return (f"<table style='width:100%'><caption>{html.escape(self.title)}</caption><tr>"
                f"{column(*self.left)}{column(*self.right)}</tr></table>")

    def __repr__(self) -> str:
        return "\n".join([self.title, *(f"--- {heading}\n{code}" for heading, code in (self.left, self.right))])


def run_scaffolds() -> SideBySide:
    """What every port's `run` does around the article's functions: the TF1 session scaffold
    (graph, Session, initializer, batched evaluation and prediction) beside the Keras one."""
    tf1 = importlib.import_module("legacy_tf1.session")
    new = importlib.import_module("keras_models.program")
    return SideBySide(
        "run: load, build, train, evaluate, predict",
        (f"TF1: {tf1.__name__}", inspect.getsource(tf1.new_session) + "\n"
         + inspect.getsource(tf1.run_program)),
        (f"Keras 3: {new.__name__}", inspect.getsource(new.run_program)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tfport.notebook",
        description="Make the notebooks' twin cells anew from legacy_tf1/ and keras_models/.")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    import nbformat

    stale = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if not out_of_date(path):
            continue
        stale.append(path.name)
        if not args.check:
            nbformat.write(refreshed(nbformat.read(path, as_version=4)), path)
    if args.check and stale:
        print(f"out of date with the twins: {', '.join(stale)}; run python -m tfport.notebook",
              file=sys.stderr)
        return 1
    print(("rewrote " if stale else "up to date: ") + ", ".join(stale or ["every notebook"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
