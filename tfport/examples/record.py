"""`Example`: everything the tools know of one example, declared once as `EXAMPLE` in
`tfport/examples/<id>.py`; the tools read these fields and never branch on an example's id."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Callable

from tfport.profiles import Profile

if TYPE_CHECKING:
    from tfport.claims import Row, Runs
    from tfport.mapping import Mapping


@dataclasses.dataclass(frozen=True)
class Example:
    id: str  # names its two ports, legacy_tf1/<id>.py and keras_models/<id>.py
    article: str  # file in shared/seeds
    lines: str  # the lines it ports, as SNIPPETS.md gives them
    summary: str
    claim: str  # what the article says it achieves, in its words
    # `article` (the article's) and `quick` (a subset) at least; a dict: tests swap one in.
    profiles: dict[str, Profile]
    # `tfport audit`'s checks, one per claim in SNIPPETS.md, in its order (tfport/claims.py).
    claims: tuple[Callable[[Runs], Row], ...]
    # The API mapping rows its ports use, in the order the code meets them (tfport/mapping.py).
    mapping_rows: tuple[Mapping, ...]
    # (optimizer, learning rate or None if unstated, loss) as the article writes them, for
    # tfport/recipe.py; None: no optimizer, no compiled model.
    recipe: tuple[str, float | None, str] | None = None
    uses_mnist: bool = True  # False: the example brings its own data
    pretrained: bool = False  # True: it starts from a pretrained checkpoint (tfport.bert_checkpoint)
    text: bool = False  # True: it classifies sentences (its Keras model tokenizes them)
    # True: one neuron, one step, no data set; its ports have `gradient_step` and the
    # article's one sample as `x_values` and `y_value` (tfport verify steps it by those).
    one_neuron: bool = False
    # Where its TF1 port names a variable itself: tfport.transfer's Keras name -> TF1 name.
    renamed: dict[str, str] = dataclasses.field(default_factory=dict)
    # `tfport bench` (tfport/measure.py): whether it has a training loop to time; whether
    # one training step takes the batch it is given (`keras fast` feeds it a `tf.data` pipeline).
    benchmarked: bool = True
    bench_tf_data: bool = False
    quote_lines: str | None = None  # the lines its quote (articles/<id>.md) copies, if not `lines`
