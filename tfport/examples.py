"""Which examples exist, where each comes from, and its two ports.

An example id names two modules, `legacy_tf1.<id>` and `keras_models.<id>`, each with a
`run(profile, seed, out_dir, verbose) -> RunResult`. This table is the whole registry.
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from typing import Callable

from tfport.profiles import Profile, get_profile
from tfport.results import RunResult

APIS = ("tf1", "keras")
_PACKAGES = {"tf1": "legacy_tf1", "keras": "keras_models"}


@dataclasses.dataclass(frozen=True)
class Example:
    id: str
    article: str  # file in shared/seeds
    lines: str
    summary: str
    claim: str  # what the article says it achieves, in its words


EXAMPLES: dict[str, Example] = {
    example.id: example
    for example in (
        Example(
            "mlp_gd", "000_d91d80cfb38f4475.txt", "195-239",
            "TF1 graph: dense 784-500-10, softmax cross-entropy, full-batch gradient descent (lr 0.01, 1000 steps)",
            "test accuracy 95% (model card, lines 172-179)",
        ),
        Example(
            "cnn_sparse", "002_561f56958899b404.txt", "205-244",
            "Keras CNN: Conv2D 32 -> MaxPool -> Dense 128 -> Dense 10, Adam, sparse cross-entropy, 5 epochs",
            "test accuracy 95.2% (lines 187-188, 252)",
        ),
    )
}


class UnknownChoice(ValueError):
    """An example id, API or profile that does not exist."""


def check_example(example_id: str) -> Example:
    if example_id not in EXAMPLES:
        raise UnknownChoice(
            f"unknown example {example_id!r}; choose one of {', '.join(EXAMPLES)} (see `tfport list`)"
        )
    return EXAMPLES[example_id]


def port(example_id: str, api: str) -> Callable[..., RunResult]:
    """The `run` function of one port: `port("cnn_sparse", "tf1")(profile, seed=0)`."""
    check_example(example_id)
    if api not in _PACKAGES:
        raise UnknownChoice(f"unknown API {api!r}; choose one of {', '.join(APIS)}")
    return importlib.import_module(f"{_PACKAGES[api]}.{example_id}").run


def run_example(example_id: str, api: str, profile: str | Profile = "quick", seed: int = 0,
                out_dir: str | Path | None = None, verbose: int = 1) -> RunResult:
    """Run one port of one example; `profile` is a name from `tfport.profiles` or a Profile."""
    check_example(example_id)
    if isinstance(profile, str):
        try:
            profile = get_profile(example_id, profile)
        except KeyError as error:
            raise UnknownChoice(error.args[0]) from None
    return port(example_id, api)(profile, seed=seed, out_dir=out_dir, verbose=verbose)
