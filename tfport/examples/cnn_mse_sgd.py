"""cnn_mse_sgd: article 002's prose recipe for its CNN, MSE and plain SGD, full batch."""

import dataclasses

from tfport import mapping as m
from tfport.claims import Row, Runs, accuracy_claim
from tfport.examples.record import Example
from tfport.profiles import Profile


def _accuracy(runs: Runs) -> Row:
    row = accuracy_claim(
        "cnn_mse_sgd", "002, lines 168-188", "95.2", "test accuracy 95.2%",
        "the prose recipe (MSE on softmax outputs, plain SGD)")(runs)
    losses = runs["tf1"].loss_history
    moved = (f" Its training loss goes from {losses[0]:.5f} to {losses[-1]:.5f} (TF1): "
             f"{len(losses)} full-batch steps at this learning rate barely move the weights.")
    return dataclasses.replace(row, why=row.why + moved) if losses else row


EXAMPLE = Example(
    id="cnn_mse_sgd",
    article="002_561f56958899b404.txt",
    lines="168-188",
    summary="the article's prose recipe for the same CNN: MSE on one-hot targets, SGD lr 0.001, "
            "100 full-batch epochs",
    claim="test accuracy 95.2% (line 188)",
    profiles={
        "article": Profile("article", epochs=100, batch_size=None, learning_rate=0.001,
                           accuracy_bar=0.9515),
        "quick": Profile("quick", epochs=20, batch_size=None, learning_rate=0.001,
                         train_size=2000, test_size=2000),
    },
    claims=(_accuracy,),
    recipe=("SGD", 0.001, "mean_squared_error"),
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.CONV2D, m.MAX_POOL, m.FLATTEN,
                  m.DENSE, m.MSE, m.GRADIENT_DESCENT, m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE,
                  m.PREDICT, m.TRAINABLE, m.SAVER),
    # No tf.data variants: its `train` runs the full-batch steps in chunks.
)
