"""The port contract: what a TF1 port and a Keras port of one example each provide.

An example id names two modules, `legacy_tf1.<id>` and `keras_models.<id>`. Both are the
article's program, written in one API each, with the same public functions in the same
order (tests/test_twins.py checks it). The tools (`tfport verify`, `bench`,
`convert-checkpoint`, the notebooks) use nothing else of a port than what is written here,
so no tool needs to look at a port's signatures.

    load_data(profile)  -> (x_train, y_train, x_test, y_test)
    build_model(profile) -> the model: a `TF1Graph` in the current default graph (TF1), a
                           compiled `keras.Model` (Keras)
    train(...)          -> the history: {"loss": [per epoch], ...}, like Keras's History
    run(profile, seed, out_dir, verbose) -> RunResult, the whole program

Neither `train` takes a seed: the run scaffold sets it before the model is built (TF1: the
graph seed, which `legacy_tf1/feeding.py` also draws each epoch's order from; Keras:
`keras.utils.set_random_seed`). A tool that wants a TF1 run's variables saved runs it inside
`legacy_tf1.session.saving_checkpoint(prefix)`.

Evaluating and predicting the test set is the same in every port of an API (fed in batches
of 1000), so it lives in the run scaffolds: `legacy_tf1/session.py` (through
`legacy_tf1/feeding.py`) and `keras_models/program.py`, whose `evaluate` is the scaffold
contract below (`tfport verify` compares the two). A TF1 graph's accuracy and outputs
are the `TF1Graph` handles `accuracy` and `output`; a Keras model's are its compiled
metric and its `predict`.

`sigmoid_step` (one neuron, one step, no data set) has `build_model` and `run` only, plus
its `gradient_step` in both APIs; `tfport verify` knows it by its record (`one_neuron`).
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
    """`legacy_tf1.session`: what every TF1 port's `run` evaluates the test set with, and
    how a tool has a run's variables saved."""

    def evaluate(self, sess: Any, graph: TF1Graph, x: np.ndarray,
                 y: np.ndarray) -> tuple[float, float]: ...  # loss, accuracy

    def saving_checkpoint(self, prefix: str | Path) -> ContextManager[None]: ...


class KerasScaffold(Protocol):
    """`keras_models.program`: what every Keras port's `run` evaluates the test set with."""

    def evaluate(self, model: Any, x: Any, y: Any) -> tuple[float, float]: ...  # loss, accuracy


class Ran(NamedTuple):
    """What a port's run scaffold (`legacy_tf1.session.run_program`,
    `keras_models.program.run_program`) hands back to the port's `run`."""

    result: RunResult
    x_train: np.ndarray  # what load_data gave
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    predictions: np.ndarray  # every test prediction


CONTRACT_FUNCTIONS = ("load_data", "build_model", "train", "run")
