"""cnn_sparse in TensorFlow 1: the article's MNIST CNN as a 2017 TensorFlow user wrote it.

Article 002 (lines 205-244) gives a Keras script: scale MNIST to [0, 1], Conv2D(32, 3x3,
relu) -> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam with
sparse categorical cross-entropy, `fit(epochs=5)`, `evaluate`, and the first 10
predictions. It claims 95.2% test accuracy (lines 187-188, 252).

This is the same network and training in TF1 style: placeholders, `tf.compat.v1.layers`,
`tf.compat.v1.train.AdamOptimizer`, and a loop over shuffled mini-batches fed through
`feed_dict`, then evaluation and the first 10 predictions.

What changed against the article:
- The images get the channel axis that `input_shape=(28, 28, 1)` asks for; the article fed
  (n, 28, 28) arrays, which a Conv2D expecting (28, 28, 1) does not accept.
- A TF1 user keeps the last layer linear and uses `sparse_softmax_cross_entropy_with_logits`;
  the softmax is applied only for the predictions. Keras computes the same exact loss: its
  softmax keeps the logits on its output tensor, and its cross-entropy uses them.
- Keras `fit` defaults to batches of 32 and reshuffles every epoch; this loop does the same.
- `AdamOptimizer` defaults to epsilon 1e-8 where Keras's Adam uses 1e-7; kept as each API's
  default, since each port uses its API as its users did.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding, session
from tfport import data
from tfport.contract import History, TF1Graph
from tfport.profiles import Profile
from tfport.results import RunResult


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and integer labels."""
    # 数据预处理 (scale pixels to [0, 1])
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32") / 255.0
    x_test = mnist.x_test.astype("float32") / 255.0
    # Fix: the article fed (n, 28, 28); the model's input is (28, 28, 1).
    x_train, x_test = x_train[..., np.newaxis], x_test[..., np.newaxis]
    return x_train, mnist.y_train.astype("int64"), x_test, mnist.y_test.astype("int64")


def cnn(X: tf.Tensor) -> tf.Tensor:
    """The article's CNN on the images `X`, returning the logits (the softmax comes after)."""
    # 模型构建 (conv 3x3x32 relu -> max-pool 2x2 -> flatten -> dense 128 relu -> dense 10)
    conv = tf.compat.v1.layers.conv2d(X, 32, (3, 3), activation=tf.nn.relu)
    pool = tf.compat.v1.layers.max_pooling2d(conv, (2, 2), (2, 2))
    flat = tf.compat.v1.layers.flatten(pool)
    hidden = tf.compat.v1.layers.dense(flat, 128, activation=tf.nn.relu)
    return tf.compat.v1.layers.dense(hidden, 10)


def build_model(profile: Profile) -> TF1Graph:
    """The article's CNN with its loss and optimizer, built into the current default graph."""
    X = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.compat.v1.placeholder(tf.int64, [None])
    logits = cnn(X)
    probabilities = tf.nn.softmax(logits)

    # 模型编译 (Adam on sparse softmax cross-entropy; accuracy for evaluation)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=logits))
    train_op = tf.compat.v1.train.AdamOptimizer(profile.learning_rate).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), Y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return TF1Graph(X=X, Y=Y, output=probabilities, loss=loss, train_op=train_op,
                    accuracy=accuracy)


def train(sess: tf.compat.v1.Session, graph: TF1Graph, x_train: np.ndarray,
          y_train: np.ndarray, profile: Profile, verbose: int = 1) -> History:
    """Mini-batch Adam over freshly shuffled data each epoch; returns the mean loss per epoch."""
    # 模型训练 (one Adam step per batch, fed through the placeholders)
    def step(x_batch: np.ndarray, y_batch: np.ndarray) -> float:
        _, loss_val = sess.run([graph.train_op, graph.loss],
                               feed_dict={graph.X: x_batch, graph.Y: y_batch})
        return loss_val

    return feeding.shuffled_epochs(step, x_train, y_train, profile, verbose)


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the graph, train, evaluate, and print the first 10 predictions."""
    # 模型训练, 模型评估 (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    ran = session.run_program("cnn_sparse", load_data, build_model, train,
                              profile, seed, verbose)
    # 模型应用 (predict; the first 10 test predictions, as the article prints them)
    predictions, y_test = ran.predictions[:10], ran.y_test[:10]
    if verbose:
        for i in range(10):
            print(f"Test sample {i + 1}: predicted {predictions[i].argmax()} "
                  f"(label {y_test[i]}), probabilities {np.round(predictions[i], 3)}")
    return ran.result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("cnn_sparse", run))
