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
