"""sigmoid_step: article 004's one gradient step of one sigmoid neuron, by hand and by autodiff."""

import math
from typing import Callable

from tfport import mapping
from tfport.claims import FAILS, HOLDS, Row, Runs
from tfport.contract import APIS
from tfport.examples.record import Example
from tfport.profiles import Profile


def _sigmoid_claim(quantity: str, label: str) -> Callable[[Runs], Row]:
    def check(runs: Runs) -> Row:
        article = runs["tf1"].extra["article"]
        measured = {api: runs[api].extra["measured"][quantity] for api in APIS}
        close = all(_within(article[quantity], measured[api], 0.0005) for api in APIS)
        m = runs["tf1"].extra["measured"]
        why = {
            "z": f"sigma(2) = 1/(1 + e^-2) = {m['z']:.4f}; the article's 0.865 is 1 - e^-2 = "
                 f"{1 - math.exp(-2):.4f}.",
            "J": f"-log(1 - z) = {m['J']:.4f} at z = {m['z']:.4f} ({-math.log(1 - article['z']):.4f} "
                 f"even at the article's z = {article['z']}); 0.134 is near 1 - z, not its log.",
            "dJ_dz": f"For y = 0, dJ/dz = 1/(1 - z) = {m['dJ_dz']:.4f}; the article's 0.865 is "
                     f"dJ/da = z - y = {m['dJ_da']:.4f}, the derivative at the pre-activation.",
            "W_new": f"W - 0.1 (z - y) x = {_show(m['W_new'])} under this port's reading "
                     f"({runs['tf1'].extra['reading'].split(';')[1].strip()}); the article dropped "
                     "alpha in two entries and its third fits no reading.",
        }[quantity]
        return Row("sigmoid_step", "004, lines 100-180", label, _show(measured["tf1"]),
                   _show(measured["keras"]), HOLDS if close else FAILS, why)

    return check


def _within(claimed, measured, tolerance: float) -> bool:
    if isinstance(claimed, list):  # a claimed vector of another length does not hold
        return len(claimed) == len(measured) and all(
            abs(c - m) <= tolerance for c, m in zip(claimed, measured))
    return abs(claimed - measured) <= tolerance


def _show(value) -> str:
    return "[" + ", ".join(map(_show, value)) + "]" if isinstance(value, list) else f"{value:.4f}"


EXAMPLE = Example(
    id="sigmoid_step",
    article="004_da6c173b35dfb6c4.txt",
    lines="100-180",
    summary="one gradient step of one sigmoid neuron with binary cross-entropy, by hand and by "
            "autodiff",
    claim="sigma(2) = 0.865, J = 0.134, dJ/dZ = 0.865, W_new = [0.135, 0.27, 0.705]",
    profiles={
        "article": Profile("article", epochs=1, batch_size=None, learning_rate=0.1),
        "quick": Profile("quick", epochs=1, batch_size=None, learning_rate=0.1),
    },
    claims=(
        _sigmoid_claim("z", "sigma(2) = 0.865"),
        _sigmoid_claim("J", "J = 0.134"),
        _sigmoid_claim("dJ_dz", "dJ/dZ = 0.865"),
        _sigmoid_claim("W_new", "W_new = [0.135, 0.27, 0.705]"),
    ),
    # No recipe: no optimizer, no compiled model (tfport/recipe.py has nothing to read).
    mapping_rows=(mapping.GRAPH_EAGER, mapping.SEED, mapping.PLACEHOLDER_EAGER, mapping.VARIABLE,
                  mapping.GRADIENTS, mapping.INITIALIZER, mapping.TRAINABLE_EAGER),
    uses_mnist=False,
    one_neuron=True,
    benchmarked=False,  # one step of one neuron: no training loop to time
)
