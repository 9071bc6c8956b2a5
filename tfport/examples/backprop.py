"""backprop: article 000's backprop formulas by hand on a small MLP, checked against autodiff."""

from tfport import mapping as m
from tfport.claims import NO_CLAIM, Row, Runs
from tfport.contract import APIS
from tfport.examples.record import Example
from tfport.profiles import Profile


def _formulas(runs: Runs) -> Row:
    differences = {api: max(runs[api].extra["gradient_difference"]) for api in APIS}
    accuracy = {api: runs[api].test_accuracy for api in APIS}
    return Row(
        "backprop", "000, lines 146-168",
        "formulas only: delta = (h - y) sigma'(h); w := w - alpha delta h",
        f"max grad diff {differences['tf1']:.1e}; acc {accuracy['tf1']:.4f}",
        f"max grad diff {differences['keras']:.1e}; acc {accuracy['keras']:.4f}",
        NO_CLAIM,
        "No figure is claimed. With the corrections the formulas need (sigma' taken at the "
        "pre-activation, the back-propagated sum for hidden units, the layer's input in the "
        "update), hand gradients equal autodiff to the difference shown; the article's literal "
        "hidden-layer rule does not (tests/test_backprop.py), so delta = (h - y) sigma' holds for "
        "squared error at the output layer only.")


EXAMPLE = Example(
    id="backprop",
    article="000_d91d80cfb38f4475.txt",
    lines="146-168",
    summary="the article's forward / error / update formulas by hand on a small MLP, checked "
            "against autodiff",
    claim="formulas only (no figure)",
    profiles={
        "article": Profile("article", epochs=5, batch_size=32, learning_rate=0.5),
        "quick": Profile("quick", epochs=2, batch_size=32, learning_rate=0.5,
                         train_size=6000, test_size=2000),
    },
    claims=(_formulas,),
    recipe=("SGD", None, "half_squared_error"),  # w := w - alpha delta h; alpha unstated
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER_BUILD, m.GET_VARIABLE, m.GRADIENTS,
                  m.ASSIGN_SUB_HAND, m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE, m.PREDICT,
                  m.TRAINABLE, m.SAVER),
    renamed={"dense/kernel": "w_hidden", "dense_1/kernel": "w_output"},
    bench_tf_data=True,
)
