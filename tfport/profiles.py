"""A profile: one named set of an example's hyperparameters, held by its record
(tfport/examples/<id>.py): `article` is the article's; `quick` a subset, seconds on a CPU."""

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
    # claim less half a unit of its last digit (`tfport.claims.claim_bar`).
    accuracy_bar: float | None = None
    # Text examples only: which sentences and their length in tokens.
    data: str | None = None
    sequence_length: int | None = None
    dropout: bool = True  # `tfport verify` turns it off to compare steps exactly
    shuffle: bool = True  # each epoch reshuffles; off in `tfport verify`, for the same batches

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None


PROFILE_NAMES = ("quick", "article")


def __getattr__(name: str) -> Any:
    """`PROFILES`, example id -> its profiles, made when first asked for (the records import
    this module)."""
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
