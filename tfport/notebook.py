"""The notebooks' live code: the twins' own source, step by step, in `%%port PATH` cells a
learner can edit and re-run (notebooks/README.md says how they are used and made)."""

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

from tfport import runtime
from tfport.profiles import Profile, get_profile
from tfport.results import ROOT, RunResult

NOTEBOOKS = ROOT / "notebooks"
MAGIC = "port"
TWIN = "twin"  # the cell tag of generated cells
MARK = "tfport-twins"  # the metadata key of the Markdown cell the twin cells follow
SCRIPT = "__main__"  # the step of a port file's script block: no cell, in a copy it never runs


# --- the twins, cut into steps ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Step:
    """One top-level piece of a port file: its imports (with the module docstring), a function
    or class (with the comments above it), other statements, or its script block."""

    name: str
    source: str


def steps(path: str | Path) -> list[Step]:
    """The file at `path` (relative to the project) cut into `Step`s, in order; joined with
    blank lines they are the file again (`tests/test_notebooks.py` checks it)."""
    text = (ROOT / path).read_text()
    lines = text.splitlines()
    body = ast.parse(text).body
    starts = [0]  # the docstring and the imports
    definitions = (ast.FunctionDef, ast.ClassDef)
    for previous, node in zip(body, body[1:]):
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        while first > 0 and lines[first - 1].startswith("#"):  # its comments come with it
            first -= 1
        # (statements after statements stay one step)
        if isinstance(node, definitions) or isinstance(previous, definitions) \
                or _is_script_block(node):
            starts.append(first)
    sources = ["\n".join(lines[begin:end]).strip("\n")
               for begin, end in zip(starts, starts[1:] + [len(lines)])]
    return [Step(step_name(source), source) for source in sources]


def _is_script_block(node: ast.stmt) -> bool:
    """Whether `node` is `if __name__ == "__main__":`."""
    return isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'"


def step_name(source: str) -> str:
    """A step's name: "imports", `SCRIPT`, the first function or class it defines, or the
    names its statements bind."""
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
    """The `steps` of a port file that the notebooks show as cells: all but `SCRIPT`."""
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
        # the same id each time it is made, so that a rewrite changes only what changed
        name = re.sub(r"[^A-Za-z0-9_-]", "-", f"{path.split('/')[0]}-{example_id}-{step.name}")
        cells.append(nbformat.v4.new_code_cell(f"%%{MAGIC} {path}\n{step.source}", id=name[:64],
                                               metadata={"tags": [TWIN]}))
    return cells


def refreshed(notebook: Any) -> Any:
    """`notebook` with its twin cells made anew from today's files: after each Markdown cell
    whose metadata names an example (`MARK`), that example's cells; old twin cells dropped."""
    cells = []
    for cell in notebook.cells:
        if TWIN not in cell.metadata.get("tags", []):
            cells += [cell, *(twin_cells(cell.metadata[MARK]) if MARK in cell.metadata else [])]
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


def run_port(path: str, profile: str | Profile = "quick", seed: int = 0,
             verbose: int = 2) -> RunResult:
    """Run a port as the notebook's cells define it (its copy's `run`). A run from edited
    cells says so in its record: `extra["edited_in_notebook"]`, and a fingerprint no file has."""
    if isinstance(profile, str):
        profile = get_profile(Path(path).stem, profile)
    module = port(path)
    if not hasattr(module, "run"):
        raise RuntimeError(f"run the {path} cells above first (Run > Run All Above Selected Cell)")
    result = module.run(profile, seed=seed, verbose=verbose)
    ran = _ran.get(path, {})  # the steps whose cells ran code other than the file's
    changed = sorted(step.name for step in steps(path)
                     if step.name in ran and ran[step.name] != step.source)
    if changed:
        result.extra["edited_in_notebook"] = changed
        result.environment["fingerprint"] = "edited in a notebook"
        print(f"(this run used edited cells of {path}: {', '.join(changed)})")
    return result


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext tfport.notebook`: a quiet TensorFlow start, and the `%%port PATH` magic."""
    runtime.quiet_start()
    # tqdm (which KerasHub imports) warns in a notebook without ipywidgets; nothing uses it
    warnings.filterwarnings("ignore", message="IProgress not found")

    ipython.register_magic_function(run_cell, magic_kind="cell", magic_name=MAGIC)


# --- the run scaffolds, shown (not edited: every port of an API shares them) ------------

class SideBySide:
    """Two columns of source code; renders as HTML in a notebook and as text elsewhere."""

    def __init__(self, title: str, left: tuple[str, str], right: tuple[str, str]):
        self.title, self.left, self.right = title, left, right

    def _repr_html_(self) -> str:
        def column(heading: str, code: str) -> str:
            return (f"<td style='vertical-align:top;text-align:left;width:50%'>"
                    f"<b>{html.escape(heading)}</b>"
                    f"<pre style='font-size:11px;white-space:pre-wrap'>{html.escape(code)}</pre>"
                    "</td>")

        return (f"<table style='width:100%'><caption>{html.escape(self.title)}</caption><tr>"
                f"{column(*self.left)}{column(*self.right)}</tr></table>")

    def __repr__(self) -> str:
        return "\n".join([self.title, *(f"--- {heading}\n{code}"
                                         for heading, code in (self.left, self.right))])


def run_scaffolds() -> SideBySide:
    """What every port's `run` does around the article's functions: the TF1 session scaffold
    (graph, Session, initializer, batched evaluation and prediction) beside the Keras one."""
    # By name, as tfport.examples imports a port: tfport never imports the port packages.
    tf1 = importlib.import_module("legacy_tf1.session")
    new = importlib.import_module("keras_models.program")
    return SideBySide("run: load, build, train, evaluate, predict",
                      (f"TF1: {tf1.__name__}", inspect.getsource(tf1.new_session) + "\n"
                       + inspect.getsource(tf1.run_program)),
                      (f"Keras 3: {new.__name__}", inspect.getsource(new.run_program)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tfport.notebook",
        description="Make the notebooks' twin cells anew from legacy_tf1/ and keras_models/.")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    import nbformat

    stale = [path for path in sorted(NOTEBOOKS.glob("*.ipynb")) if out_of_date(path)]
    names = ", ".join(path.name for path in stale)
    if args.check and stale:
        print(f"out of date with the twins: {names}; run python -m tfport.notebook",
              file=sys.stderr)
        return 1
    for path in stale:
        nbformat.write(refreshed(nbformat.read(path, as_version=4)), path)
    print(f"rewrote {names}" if stale else "up to date: every notebook")
    return 0


if __name__ == "__main__":
    sys.exit(main())
