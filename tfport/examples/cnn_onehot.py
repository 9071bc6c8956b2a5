"""cnn_onehot: article 001's Keras `create_cnn_model`, on one-hot labels with a validation split."""

from tfport import mapping as m
from tfport.claims import no_claim
from tfport.examples.record import Example
from tfport.profiles import Profile

EXAMPLE = Example(
    id="cnn_onehot",
    article="001_9ff776db17961a39.txt",
    lines="134-171",
    summary="Keras create_cnn_model: the same CNN on one-hot labels, categorical cross-entropy, "
            "Adam, 5 epochs of 64, validation split",
    claim="none",
    # validation_data: the last 5,000 training images.
    profiles={
        "article": Profile("article", epochs=5, batch_size=64, learning_rate=0.001),
        "quick": Profile("quick", epochs=2, batch_size=64, learning_rate=0.001,
                         train_size=6000, test_size=2000, accuracy_bar=0.88),
    },
    claims=(no_claim(
        "cnn_onehot", "001, lines 134-171",
        "the article shows the model and fit call but no result"),),
    recipe=("Adam", 0.001, "categorical_crossentropy"),  # 'adam': Keras's default rate
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.CONV2D, m.MAX_POOL, m.FLATTEN,
                  m.DENSE, m.SOFTMAX_XENT_STRING, m.ADAM, m.INITIALIZER, m.FEED_TRAIN,
                  m.EVALUATE, m.PREDICT, m.TRAINABLE, m.SAVER),
    # No tf.data variants: its `train` validates inside the loop.
)
