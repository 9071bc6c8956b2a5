"""Which examples exist, where each comes from, and its two ports.

An example id names two modules, `legacy_tf1.<id>` and `keras_models.<id>`, that follow the
port contract (`tfport.contract`). This table is the whole list; `tf1_port` and
`keras_port` import a port when a command needs it, so that tfport itself never imports
the port packages (they import tfport).
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import cast

from tfport.contract import KerasPort, KerasScaffold, TF1Port, TF1Scaffold
from tfport.errors import UnknownChoice
from tfport.profiles import Profile, get_profile
from tfport.results import RunResult

APIS = ("tf1", "keras")


@dataclasses.dataclass(frozen=True)
class Example:
    id: str
    article: str  # file in shared/seeds
    lines: str
    summary: str
    claim: str  # what the article says it achieves, in its words
    uses_mnist: bool = True  # False: the example brings its own data
    pretrained: bool = False  # True: it starts from a pretrained checkpoint (tfport.bert_checkpoint)


EXAMPLES: dict[str, Example] = {
    example.id: example
    for example in (
        Example(
            "mlp_gd", "000_d91d80cfb38f4475.txt", "195-239",
            "TF1 graph: dense 784-500-10, softmax cross-entropy, full-batch gradient descent (lr 0.01, 1000 steps)",
            "test accuracy 95% (model card, lines 172-179)",
        ),
        Example(
            "backprop", "000_d91d80cfb38f4475.txt", "146-168",
            "the article's forward / error / update formulas by hand on a small MLP, checked against autodiff",
            "formulas only (no figure)",
        ),
        Example(
            "cnn_onehot", "001_9ff776db17961a39.txt", "134-171",
            "Keras create_cnn_model: the same CNN on one-hot labels, categorical cross-entropy, Adam, 5 epochs of 64, validation split",
            "none",
        ),
        Example(
            "cnn_sparse", "002_561f56958899b404.txt", "205-244",
            "Keras CNN: Conv2D 32 -> MaxPool -> Dense 128 -> Dense 10, Adam, sparse cross-entropy, 5 epochs",
            "test accuracy 95.2% (lines 187-188, 252)",
        ),
        Example(
            "cnn_mse_sgd", "002_561f56958899b404.txt", "168-188",
            "the article's prose recipe for the same CNN: MSE on one-hot targets, SGD lr 0.001, 100 full-batch epochs",
            "test accuracy 95.2% (line 188)",
        ),
        Example(
            "binary_mlp", "004_da6c173b35dfb6c4.txt", "200-229, output 247-251",
            "Keras Dense 64-64-1 sigmoid, binary cross-entropy: the article's three samples, and MNIST even vs odd",
            "Loss 0.6525, Accuracy 0.75 on three samples (lines 247-251)",
        ),
        Example(
            "sigmoid_step", "004_da6c173b35dfb6c4.txt", "100-180",
            "one gradient step of one sigmoid neuron with binary cross-entropy, by hand and by autodiff",
            "sigma(2) = 0.865, J = 0.134, dJ/dZ = 0.865, W_new = [0.135, 0.27, 0.705]",
            uses_mnist=False,
        ),
        Example(
            "bert_classifier", "003_34aa8c543ca7d4c9.txt", "172-197, output 205-218; 230-321",
            "a pretrained BERT fine-tuned to classify sentences: google-research/bert in TF1, "
            "KerasHub in Keras 3, one checkpoint; the article's four runs, and movie-review "
            "sentences",
            "loss 0.6534 -> 0.0367 over 10 epochs (lines 205-218)",
            uses_mnist=False, pretrained=True,
        ),
    )
}


def check_example(example_id: str) -> Example:
    if example_id not in EXAMPLES:
        raise UnknownChoice(
            f"unknown example {example_id!r}; choose one of {', '.join(EXAMPLES)} (see `tfport list`)"
        )
    return EXAMPLES[example_id]


def check_api(api: str) -> str:
    if api not in APIS:
        raise UnknownChoice(f"unknown API {api!r}; choose one of {', '.join(APIS)}")
    return api


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
    """Run one port of one example; `profile` is a name from `tfport.profiles` or a Profile.

    `checkpoint`: a path prefix where the TF1 port saves its trained graph (tf1 only)."""
    check_example(example_id)
    check_api(api)
    if isinstance(profile, str):
        try:
            profile = get_profile(example_id, profile)
        except KeyError as error:
            raise UnknownChoice(error.args[0]) from None
    if api == "keras":
        if checkpoint is not None:
            raise UnknownChoice("a checkpoint is what the TF1 port saves; the Keras port's "
                                "weights come from `tfport convert-checkpoint`")
        return keras_port(example_id).run(profile, seed=seed, out_dir=out_dir, verbose=verbose)
    return tf1_port(example_id).run(profile, seed=seed, out_dir=out_dir, verbose=verbose,
                                    checkpoint=checkpoint)
