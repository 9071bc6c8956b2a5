"""binary_mlp in TensorFlow 1: a 64-64-1 sigmoid network for a yes/no question.

Article 004 (lines 200-229) gives a Keras script: Dense(64, relu, input 3) ->
Dense(64, relu) -> Dense(1, sigmoid), `compile('adam', 'binary_crossentropy',
['accuracy'])`, three samples X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] with labels
y = [[0], [1], [0]], `fit(epochs=10, batch_size=3)`, `evaluate` and `predict`. Its output
(lines 247-253) reads "Loss: 0.6524584819627686, Accuracy: 0.7500000238418579" and the
predictions [0.246, 0.956, 0.077].

That output cannot come from that script:
- On three samples accuracy is 0, 1/3, 2/3 or 1; 0.75 is none of them.
- The printed predictions put all three samples on the right side of 0.5, which is
  accuracy 1, and their binary cross-entropy is 0.136, not 0.652.

This is the same network and training in TF1 style, twice:
(a) on the article's three samples, exactly as written: inputs not scaled, Adam(0.001),
    10 epochs of one batch of 3 (the whole set), then loss, accuracy and predictions;
(b) on MNIST as a real binary task, even (0) against odd (1) digits: 784 inputs in
    [0, 1], the article's layer sizes, Adam and binary cross-entropy, with epochs,
    batch size, learning rate and subset from the profile. `run` returns this result and
    puts (a) into `extra["three_samples"]`.

What changed against the article:
- Placeholders, `tf.compat.v1.layers.dense` and `tf.compat.v1.train.AdamOptimizer`, and a
  loop over shuffled mini-batches fed through `feed_dict`, instead of `fit`.
- A TF1 user keeps the last layer linear and uses `sigmoid_cross_entropy_with_logits`; the
  sigmoid is applied only for the predictions.
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

# 构建模型 (the article's layer sizes)
hidden_size = 64

# 训练模型 (the article's three-sample run, whatever the profile: fit(epochs=10, batch_size=3),
# and 'adam', whose learning rate defaults to 0.001)
three_sample_epochs = 10
three_sample_batch_size = 3
three_sample_learning_rate = 0.001

# 运行结果展示 (the article's printed output, lines 249-253)
ARTICLE_OUTPUT = {"loss": 0.6524584819627686, "accuracy": 0.7500000238418579,
                  "predictions": [0.24644643, 0.95586127, 0.0767021]}


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as a binary task: (n, 784) floats in [0, 1], labels (n, 1) 0 for even, 1 for odd."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.reshape(-1, 784).astype("float32") / 255.0
    x_test = mnist.x_test.reshape(-1, 784).astype("float32") / 255.0
    y_train = (mnist.y_train % 2).astype("float32").reshape(-1, 1)
    y_test = (mnist.y_test % 2).astype("float32").reshape(-1, 1)
    return x_train, y_train, x_test, y_test


def three_samples() -> tuple[np.ndarray, np.ndarray]:
    """The article's data: three samples of three features, not scaled, and their labels."""
    # 准备数据 (as written; float32 because that is what the graph computes in)
    X = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype="float32")
    y = np.array([[0], [1], [0]], dtype="float32")
    return X, y


