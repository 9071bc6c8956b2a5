"""cnn_mse_sgd in TensorFlow 1: article 002's training recipe, run exactly as described.

Article 002 describes in prose (lines 168-188) how it trained its MNIST CNN: mean squared
error as the loss, stochastic gradient descent with learning rate 0.001, 100 epochs, each
step on the whole training set, and it reports 95.2% test accuracy. No code is given; the
network is the article's own CNN (lines 219-225): Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2)
-> Flatten -> Dense(128, relu) -> Dense(10, softmax).

This port follows the recipe to the letter in TF1 style: placeholders, `tf.compat.v1.layers`,
`tf.compat.v1.losses.mean_squared_error` between the softmax output and one-hot targets,
and `GradientDescentOptimizer(0.001)` applied to the whole training set once per epoch
through `feed_dict`. Nothing is tuned to make it look better: the point is to measure it.

What changed:
- MNIST comes from `tfport.data`, scaled to [0, 1], with a channel axis and one-hot labels
  (MSE needs targets of the output's shape).
- One step on all 60,000 images at once needs about 16 GB of memory and runs slowly here,
  so each step sums the gradient over equal chunks of `chunk_size` images and applies the
  mean once: the same full-batch gradient-descent step (up to float summation order), the
  TF1 gradient-accumulation idiom of the time.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from legacy_tf1 import session
from legacy_tf1.cnn_sparse import cnn
from tfport import data
from tfport.contract import History, TF1Graph
from tfport.profiles import Profile
from tfport.results import RunResult

num_classes = 10
chunk_size = 1000  # images per gradient chunk; a full-batch step sums over all chunks


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and one-hot targets (MSE needs them)."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (28, 28, 1))
    one_hot = np.eye(num_classes, dtype="float32")
    return x_train, one_hot[digits_train], x_test, one_hot[digits_test]


def build_model(profile: Profile) -> TF1Graph:
    """The article's CNN with a softmax output, MSE loss and plain gradient descent."""
    X = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.compat.v1.placeholder(tf.float32, [None, num_classes])

    # 模型构建 (the article's one CNN, lines 219-225, as cnn_sparse builds it; softmax output)
    probabilities = tf.nn.softmax(cnn(X))

    # 模型训练 (mean squared error, gradient descent at learning rate 0.001)
    loss = tf.compat.v1.losses.mean_squared_error(labels=Y, predictions=probabilities)
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(profile.learning_rate)
    # Memory fix: accumulate each chunk's gradient, then apply their mean in one step.
    grads_and_vars = optimizer.compute_gradients(loss)
    accumulators = [tf.Variable(tf.zeros_like(var), trainable=False, name="grad_accumulator")
                    for _, var in grads_and_vars]
    accumulate = [acc.assign_add(grad) for acc, (grad, _) in zip(accumulators, grads_and_vars)]
    chunks = tf.compat.v1.placeholder(tf.float32, [])
    apply_mean = optimizer.apply_gradients(
        [(acc / chunks, var) for acc, (_, var) in zip(accumulators, grads_and_vars)])
    reset = [acc.assign(tf.zeros_like(acc)) for acc in accumulators]

    correct = tf.equal(tf.argmax(probabilities, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return TF1Graph(X=X, Y=Y, output=probabilities, loss=loss, train_op=apply_mean,
                    accuracy=accuracy,
                    extra={"accumulate": accumulate, "chunks": chunks, "reset": reset})


def train(sess: tf.compat.v1.Session, graph: TF1Graph, x_train: np.ndarray,
          y_train: np.ndarray, profile: Profile, verbose: int = 1) -> History:
    """`profile.epochs` gradient steps, each on the whole training set, a chunk at a time;
    returns the losses."""
    chunk = _chunk_size(len(x_train))
    losses = []
    progbar = keras.utils.Progbar(profile.epochs, verbose=verbose, stateful_metrics=["loss"],
                                  unit_name="epoch")
    for epoch in range(profile.epochs):
        chunk_losses = []
        for begin in range(0, len(x_train), chunk):
            _, loss_val = sess.run([graph.extra["accumulate"], graph.loss],
                                   feed_dict={graph.X: x_train[begin:begin + chunk],
                                              graph.Y: y_train[begin:begin + chunk]})
            chunk_losses.append(loss_val)
        sess.run(graph.train_op, feed_dict={graph.extra["chunks"]: len(chunk_losses)})
        sess.run(graph.extra["reset"])
        # Every chunk saw the same weights, so their mean is the full-batch loss.
        losses.append(float(np.mean(chunk_losses)))
        progbar.update(epoch + 1, [("loss", losses[-1])])
    return {"loss": losses}


def _chunk_size(train_size: int) -> int:
    chunk = min(chunk_size, train_size)
    if train_size % chunk:
        raise ValueError(f"cnn_mse_sgd needs a training-set size that is a multiple of "
                         f"{chunk_size} (equal chunks make the mean an exact full-batch "
                         f"gradient); got {train_size}")
    return chunk


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the graph, train full-batch, evaluate on the test set."""
    # 模型评估 (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    return session.run_program("cnn_mse_sgd", load_data, build_model, train,
                               profile, seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("cnn_mse_sgd", run))
