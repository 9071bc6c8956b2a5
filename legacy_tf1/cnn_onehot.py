"""cnn_onehot in TensorFlow 1: article 001's `create_cnn_model`, trained on one-hot labels.

Article 001 (lines 134-171) defines `create_cnn_model(input_shape)`: Conv2D(32, 3x3, relu)
-> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax), compiles it with
Adam and categorical cross-entropy, fits for 5 epochs in batches of 64 with
`validation_data=(x_val, y_val)`, and evaluates on the test set. It claims no figure.

This is the same model and training as a 2017 TensorFlow user wrote it: `create_cnn_model`
builds the layers on a placeholder with `tf.compat.v1.layers`, the loss is
`softmax_cross_entropy_with_logits` on one-hot labels, `AdamOptimizer` runs in a loop over
shuffled batches of 64 fed through `feed_dict`, and the validation set is evaluated after
every epoch, as Keras's `validation_data` does.

What changed against the article:
- The snippet never loads data. MNIST comes from `tfport.data`, scaled to [0, 1], with a
  channel axis, and one-hot labels, since categorical cross-entropy needs them.
- `x_val, y_val` are never made: `train` holds out the first 1/12 of the training images
  (5,000 of 60,000), as TensorFlow 1's own `input_data.read_data_sets` did, and trains on
  the rest.
- The last layer stays linear and the softmax moves into the loss
  (`softmax_cross_entropy_with_logits`), the TF1 idiom. Keras's softmax + categorical
  cross-entropy computes the same exact loss: its softmax keeps the logits on its output
  tensor, and the loss uses them (it clips at 1e-7 only probabilities from elsewhere).
- `AdamOptimizer` defaults to epsilon 1e-8 where Keras's Adam uses 1e-7.
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

num_classes = 10


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and one-hot labels."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (28, 28, 1))
    one_hot = np.eye(num_classes, dtype="float32")
    return x_train, one_hot[digits_train], x_test, one_hot[digits_test]


def create_cnn_model(X: tf.Tensor) -> tf.Tensor:
    """The article's function in TF1 style: layers on a placeholder, returning logits."""
    conv = tf.compat.v1.layers.conv2d(X, 32, kernel_size=(3, 3), activation=tf.nn.relu)
    pool = tf.compat.v1.layers.max_pooling2d(conv, pool_size=(2, 2), strides=(2, 2))
    flat = tf.compat.v1.layers.flatten(pool)
    hidden = tf.compat.v1.layers.dense(flat, 128, activation=tf.nn.relu)
    return tf.compat.v1.layers.dense(hidden, num_classes)


def build_model(profile: Profile) -> TF1Graph:
    """`create_cnn_model` with the article's loss and optimizer (Adam, categorical cross-entropy)."""
    X = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.compat.v1.placeholder(tf.float32, [None, num_classes])
    logits = create_cnn_model(X)
    # What the model outputs: class probabilities, and its accuracy ('accuracy' metric)
    probabilities = tf.nn.softmax(logits)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    # What trains it: Adam on categorical cross-entropy (compile's optimizer and loss)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=logits))
    train_op = tf.compat.v1.train.AdamOptimizer(profile.learning_rate).minimize(loss)
    return TF1Graph(X=X, Y=Y, output=probabilities, loss=loss, train_op=train_op,
                    accuracy=accuracy)


def train(sess: tf.compat.v1.Session, graph: TF1Graph, x_train: np.ndarray,
          y_train: np.ndarray, profile: Profile, verbose: int = 1) -> History:
    """Shuffled mini-batches, validating after every epoch; returns the per-epoch history."""
    # Fix: the article fits with validation_data=(x_val, y_val) but never makes them.
    validation_size = len(x_train) // 12
    x_val, y_val = x_train[:validation_size], y_train[:validation_size]
    x_train, y_train = x_train[validation_size:], y_train[validation_size:]

    def validate() -> dict[str, float]:
        val_loss, val_accuracy = feeding.evaluate_in_batches(sess, graph, x_val, y_val)
        return {"val_loss": val_loss, "val_accuracy": val_accuracy}

    # 训练模型 (one Adam step per batch, fed through the placeholders; validation after
    # each epoch)
    def step(x_batch: np.ndarray, y_batch: np.ndarray) -> float:
        _, loss_val = sess.run([graph.train_op, graph.loss],
                               feed_dict={graph.X: x_batch, graph.Y: y_batch})
        return loss_val

    return feeding.shuffled_epochs(step, x_train, y_train, profile, verbose,
                                   at_epoch_end=validate)


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the graph, train with validation, evaluate on the test set."""
    # 评估模型 (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    return session.run_program("cnn_onehot", load_data, build_model, train,
                               profile, seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("cnn_onehot", run))
