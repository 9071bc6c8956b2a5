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


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and integer labels."""
    # 数据预处理 (scale pixels to [0, 1])
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32") / 255.0
    x_test = mnist.x_test.astype("float32") / 255.0
    # Fix: the article fed (n, 28, 28); the model's input is (28, 28, 1).
    x_train, x_test = x_train[..., np.newaxis], x_test[..., np.newaxis]
    return x_train, mnist.y_train.astype("int64"), x_test, mnist.y_test.astype("int64")


def build_model(learning_rate: float,
                inputs: tuple[tf.Tensor, tf.Tensor] | None = None) -> dict[str, tf.Tensor]:
    """The article's CNN, built into the current default graph.

    `inputs`: tensors to build on instead of the placeholders (`tfport bench` passes a
    `tf.data` iterator's output); they can still be fed through `feed_dict`."""
    X = tf.compat.v1.placeholder(tf.float32, [None, 28, 28, 1]) if inputs is None else inputs[0]
    Y = tf.compat.v1.placeholder(tf.int64, [None]) if inputs is None else inputs[1]

    # 模型构建 (conv 3x3x32 relu -> max-pool 2x2 -> flatten -> dense 128 relu -> dense 10)
    conv = tf.compat.v1.layers.conv2d(X, 32, (3, 3), activation=tf.nn.relu)
    pool = tf.compat.v1.layers.max_pooling2d(conv, (2, 2), (2, 2))
    flat = tf.compat.v1.layers.flatten(pool)
    hidden = tf.compat.v1.layers.dense(flat, 128, activation=tf.nn.relu)
    logits = tf.compat.v1.layers.dense(hidden, 10)
    probabilities = tf.nn.softmax(logits)

    # 模型编译 (Adam on sparse softmax cross-entropy; accuracy for evaluation)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=logits))
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate).minimize(loss)
    correct = tf.equal(tf.argmax(logits, 1), Y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"X": X, "Y": Y, "probabilities": probabilities, "loss": loss,
            "optimizer": optimizer, "accuracy": accuracy}


def train_step(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """One Adam step on the batch (x, y); returns its loss before the update."""
    _, loss_val = sess.run([model["optimizer"], model["loss"]],
                           feed_dict={model["X"]: x, model["Y"]: y})
    return float(loss_val)


def train(sess: tf.compat.v1.Session, model: dict, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, seed: int, verbose: int = 1) -> list[float]:
    """Mini-batch Adam over freshly shuffled data each epoch; returns mean loss per epoch."""
    rng = np.random.default_rng(seed)
    batch_size = profile.batch_size
    steps = -(-len(x_train) // batch_size)
    epoch_losses = []
    for epoch in range(profile.epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{profile.epochs}")
        progbar = keras.utils.Progbar(steps, verbose=verbose, stateful_metrics=["loss"])
        order = rng.permutation(len(x_train))
        batch_losses = []
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            loss_val = train_step(sess, model, x_train[batch], y_train[batch])
            batch_losses.append(loss_val)
            # Like Keras, report the mean loss so far in this epoch.
            progbar.update(step + 1, [("loss", np.mean(batch_losses))])
        epoch_losses.append(float(np.mean(batch_losses)))
    return epoch_losses


def evaluate(sess: tf.compat.v1.Session, model: dict, x_test: np.ndarray,
             y_test: np.ndarray, batch_size: int = 1000) -> tuple[float, float]:
    """Test loss and accuracy, averaged over batches weighted by their size."""
    return feeding.evaluate_in_batches(sess, model, x_test, y_test, batch_size)


def predict(sess: tf.compat.v1.Session, model: dict, x: np.ndarray) -> np.ndarray:
    """Class probabilities for `x`."""
    return sess.run(model["probabilities"], feed_dict={model["X"]: x})


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1, checkpoint: str | Path | None = None) -> RunResult:
    """Load the data, build the graph, train, evaluate, and print the first 10 predictions."""
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

        # 模型训练 (train)
        train_start = time.perf_counter()
        losses = train(sess, model, x_train, y_train, profile, seed, verbose)
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

        # 模型应用 (predict)
        predictions = predict(sess, model, x_test[:10])
        param_count = sum(int(np.prod(v.shape)) for v in tf.compat.v1.trainable_variables())
    if verbose:
        print("Test accuracy:", test_accuracy)
        # 输出预测结果 (the first 10 predictions)
        for i in range(10):
            print(f"Test sample {i + 1}: predicted {predictions[i].argmax()} "
                  f"(label {y_test[i]}), probabilities {np.round(predictions[i], 3)}")

    return make_result(
        example="cnn_sparse", api="tf1", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra={**prediction_summary(y_test, test_predictions),
               "first_10_predictions": predictions.argmax(axis=1).tolist(),
               "first_10_labels": y_test[:10].tolist()},
    )
