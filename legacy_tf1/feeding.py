"""What every TF1 port does the same way: feed a data set through a Session in batches."""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf


def evaluate_in_batches(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray,
                        batch_size: int = 1000) -> tuple[float, float]:
    """`model["loss"]` and `model["accuracy"]` over (x, y), fed through `model["X"]` and
    `model["Y"]` in batches and averaged with each batch weighted by its size, as Keras's
    `evaluate` does."""
    total_loss = total_correct = 0.0
    for begin in range(0, len(x), batch_size):
        x_batch, y_batch = x[begin:begin + batch_size], y[begin:begin + batch_size]
        loss_val, accuracy_val = sess.run([model["loss"], model["accuracy"]],
                                          feed_dict={model["X"]: x_batch, model["Y"]: y_batch})
        total_loss += loss_val * len(x_batch)
        total_correct += accuracy_val * len(x_batch)
    return total_loss / len(x), total_correct / len(x)


def predict_in_batches(predict: Callable[..., np.ndarray], sess: tf.compat.v1.Session,
                       model: dict, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """A port's `predict(sess, model, x)` over all of `x`, fed in batches, as Keras's `predict`."""
    return np.concatenate([predict(sess, model, x[begin:begin + batch_size])
                           for begin in range(0, len(x), batch_size)])
