"""A profile: one named set of an example's hyperparameters.

Each example's record (tfport/examples/<id>.py) holds its profiles: `article` is what the
article used; `quick` trains on a subset for fewer epochs, in seconds on two CPU cores.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    epochs: int  # passes over the training set; for full-batch examples, gradient steps
    batch_size: int | None  # None: every step sees the whole training set
    learning_rate: float
    train_size: int | None = None  # None: all 60,000 training images
    test_size: int | None = None  # None: all 10,000 test images
    # The test accuracy to reach: quick, measured (tests/test_examples.py); article, the
    # claim less half a unit of its last digit (`tfport.audit.claim_bar`).
    accuracy_bar: float | None = None
    # Text examples only: which sentences, their length in tokens, and dropout (which
    # tfport verify turns off to compare steps exactly).
    data: str | None = None
    sequence_length: int | None = None
    dropout: bool = True
    # Whether each epoch reshuffles; `tfport verify` turns it off for the same batches.
    shuffle: bool = True

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None


PROFILE_NAMES = ("quick", "article")


def __getattr__(name: str) -> Any:
    """`PROFILES`, example id -> its profiles, made when first asked for (the example
    records import `Profile` from here)."""
    if name == "PROFILES":
        from tfport.examples import EXAMPLES

        globals()["PROFILES"] = {example.id: example.profiles for example in EXAMPLES.values()}
        return globals()["PROFILES"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_profile(example_id: str, name: str) -> Profile:
    """The profile `name` of `example_id`; KeyError names what exists."""
    from tfport.examples import EXAMPLES

    if example_id not in EXAMPLES:
        raise KeyError(f"unknown example {example_id!r}; known: {', '.join(EXAMPLES)}")
    profiles = EXAMPLES[example_id].profiles
    if name not in profiles:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(profiles)}")
    return profiles[name]
