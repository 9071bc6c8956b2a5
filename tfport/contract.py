"""The port contract: what a TF1 port and a Keras port of one example each provide.

`legacy_tf1.<id>` and `keras_models.<id>` define the same public functions in the same order
(`sigmoid_step`: `build_model` and `run`, plus `gradient_step`); the tools use nothing else
of a port. docs/contract.md explains the contract and the run scaffolds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, ContextManager, Mapping, NamedTuple, Protocol

import numpy as np

from tfport.profiles import Profile
from tfport.results import RunResult

APIS = ("tf1", "keras")  # the two ports of an example, in the order every table shows them
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # x_train, y_train, x_test, y_test
History = dict[str, list[float]]  # per epoch (full-batch examples: per step); "loss" always


@dataclasses.dataclass(frozen=True)
class TF1Graph:
    """The handles of a TF1 port's graph: what its own functions run and feed."""

    X: Any  # the input placeholder
    Y: Any  # the label placeholder
    output: Any  # what the model predicts: probabilities, logits or sigmoid outputs
    loss: Any  # the mean loss over the fed batch
    train_op: Any  # one training step on the fed batch
    accuracy: Any = None  # None where the example has no accuracy
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)  # the port's own


class TF1Port(Protocol):
    """`legacy_tf1.<id>`: placeholders, a graph, a Session and feed_dict."""

    def load_data(self, profile: Profile) -> Arrays: ...

    def build_model(self, profile: Profile) -> TF1Graph: ...

    def train(self, sess: Any, graph: TF1Graph, x_train: np.ndarray, y_train: np.ndarray,
              profile: Profile, verbose: int = 1) -> History: ...

    def run(self, profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
            verbose: int = 1) -> RunResult: ...


class KerasPort(Protocol):
    """`keras_models.<id>`: `import keras`, a compiled model, `fit`, `evaluate`, `predict`."""

    def load_data(self, profile: Profile) -> Arrays: ...

    def build_model(self, profile: Profile) -> Any: ...  # keras.Model, compiled

    def train(self, model: Any, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
              verbose: int = 1) -> History: ...

    def run(self, profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
            verbose: int = 1) -> RunResult: ...


class TF1Scaffold(Protocol):
    """`legacy_tf1.session`: the test-set evaluation and a run's saved variables."""

    def evaluate(self, sess: Any, graph: TF1Graph, x: np.ndarray,
                 y: np.ndarray) -> tuple[float, float]: ...  # loss, accuracy

    def saving_checkpoint(self, prefix: str | Path) -> ContextManager[None]: ...


class KerasScaffold(Protocol):
    """`keras_models.program`: what every Keras port's `run` evaluates the test set with."""

    def evaluate(self, model: Any, x: Any, y: Any) -> tuple[float, float]: ...  # loss, accuracy


class Ran(NamedTuple):
    """What a run scaffold's `run_program` hands back to the port's `run`."""

    result: RunResult
    x_train: np.ndarray  # what load_data gave
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    predictions: np.ndarray  # every test prediction