def build_model(learning_rate: float, input_size: int = 784) -> dict[str, tf.Tensor]:
    """The article's network, built into the current default graph."""
    X = tf.compat.v1.placeholder(tf.float32, [None, input_size])
    Y = tf.compat.v1.placeholder(tf.float32, [None, 1])

    # 构建模型 (input -> 64 relu -> 64 relu -> 1 logit; the sigmoid only for predictions)
    hidden_1 = tf.compat.v1.layers.dense(X, hidden_size, activation=tf.nn.relu)
    hidden_2 = tf.compat.v1.layers.dense(hidden_1, hidden_size, activation=tf.nn.relu)
    logits = tf.compat.v1.layers.dense(hidden_2, 1)
    probabilities = tf.sigmoid(logits)

    # 编译模型 (Adam on binary cross-entropy; accuracy for evaluation)
    # The logits form is exact for any logit. Keras 3 computes its 'binary_crossentropy' the
    # same way when the output comes from its own sigmoid (it keeps the logits on the
    # tensor); only probabilities from elsewhere are clipped to [1e-7, 1 - 1e-7] there.
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=logits))
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate).minimize(loss)
    # Keras's binary accuracy: probability > 0.5, that is, logit > 0.
    correct = tf.equal(tf.cast(logits > 0, tf.float32), Y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return {"X": X, "Y": Y, "probabilities": probabilities, "loss": loss,
            "optimizer": optimizer, "accuracy": accuracy}


def train_step(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """One Adam step on the batch (x, y); returns its loss before the update."""
    _, loss_val = sess.run([model["optimizer"], model["loss"]],
                           feed_dict={model["X"]: x, model["Y"]: y})
    return float(loss_val)


def train(sess: tf.compat.v1.Session, model: dict, x_train: np.ndarray, y_train: np.ndarray,
          epochs: int, batch_size: int | None, seed: int, verbose: int = 1) -> list[float]:
    """Mini-batch Adam over freshly shuffled data each epoch; returns mean loss per epoch."""
    rng = np.random.default_rng(seed)
    batch_size = batch_size or len(x_train)  # None: full batch
    steps = -(-len(x_train) // batch_size)
    epoch_losses = []
    for epoch in range(epochs):
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs}")
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
    """Loss and accuracy, averaged over batches weighted by their size."""
    return feeding.evaluate_in_batches(sess, model, x_test, y_test, batch_size)


def predict(sess: tf.compat.v1.Session, model: dict, x: np.ndarray) -> np.ndarray:
    """Probability of class 1 for each row of `x`, shape (n, 1)."""
    return sess.run(model["probabilities"], feed_dict={model["X"]: x})


def run_three_samples(seed: int = 0, verbose: int = 1) -> dict:
    """(a) The article's script on its three samples; returns loss, accuracy, predictions."""
    X, y = three_samples()
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        # TF 2.x: tf.compat.v1.layers take their initializers from tf-keras, which draws
        # their seeds from Python's `random`, not from the graph seed set above.
        random.seed(seed)
        model = build_model(three_sample_learning_rate, X.shape[1])
        sess.run(tf.compat.v1.global_variables_initializer())

        # 训练模型 (batch 3 = the whole set: one step per epoch)
        losses = train(sess, model, X, y, three_sample_epochs, three_sample_batch_size, seed,
                       verbose)

        # 评估模型
        loss, accuracy = evaluate(sess, model, X, y)

        # 预测
        predictions = predict(sess, model, X)
    if verbose:
        print(f"Loss: {loss}, Accuracy: {accuracy}")
        print(predictions)
    return {"loss": float(loss), "accuracy": float(accuracy),
            "predictions": predictions.ravel().tolist(), "loss_history": losses}


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1, checkpoint: str | Path | None = None) -> RunResult:
    """(a) the article's three samples, then (b) MNIST even/odd, whose numbers are returned."""
    start = time.perf_counter()
    if verbose:
        print("The article's three samples:")
    three = run_three_samples(seed, verbose)

    if verbose:
        print("MNIST, even (0) against odd (1):")
    x_train, y_train, x_test, y_test = load_data(profile)
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        # TF 2.x: tf.compat.v1.layers take their initializers from tf-keras, which draws
        # their seeds from Python's `random`, not from the graph seed set above.
        random.seed(seed)
        model = build_model(profile.learning_rate, x_train.shape[1])
        sess.run(tf.compat.v1.global_variables_initializer())

        # 训练模型 (train)
        train_start = time.perf_counter()
        losses = train(sess, model, x_train, y_train, profile.epochs, profile.batch_size, seed,
                       verbose)
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
        print(f"Test loss: {test_loss}, Test accuracy: {test_accuracy}")

    return make_result(
        example="binary_mlp", api="tf1", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra={**prediction_summary(y_test, test_predictions),
               "three_samples": three, "article_output": ARTICLE_OUTPUT},
    )
