"""binary_mlp: article 004's Keras 64-64-1 sigmoid net, on its 3 samples and MNIST even/odd."""

import math

from tfport import mapping as m
from tfport.claims import IMPOSSIBLE, Row, Runs
from tfport.contract import APIS
from tfport.examples.record import Example
from tfport.profiles import Profile


def _three_samples(runs: Runs) -> Row:
    three = {api: runs[api].extra["three_samples"] for api in APIS}
    article = runs["tf1"].extra["article_output"]
    labels = [0, 1, 0]  # the article's y
    implied_accuracy = sum((p > 0.5) == bool(t) for p, t in zip(article["predictions"], labels)) / 3
    implied_loss = -sum(math.log(p) if t else math.log(1 - p)
                        for p, t in zip(article["predictions"], labels)) / 3
    predictions = ", ".join(f"{p:.3f}" for p in article["predictions"])
    steps = len(three["tf1"]["loss_history"])  # fit(epochs=10, batch_size=3): one step each
    return Row(
        "binary_mlp", "004, lines 247-251", "Loss 0.6525, Accuracy 0.75 on three samples",
        f"loss {three['tf1']['loss']:.4f}, acc {three['tf1']['accuracy']:.4f}",
        f"loss {three['keras']['loss']:.4f}, acc {three['keras']['accuracy']:.4f}",
        IMPOSSIBLE,
        "Accuracy on three samples can only be 0, 1/3, 2/3 or 1, so 0.75 cannot come from this "
        f"script; the article's printed predictions [{predictions}] would even mean accuracy "
        f"{implied_accuracy:.0f} and loss {implied_loss:.3f}. {steps} Adam steps leave the loss "
        f"near ln 2 = {math.log(2):.3f}, as measured.")


EXAMPLE = Example(
    id="binary_mlp",
    article="004_da6c173b35dfb6c4.txt",
    lines="200-229, output 247-251",
    summary="Keras Dense 64-64-1 sigmoid, binary cross-entropy: the article's three samples, "
            "and MNIST even vs odd",
    claim="Loss 0.6525, Accuracy 0.75 on three samples (lines 247-251)",
    # For the MNIST adaptation (even vs odd); every profile also runs the three samples as
    # written (10 epochs, batch 3).
    profiles={
        "article": Profile("article", epochs=5, batch_size=32, learning_rate=0.001),
        "quick": Profile("quick", epochs=2, batch_size=32, learning_rate=0.001,
                         train_size=6000, test_size=2000),
    },
    claims=(_three_samples,),
    recipe=("Adam", 0.001, "binary_crossentropy"),
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.DENSE, m.SIGMOID_XENT, m.ADAM,
                  m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE, m.PREDICT, m.TRAINABLE, m.SAVER),
    bench_tf_data=True,
)
