"""The one result record that every run of every port returns."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime
import hashlib
import json
import math
import os
import platform
import re
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np


@dataclasses.dataclass
class RunResult:
    example: str  # example id, e.g. "cnn_sparse"
    api: str  # "tf1" or "keras"
    profile: str  # "quick", "article", or a test's own
    seed: int
    test_accuracy: float
    test_loss: float
    loss_history: list[float]  # training loss per epoch (full-batch examples: per step)
    wall_time_s: float  # the whole run: data, model building, training, evaluation
    train_time_s: float  # the training loop alone
    train_samples_per_s: float  # training samples processed per second of training
    param_count: int
    # the loss every few steps (tfport.steplog): {"steps": [...], "loss": [...], "steps_per_epoch": n}
    loss_by_step: dict[str, Any] = dataclasses.field(default_factory=dict)
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    environment: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for strict JSON: a NaN (a measure the example lacks) becomes None."""
        return _nan_to_none(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        values = {f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data}
        for key in ("test_accuracy", "test_loss"):
            if values.get(key) is None:
                values[key] = math.nan
        return cls(**values)

    def save(self, out_dir: str | os.PathLike) -> Path:
        """Write `<example>-<api>[-<backend>, if not TensorFlow]-<profile>-seed<seed>.json`."""
        backend = self.environment.get("backend", "tensorflow")
        api = self.api if backend == "tensorflow" else f"{self.api}-{backend}"
        path = Path(out_dir) / f"{self.example}-{api}-{self.profile}-seed{self.seed}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> RunResult:
        return cls.from_dict(json.loads(Path(path).read_text()))


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _nan_to_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(item) for item in value]
    return value


