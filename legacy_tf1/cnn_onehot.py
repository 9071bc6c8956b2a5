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
- `x_val, y_val` are never made: the first 1/12 of the training images (5,000 of 60,000)
  are held out, as TensorFlow 1's own `input_data.read_data_sets` did.
- The last layer stays linear and the softmax moves into the loss
  (`softmax_cross_entropy_with_logits`), the TF1 idiom. Keras's softmax + categorical
  cross-entropy computes the same exact loss: its softmax keeps the logits on its output
  tensor, and the loss uses them (it clips at 1e-7 only probabilities from elsewhere).
- `AdamOptimizer` defaults to epsilon 1e-8 where Keras's Adam uses 1e-7.
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


def load_data(profile: Profile) -> tuple[np.ndarray, ...]:
    """Training, validation (the first 1/12 of training) and test sets; one-hot labels."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32")[..., np.newaxis] / 255.0
    x_test = mnist.x_test.astype("float32")[..., np.newaxis] / 255.0
    y_train = np.eye(num_classes, dtype="float32")[mnist.y_train]
    y_test = np.eye(num_classes, dtype="float32")[mnist.y_test]
    # Fix: the article fits with validation_data=(x_val, y_val) but never makes them.
    validation_size = len(x_train) // 12
    x_val, y_val = x_train[:validation_size], y_train[:validation_size]
    x_train, y_train = x_train[validation_size:], y_train[validation_size:]
    return x_train, y_train, x_val, y_val, x_test, y_test


def create_cnn_model(X: tf.Tensor) -> tf.Tensor:
    """The article's function in TF1 style: layers on a placeholder, returning logits."""
    conv = tf.compat.v1.layers.conv2d(X, 32, kernel_size=(3, 3), activation=tf.nn.relu)
    pool = tf.compat.v1.layers.max_pooling2d(conv, pool_size=(2, 2), strides=(2, 2))
    flat = tf.compat.v1.layers.flatten(pool)
    hidden = tf.compat.v1.layers.dense(flat, 128, activation=tf.nn.relu)
    return tf.compat.v1.layers.dense(hidden, num_classes)


def build_model(learning_rate: float) -> dict[str, tf.Tensor]:
    """`create_cnn_model` with the article's loss and optimizer (Adam, categorical cross-entropy)."""
    X = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1])
    Y = tf.compat.v1.placeholder(tf.float32, [None, num_classes])
    logits = create_cnn_model(X)
    probabilities = tf.nn.softmax(logits)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=logits))
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"X": X, "Y": Y, "probabilities": probabilities, "loss": loss,
            "optimizer": optimizer, "accuracy": accuracy}


def train_step(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """One Adam step on the batch (x, y); returns its loss before the update."""
    _, loss_val = sess.run([model["optimizer"], model["loss"]],
                           feed_dict={model["X"]: x, model["Y"]: y})
    return float(loss_val)


def train(sess: tf.compat.v1.Session, model: dict, x_train: np.ndarray, y_train: np.ndarray,
          x_val: np.ndarray, y_val: np.ndarray, profile: Profile, seed: int,
          verbose: int = 1) -> dict[str, list[float]]:
    """Shuffled mini-batches with validation after every epoch; returns the per-epoch history."""
    rng = np.random.default_rng(seed)
    batch_size = profile.batch_size
    steps = -(-len(x_train) // batch_size)
    history = {"loss": [], "val_loss": [], "val_accuracy": []}
    # 训练模型 (train, validating after each epoch)
    for epoch in range(profile.epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{profile.epochs}")
        progbar = keras.utils.Progbar(steps, verbose=verbose)
        order = rng.permutation(len(x_train))
        batch_losses = []
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            loss_val = train_step(sess, model, x_train[batch], y_train[batch])
            batch_losses.append(loss_val)
            is_last = step + 1 == steps
            values = [("loss", np.mean(batch_losses))]
            if is_last:
                val_loss, val_accuracy = evaluate(sess, model, x_val, y_val)
                values += [("val_loss", val_loss), ("val_accuracy", val_accuracy)]
            progbar.update(step + 1, values, finalize=is_last)
        history["loss"].append(float(np.mean(batch_losses)))
        history["val_loss"].append(float(val_loss))
        history["val_accuracy"].append(float(val_accuracy))
    return history


def evaluate(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray,
             batch_size: int = 1000) -> tuple[float, float]:
    """Loss and accuracy on (x, y), averaged over batches weighted by their size."""
    return feeding.evaluate_in_batches(sess, model, x, y, batch_size)


def predict(sess: tf.compat.v1.Session, model: dict, x: np.ndarray) -> np.ndarray:
    """Class probabilities for `x` (the softmax of the logits)."""
    return sess.run(model["probabilities"], feed_dict={model["X"]: x})


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1, checkpoint: str | Path | None = None) -> RunResult:
    """Load the data, build the graph, train with validation, evaluate on the test set."""
    start = time.perf_counter()
    x_train, y_train, x_val, y_val, x_test, y_test = load_data(profile)

    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        # TF 2.x: tf.compat.v1.layers take their initializers from tf-keras, which draws
        # their seeds from Python's `random`, not from the graph seed set above.
        random.seed(seed)
        model = build_model(profile.learning_rate)
        sess.run(tf.compat.v1.global_variables_initializer())

        train_start = time.perf_counter()
        history = train(sess, model, x_train, y_train, x_val, y_val, profile, seed, verbose)
        train_time = time.perf_counter() - train_start
        if checkpoint is not None:
            # The trained weights and the optimizer's state, as a TF1 Saver checkpoint
            # (`tfport convert-checkpoint` turns it into Keras weights).
            Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
            tf.compat.v1.train.Saver().save(sess, str(checkpoint))

        # 评估模型 (evaluate)
        test_loss, test_accuracy = evaluate(sess, model, x_test, y_test)
        # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
        test_predictions = feeding.predict_in_batches(predict, sess, model, x_test)
        param_count = sum(int(np.prod(v.shape)) for v in tf.compat.v1.trainable_variables())
    if verbose:
        print("Test accuracy:", test_accuracy)

    return make_result(
        example="cnn_onehot", api="tf1", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=history["loss"],
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra={**prediction_summary(y_test, test_predictions),
               "val_accuracy": history["val_accuracy"], "val_loss": history["val_loss"],
               "validation_size": len(x_val)},
    )
