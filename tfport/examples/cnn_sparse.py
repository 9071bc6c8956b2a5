"""cnn_sparse: article 002's Keras MNIST CNN script."""

from tfport import mapping as m
from tfport.claims import accuracy_claim
from tfport.examples.record import Example
from tfport.profiles import Profile

EXAMPLE = Example(
    id="cnn_sparse",
    article="002_561f56958899b404.txt",
    lines="205-244",
    summary="Keras CNN: Conv2D 32 -> MaxPool -> Dense 128 -> Dense 10, Adam, sparse "
            "cross-entropy, 5 epochs",
    claim="test accuracy 95.2% (lines 187-188, 252)",
    # fit(epochs=5) with Keras's default batch size, 32.
    profiles={
        "article": Profile("article", epochs=5, batch_size=32, learning_rate=0.001,
                           accuracy_bar=0.9515),
        "quick": Profile("quick", epochs=2, batch_size=32, learning_rate=0.001,
                         train_size=6000, test_size=2000, accuracy_bar=0.90),
    },
    claims=(accuracy_claim(
        "cnn_sparse", "002, lines 187-188, 252", "95.2", "test accuracy 95.2%",
        "the article's script (Adam)"),),
    recipe=("Adam", 0.001, "sparse_categorical_crossentropy"),
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.CONV2D, m.MAX_POOL, m.FLATTEN,
                  m.DENSE, m.SPARSE_XENT, m.ADAM, m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE,
                  m.PREDICT, m.TRAINABLE, m.SAVER),
    bench_tf_data=True,
)
