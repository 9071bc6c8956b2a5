"""Which examples exist, what the tools know of each, and its two ports.

An example id names two ports, `legacy_tf1.<id>` and `keras_models.<id>` (`tfport.contract`),
and one record, `EXAMPLE` in `tfport/examples/<id>.py`. The ports are imported only when a
command needs them: tfport never imports the port packages at import time (they import tfport)."""

from __future__ import annotations

import contextlib
import importlib
from pathlib import Path
from typing import cast

from tfport.contract import APIS, KerasPort, KerasScaffold, TF1Port, TF1Scaffold
from tfport.errors import UnknownChoice
from tfport.examples import (backprop, bert_classifier, binary_mlp, cnn_mse_sgd, cnn_onehot,
                             cnn_sparse, mlp_gd, sigmoid_step)
from tfport.examples.record import Example
from tfport.profiles import Profile, get_profile
from tfport.results import RunResult

# The examples in the order every table lists them.
EXAMPLES: dict[str, Example] = {
    module.EXAMPLE.id: module.EXAMPLE
    for module in (mlp_gd, backprop, cnn_onehot, cnn_sparse, cnn_mse_sgd, binary_mlp,
                   sigmoid_step, bert_classifier)
}


def check_example(example_id: str) -> Example:
    if example_id not in EXAMPLES:
        raise UnknownChoice(f"unknown example {example_id!r}; choose one of "
                            f"{', '.join(EXAMPLES)} (see `tfport list`)")
    return EXAMPLES[example_id]


def tf1_port(example_id: str) -> TF1Port:
    """`legacy_tf1.<id>`, the TF1 port of an example."""
    check_example(example_id)
    return cast(TF1Port, importlib.import_module(f"legacy_tf1.{example_id}"))


def keras_port(example_id: str) -> KerasPort:
    """`keras_models.<id>`, the Keras port of an example."""
    check_example(example_id)
    return cast(KerasPort, importlib.import_module(f"keras_models.{example_id}"))


def tf1_scaffold() -> TF1Scaffold:
    """`legacy_tf1.session`, the run scaffold of every TF1 port."""
    return cast(TF1Scaffold, importlib.import_module("legacy_tf1.session"))


def keras_scaffold() -> KerasScaffold:
    """`keras_models.program`, the run scaffold of every Keras port."""
    return cast(KerasScaffold, importlib.import_module("keras_models.program"))


def run_example(example_id: str, api: str, profile: str | Profile = "quick", seed: int = 0,
                out_dir: str | Path | None = None, verbose: int = 1,
                checkpoint: str | Path | None = None) -> RunResult:
    """Run one port of one example; `profile`: a profile's name or a Profile; `checkpoint`:
    where the TF1 port's Session saves its trained variables (tf1 only)."""
    check_example(example_id)
    if api not in APIS:
        raise UnknownChoice(f"unknown API {api!r}; choose one of {', '.join(APIS)}")
    if isinstance(profile, str):
        try:
            profile = get_profile(example_id, profile)
        except KeyError as error:
            raise UnknownChoice(error.args[0]) from None
    if api == "keras" and checkpoint is not None:
        raise UnknownChoice("a checkpoint is what the TF1 port saves; the Keras port's "
                            "weights come from `tfport convert-checkpoint`")
    port = keras_port(example_id) if api == "keras" else tf1_port(example_id)
    with (contextlib.nullcontext() if checkpoint is None
          else tf1_scaffold().saving_checkpoint(checkpoint)):
        return port.run(profile, seed=seed, out_dir=out_dir, verbose=verbose)
