"""A profile: one named set of an example's hyperparameters.

Each example's profiles are in its record (`profiles`, tfport/examples/<id>.py): `article`
is exactly what the article used; `quick` trains on a subset for fewer epochs so that tests
and demos finish in seconds on two CPU cores; its accuracy bars in `tests/` were measured
with these values. `PROFILES` (example id -> its profiles) and `get_profile` read them there.
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
    # The test accuracy this profile should reach (`tfport bench` times how long it takes).
    # quick: the bar tests/test_examples.py holds both ports to, set there from measurements;
    # article: the accuracy the article claims, less half a unit of its last digit (as
    # `tfport.audit.claim_bar` reads a claim). None: no bar.
    accuracy_bar: float | None = None
    # Text examples (bert_classifier) only: which sentences (a data set or one of the
    # article's runs), how many tokens a sentence is cut or padded to, and whether dropout
    # is on while training (tfport verify turns it off to compare steps exactly).
    data: str | None = None
    sequence_length: int | None = None
    dropout: bool = True
    # Mini-batch examples: whether each epoch reshuffles the training set (`fit`'s default,
    # and the TF1 loops'). `tfport verify` turns it off to feed both ports' `train` the same
    # batches in the same order.
    shuffle: bool = True

    @property
    def full_batch(self) -> bool:
        return self.batch_size is None


PROFILE_NAMES = ("quick", "article")


def __getattr__(name: str) -> Any:
    """`PROFILES`, example id -> its record's profiles (the same dicts), made when first
    asked for: the example records import `Profile` from here, so this module reads them
    only once it is loaded."""
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
