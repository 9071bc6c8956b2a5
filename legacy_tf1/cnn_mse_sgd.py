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

import random
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding
from tfport import data
from tfport.profiles import Profile
from tfport.results import RunResult, make_result, prediction_summary

num_classes = 10
chunk_size = 1000  # images per gradient chunk; a full-batch step sums over all chunks


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and one-hot targets."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32")[..., np.newaxis] / 255.0
    x_test = mnist.x_test.astype("float32")[..., np.newaxis] / 255.0
    y_train = np.eye(num_classes, dtype="float32")[mnist.y_train]
    y_test = np.eye(num_classes, dtype="float32")[mnist.y_test]
    return x_train, y_train, x_test, y_test


def build_model(learning_rate: float) -> dict[str, tf.Tensor]:
    """The article's CNN with a softmax output, MSE loss and plain gradient descent."""
    X = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.compat.v1.placeholder(tf.float32, [None, num_classes])

    # 模型构建 (conv 3x3x32 relu -> max-pool 2x2 -> flatten -> dense 128 relu -> dense 10 softmax)
    conv = tf.compat.v1.layers.conv2d(X, 32, (3, 3), activation=tf.nn.relu)
    pool = tf.compat.v1.layers.max_pooling2d(conv, (2, 2), (2, 2))
    flat = tf.compat.v1.layers.flatten(pool)
    hidden = tf.compat.v1.layers.dense(flat, 128, activation=tf.nn.relu)
    probabilities = tf.compat.v1.layers.dense(hidden, num_classes, activation=tf.nn.softmax)

    # 模型训练 (mean squared error, gradient descent at learning rate 0.001)
    loss = tf.compat.v1.losses.mean_squared_error(labels=Y, predictions=probabilities)
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate)
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
    return {"X": X, "Y": Y, "probabilities": probabilities, "loss": loss,
            "accumulate": accumulate, "chunks": chunks, "apply_mean": apply_mean,
            "reset": reset, "accuracy": accuracy}


def train_step(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """One gradient-descent step on the whole of (x, y), a chunk at a time; returns its loss."""
    chunk = _chunk_size(len(x))
    chunk_losses = []
    for begin in range(0, len(x), chunk):
        _, loss_val = sess.run([model["accumulate"], model["loss"]],
                               feed_dict={model["X"]: x[begin:begin + chunk],
                                          model["Y"]: y[begin:begin + chunk]})
        chunk_losses.append(loss_val)
    sess.run(model["apply_mean"], feed_dict={model["chunks"]: len(chunk_losses)})
    sess.run(model["reset"])
    # Every chunk saw the same weights, so their mean is the full-batch loss.
    return float(np.mean(chunk_losses))


def train(sess: tf.compat.v1.Session, model: dict, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, verbose: int = 1) -> list[float]:
    """`profile.epochs` gradient steps, each on the whole training set; returns the losses."""
    losses = []
    progbar = keras.utils.Progbar(profile.epochs, verbose=verbose, stateful_metrics=["loss"],
                                  unit_name="epoch")
    for epoch in range(profile.epochs):
        losses.append(train_step(sess, model, x_train, y_train))
        progbar.update(epoch + 1, [("loss", losses[-1])])
    return losses


def _chunk_size(train_size: int) -> int:
    chunk = min(chunk_size, train_size)
    if train_size % chunk:
        raise ValueError(f"cnn_mse_sgd needs a training-set size that is a multiple of "
                         f"{chunk_size} (equal chunks make the mean an exact full-batch "
                         f"gradient); got {train_size}")
    return chunk


def evaluate(sess: tf.compat.v1.Session, model: dict, x_test: np.ndarray, y_test: np.ndarray,
             batch_size: int = 1000) -> tuple[float, float]:
    """Test loss and accuracy, averaged over batches weighted by their size."""
    return feeding.evaluate_in_batches(sess, model, x_test, y_test, batch_size)


def predict(sess: tf.compat.v1.Session, model: dict, x: np.ndarray) -> np.ndarray:
    """Class probabilities for `x`."""
    return sess.run(model["probabilities"], feed_dict={model["X"]: x})


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1, checkpoint: str | Path | None = None) -> RunResult:
    """Load the data, build the graph, train full-batch, evaluate on the test set."""
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = load_data(profile)

    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        # TF 2.x: tf.compat.v1.layers take their initializers from tf-keras, which draws
        # their seeds from Python's `random`, not from the graph seed set above.
        random.seed(seed)
        model = build_model(profile.learning_rate)
        sess.run(tf.compat.v1.global_variables_initializer())

        train_start = time.perf_counter()
        losses = train(sess, model, x_train, y_train, profile, verbose)
        train_time = time.perf_counter() - train_start
        if checkpoint is not None:
            # The trained weights and the optimizer's state, as a TF1 Saver checkpoint
            # (`tfport convert-checkpoint` turns it into Keras weights).
            Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
            tf.compat.v1.train.Saver().save(sess, str(checkpoint))

        # 模型评估 (evaluate)
        test_loss, test_accuracy = evaluate(sess, model, x_test, y_test)
        # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
        test_predictions = feeding.predict_in_batches(predict, sess, model, x_test)
        param_count = sum(int(np.prod(v.shape)) for v in tf.compat.v1.trainable_variables())
    if verbose:
        print("Test accuracy:", test_accuracy)

    return make_result(
        example="cnn_mse_sgd", api="tf1", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra=prediction_summary(y_test, test_predictions),
    )
