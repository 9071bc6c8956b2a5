"""Feeding a data set through a Session in batches, the same way in every TF1 port.

`shuffled_epochs` is the loop that Keras's `fit(x, y, batch_size, epochs)` runs, written out
as TF1 users wrote it: every epoch a fresh permutation cut into batches, a progress bar, and
the mean loss of the epoch (and, every few steps, the mean so far: `tfport.steplog`). The port hands it its own training step, a function of one
batch whose body is the port's `sess.run([graph.train_op, graph.loss], feed_dict=...)`.
`evaluate_in_batches` and `predict_in_batches` feed the test set in batches of 1000, as
Keras's `evaluate` and `predict` do.
"""

from __future__ import annotations

from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from tfport import steplog
from tfport.contract import History, TF1Graph
from tfport.profiles import Profile

Step = Callable[[np.ndarray, np.ndarray], float]  # one training step on a batch; its loss


def shuffled_epochs(step: Step, x: np.ndarray, y: np.ndarray, profile: Profile,
                    verbose: int = 1,
                    at_epoch_end: Callable[[], dict[str, float]] | None = None) -> History:
    """`profile.epochs` epochs of `step` over shuffled mini-batches of `profile.batch_size`
    (the whole set when None; in order when `profile.shuffle` is off, as `fit(shuffle=False)`),
    with a Keras progress bar showing the mean loss so far in the epoch; returns the mean loss
    of each epoch, over samples, as Keras's history does.

    The order is drawn from the default graph's seed (`tf.compat.v1.set_random_seed`, which
    the run scaffold sets), as Keras's `fit` draws it from the seed that
    `keras.utils.set_random_seed` set.

    `at_epoch_end`: called after each epoch's last batch; the values it returns (say, the
    validation loss) are shown on the bar and kept in the history, as Keras does."""
    seed = tf.compat.v1.get_default_graph().seed
    if seed is None:
        raise ValueError("the graph has no seed to draw the batches' order from: train inside "
                         "legacy_tf1.session.new_session(seed), as the ports' `run` does")
    rng = np.random.default_rng(seed)
    batch_size = profile.batch_size or len(x)
    steps = -(-len(x) // batch_size)
    history: History = {"loss": []}
    for epoch in range(profile.epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{profile.epochs}")
        progbar = keras.utils.Progbar(steps, verbose=verbose, stateful_metrics=["loss"])
        order = rng.permutation(len(x)) if profile.shuffle else np.arange(len(x))
        losses, sizes = [], []
        for index in range(steps):
            batch = order[index * batch_size:(index + 1) * batch_size]
            losses.append(float(step(x[batch], y[batch])))
            sizes.append(len(batch))
            # like Keras: the mean so far over samples (a short last batch weighs less)
            values = [("loss", float(np.average(losses, weights=sizes)))]
            steplog.batch_end(epoch, index, steps, values[0][1])  # the loss every few steps
            if index + 1 < steps:
                progbar.update(index + 1, values)
        history["loss"].append(values[0][1])
        for name, value in (at_epoch_end() if at_epoch_end else {}).items():
            history.setdefault(name, []).append(float(value))
            values.append((name, float(value)))
        progbar.update(steps, values, finalize=True)
    return history


def evaluate_in_batches(sess: tf.compat.v1.Session, graph: TF1Graph, x: np.ndarray,
                        y: np.ndarray, batch_size: int = 1000) -> tuple[float, float]:
    """`graph.loss` and `graph.accuracy` over (x, y), fed in batches and averaged with each
    batch weighted by its size, as Keras's `evaluate` does."""
    total_loss = total_correct = 0.0
    for begin in range(0, len(x), batch_size):
        x_batch, y_batch = x[begin:begin + batch_size], y[begin:begin + batch_size]
        loss_val, accuracy_val = sess.run([graph.loss, graph.accuracy],
                                          feed_dict={graph.X: x_batch, graph.Y: y_batch})
        total_loss += loss_val * len(x_batch)
        total_correct += accuracy_val * len(x_batch)
    return float(total_loss / len(x)), float(total_correct / len(x))


def predict_in_batches(sess: tf.compat.v1.Session, graph: TF1Graph, x: np.ndarray,
                       batch_size: int = 1000) -> np.ndarray:
    """`graph.output` for all of `x`, fed in batches, as Keras's `predict` does."""
    return np.concatenate([sess.run(graph.output, feed_dict={graph.X: x[begin:begin + batch_size]})
                           for begin in range(0, len(x), batch_size)])