def environment(api: str = "keras") -> dict[str, str]:
    """Versions, backend, device and machine, stored with every result (a TF1 port runs on
    TensorFlow, a Keras port on Keras's backend)."""
    from tfport import backends

    backend = "tensorflow" if api == "tf1" else backends.current()
    env = {"tensorflow": _version("tensorflow"), "keras": _version("keras"),
           "python": platform.python_version(),
           "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
           "backend": backend, "device": backends.device(backend),
           "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    if backend != "tensorflow":
        env[backend] = _version(backend)
    return env


def _version(package: str) -> str:
    """An installed package's version, without importing it."""
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


class RunClock:
    """The wall time of a whole run, started when the clock is made, and its training time."""

    def __init__(self) -> None:
        self._start = time.perf_counter()
        self.train_s = 0.0

    @contextlib.contextmanager
    def training(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.train_s += time.perf_counter() - started

    @property
    def wall_s(self) -> float:
        return time.perf_counter() - self._start


def make_result(*, example: str, api: str, profile: Any, seed: int, clock: RunClock,
                test_loss: float, test_accuracy: float, history: dict[str, list[float]],
                train_size: int, param_count: int, labels: np.ndarray | None = None,
                predictions: np.ndarray | None = None,
                extra: dict[str, Any] | None = None, step_log: Any = None) -> RunResult:
    """The record of one run, as plain numbers: `history["loss"]` becomes `loss_history`, its
    other entries (but Keras's training accuracy, which TF1 does not compute) go into `extra`
    with the `prediction_summary` of `labels` and `predictions`."""
    kept = {key: [float(v) for v in values] for key, values in history.items()
            if key not in ("loss", "accuracy")}
    if predictions is not None:
        kept.update(prediction_summary(labels, predictions))
    train_samples = train_size * profile.epochs
    return RunResult(
        example=example, api=api, profile=profile.name, seed=seed,
        test_accuracy=float(test_accuracy), test_loss=float(test_loss),
        loss_history=[float(loss) for loss in history["loss"]],
        loss_by_step=(step_log.as_record(history["loss"], profile.batch_size is None)
                      if step_log is not None else {}),
        wall_time_s=clock.wall_s, train_time_s=clock.train_s,
        train_samples_per_s=train_samples / clock.train_s if clock.train_s > 0 else 0.0,
        param_count=int(param_count),
        extra={**kept, **(extra or {})},
        environment={**environment(api), **weights_loaded(example),
                     "fingerprint": fingerprint(example, api, profile)},
    )


def weights_loaded(example: str) -> dict[str, str]:
    """For an example that starts from pretrained weights, which checkpoint it loaded."""
    from tfport.examples import EXAMPLES

    if example not in EXAMPLES or not EXAMPLES[example].pretrained:
        return {}
    from tfport import bert_checkpoint

    found = bert_checkpoint.pretrained_bert()
    return {"checkpoint": f"{found.source.name} ({found.layout} layout)"}


ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("legacy_tf1", "keras_models", "tfport")
# Types and record keeping: what a run is, not what it computes.
RECORD_KEEPING = {"tfport.contract", "tfport.profiles", "tfport.results"}


def sources(example: str, api: str) -> list[Path]:
    """The project's files whose code a run of one port executes: the port, the port-package
    modules it imports, followed to the end, and the `tfport` modules these import directly,
    but not the record keeping (`RECORD_KEEPING`)."""
    package = "legacy_tf1" if api == "tf1" else "keras_models"
    todo, seen, found = [f"{package}.{example}"], set(), set()
    while todo:
        name = todo.pop()
        if name in seen or name in RECORD_KEEPING or name in PACKAGES:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue
        found.add(path)
        if not name.startswith("tfport."):
            todo.extend(_project_imports(path))
    return sorted(found)


def fingerprint(example: str, api: str, profile: Any) -> str:
    """A short hash of what decides a run's numbers: the `program_code` of its `sources`, the
    profile's values and the versions of TensorFlow, Keras and the backend (docs/audit.md)."""
    digest = hashlib.sha256()
    for path in sources(example, api):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0"
                      + program_code(path).encode())
    env = environment(api)
    versions = {key: env.get(key) for key in ("tensorflow", "keras", "backend", env["backend"])}
    digest.update(repr(sorted(dataclasses.asdict(profile).items())).encode())
    digest.update(repr(sorted(versions.items())).encode())
    return digest.hexdigest()[:16]


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


# A twin's `if __name__ == "__main__":` block to the end of the file, with the blank lines
# above it: how it starts as a script (tfport.script), not what a run computes: not hashed.
MAIN_BLOCK = re.compile(r"(?<=\n)\n*^if __name__ == [\"']__main__[\"']:.*\Z", re.S | re.M)


def program_text(path: Path) -> str:
    """A source file as a run executes it: without its script block (`MAIN_BLOCK`)."""
    return MAIN_BLOCK.sub("", path.read_bytes().decode("utf-8"))


def program_code(path: Path) -> str:
    """`program_text`'s syntax tree written out again: no comments, layout or docstrings."""
    tree = ast.parse(program_text(path))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def _project_imports(path: Path) -> list[str]:
    """The project modules the file at `path` imports (`from pkg import module`: the module)."""
    names = []
    for node in ast.walk(ast.parse(program_text(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names
                      if _module_file(f"{node.module}.{alias.name}")]
    return [name for name in names if name.split(".")[0] in PACKAGES]


def number(value: float, digits: int = 4) -> str:
    """A figure as every port and table prints it; NaN (a measure it lacks) as n/a."""
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


SHOWN_PREDICTIONS = 16  # test digits the notebooks' prediction grid shows


def prediction_summary(labels: np.ndarray, outputs: np.ndarray) -> dict[str, Any]:
    """The first SHOWN_PREDICTIONS predicted classes and labels, the confusion matrix (row: true
    class), for JSON; `labels`: indices or one-hot; `outputs`: class scores or P(class 1)."""
    labels, outputs = np.asarray(labels), np.asarray(outputs)
    one_hot = labels.ndim == 2 and labels.shape[1] > 1
    true_classes = (labels.argmax(axis=1) if one_hot else labels.reshape(-1)).astype(int)
    if outputs.ndim == 2 and outputs.shape[1] > 1:
        predicted, classes = outputs.argmax(axis=1), outputs.shape[1]
    else:
        predicted, classes = (outputs.reshape(-1) > 0.5).astype(int), 2
    if len(predicted) != len(true_classes):
        raise ValueError(f"{len(predicted)} predictions for {len(true_classes)} labels")
    confusion = np.zeros((classes, classes), dtype=int)
    np.add.at(confusion, (true_classes, predicted), 1)
    return {"first_predictions": predicted[:SHOWN_PREDICTIONS].tolist(),
            "first_labels": true_classes[:SHOWN_PREDICTIONS].tolist(),
            "confusion_matrix": confusion.tolist()}
