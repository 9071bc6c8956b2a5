"""The articles' claims: the checks several example records share, each making a `Row`, a
verdict from one run per API (docs/audit.md); tfport/audit.py runs them."""

from __future__ import annotations

import dataclasses
from typing import Callable

from tfport.contract import APIS
from tfport.data import MNIST_TRAIN_SIZE
from tfport.profiles import Profile
from tfport.results import RunResult

# The example records import this module: tfport.examples only inside functions.
HOLDS, FAILS, IMPOSSIBLE, NO_CLAIM, LATER = (
    "holds", "does not hold", "cannot hold", "nothing to check", "not checked yet")


@dataclasses.dataclass
class Row:
    example: str
    where: str
    claim: str
    tf1: str
    keras: str
    verdict: str
    why: str
    stale: bool = False  # a record it rests on was made by other code than today's ports


Runs = dict[str, RunResult]  # api -> result, for one example


def claim_bar(claimed_percent: str) -> float:
    """The lowest accuracy that rounds to the claim at the article's precision: '95.2' -> 0.9515."""
    decimals = len(claimed_percent.partition(".")[2])
    return (float(claimed_percent) - 0.5 * 10 ** -decimals) / 100


def profile_of(run: RunResult) -> Profile:
    """The profile a record ran with (its values are in the record's fingerprint)."""
    from tfport.examples import EXAMPLES

    for profile in EXAMPLES[run.example].profiles.values():
        if profile.name == run.profile:
            return profile
    raise KeyError(f"{run.example} has no profile named {run.profile!r}")


def training_words(run: RunResult) -> str:
    """A record's training in figures: '5 epochs of batches of 32 on 60,000 images at ...'."""
    from tfport.examples import EXAMPLES

    profile = profile_of(run)
    if EXAMPLES[run.example].uses_mnist:
        images = f"{profile.train_size or MNIST_TRAIN_SIZE:,} images"
    else:
        images = f"{profile.train_size:,} sentences" if profile.train_size else "its sentences"
    if profile.full_batch:
        steps = f"{profile.epochs} full-batch {'step' if profile.epochs == 1 else 'steps'}"
    else:
        steps = (f"{profile.epochs} {'epoch' if profile.epochs == 1 else 'epochs'} of batches "
                 f"of {profile.batch_size}")
    return f"{steps} on {images} at learning rate {profile.learning_rate:g}"


def not_the_article(run: RunResult) -> str:
    """A reason's first words at a profile other than the article's."""
    if run.profile == "article":
        return ""
    return (f"At the `{run.profile}` profile ({training_words(run)}), not the article's "
            "settings: this is not a verdict on the article (see the article-profile audit). ")


def accuracy_claim(example: str, where: str, claimed_percent: str, text: str,
                   method: str) -> Callable[[Runs], Row]:
    """A claim of the form 'test accuracy N%'; `method` names the training without figures."""

    def check(runs: Runs) -> Row:
        describe = f"{method}, {training_words(runs['tf1'])},"
        bar = claim_bar(claimed_percent)
        measured = {api: runs[api].test_accuracy for api in APIS}
        verdict = HOLDS if all(measured[api] >= bar for api in APIS) else FAILS
        lowest, highest = min(measured.values()), max(measured.values())
        reach = f"{lowest:.2%}" if f"{lowest:.2%}" == f"{highest:.2%}" else f"{lowest:.2%}-{highest:.2%}"
        if verdict == HOLDS:
            why = f"{describe} reaches {reach} in both APIs, at or above the claimed {claimed_percent}%."
        else:
            why = (f"{describe} reaches {reach}, "
                   f"{'below' if highest < bar else 'not in both APIs at'} the claimed {claimed_percent}%.")
        why = not_the_article(runs["tf1"]) + why[0].upper() + why[1:]
        return Row(example, where, text, f"{measured['tf1']:.4f}", f"{measured['keras']:.4f}",
                   verdict, why)

    return check


def no_claim(example: str, where: str, describe: str) -> Callable[[Runs], Row]:
    def check(runs: Runs) -> Row:
        return Row(example, where, "no figure claimed", f"{runs['tf1'].test_accuracy:.4f}",
                   f"{runs['keras'].test_accuracy:.4f}", NO_CLAIM,
                   f"{describe}; test accuracy after {training_words(runs['tf1'])} shown for "
                   "reference.")

    return check


def claim_rows(example_id: str, runs: Runs) -> list[Row]:
    """The verdict on each of an example's claims, from one run per API."""
    from tfport.examples import EXAMPLES

    return [check(runs) for check in EXAMPLES[example_id].claims]
