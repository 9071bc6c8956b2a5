"""The one result record that every run of every port returns."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import platform
from pathlib import Path
from typing import Any

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
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    environment: dict[str, str] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for strict JSON: a NaN (a measure the example lacks) becomes None."""
        return _nan_to_none(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        names = {field.name for field in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        for key in ("test_accuracy", "test_loss"):
            if values.get(key) is None:
                values[key] = math.nan
        return cls(**values)

    def save(self, out_dir: str | os.PathLike) -> Path:
        """Write the record as `<example>-<api>-<profile>-seed<seed>.json` in `out_dir`."""
        path = Path(out_dir) / f"{self.example}-{self.api}-{self.profile}-seed{self.seed}.json"
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


def environment() -> dict[str, str]:
    """Versions and machine, stored with every result so that a figure says where it came from."""
    import keras
    import tensorflow as tf

    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
        "finished": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def make_result(
    *,
    example: str,
    api: str,
    profile: str,
    seed: int,
    test_accuracy: float,
    test_loss: float,
    loss_history: list[float],
    wall_time_s: float,
    train_time_s: float,
    train_samples: int,
    param_count: int,
    extra: dict[str, Any] | None = None,
) -> RunResult:
    """Build a RunResult from plain numbers (NumPy scalars become floats)."""
    return RunResult(
        example=example,
        api=api,
        profile=profile,
        seed=seed,
        test_accuracy=float(test_accuracy),
        test_loss=float(test_loss),
        loss_history=[float(loss) for loss in loss_history],
        wall_time_s=float(wall_time_s),
        train_time_s=float(train_time_s),
        train_samples_per_s=float(train_samples / train_time_s) if train_time_s > 0 else 0.0,
        param_count=int(param_count),
        extra=extra or {},
        environment=environment(),
    )


SHOWN_PREDICTIONS = 16  # test digits the notebooks' prediction grid shows


def prediction_summary(labels: np.ndarray, outputs: np.ndarray) -> dict[str, Any]:
    """What a result keeps of a model's test predictions, the same way for both ports.

    `labels`: class indices or one-hot rows; `outputs`: one row per sample, of scores per
    class (probabilities or logits: the largest wins), or a single probability of class 1.
    Returns the first SHOWN_PREDICTIONS predicted classes and labels, and the confusion
    matrix (row: true class, column: predicted class), as plain lists for JSON.
    """
    labels, outputs = np.asarray(labels), np.asarray(outputs)
    true_classes = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 else labels.reshape(-1)
    true_classes = true_classes.astype(int)
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
