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

import functools
from pathlib import Path

import numpy as np
import tensorflow as tf

from legacy_tf1 import session
# 训练模型: the article's fit(epochs, batch_size) is cnn_sparse's, so its `train` is used
# as it is (one loop, written once).
from legacy_tf1.cnn_sparse import train
from tfport import data
from tfport.contract import TF1Graph
from tfport.profiles import Profile
from tfport.results import RunResult

# 构建模型 (the article's layer sizes)
hidden_size = 64

# 训练模型 (the article's three-sample run, whatever the profile: fit(epochs=10, batch_size=3),
# and 'adam', whose learning rate defaults to 0.001)
THREE_SAMPLES = Profile("three samples", epochs=10, batch_size=3, learning_rate=0.001)

# 运行结果展示 (the article's printed output, lines 249-253)
ARTICLE_OUTPUT = {"loss": 0.6524584819627686, "accuracy": 0.7500000238418579,
                  "predictions": [0.24644643, 0.95586127, 0.0767021]}


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as a binary task: (n, 784) floats in [0, 1], labels (n, 1) 0 for even, 1 for odd."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (784,))
    y_train = (digits_train % 2).astype("float32").reshape(-1, 1)
    y_test = (digits_test % 2).astype("float32").reshape(-1, 1)
    return x_train, y_train, x_test, y_test


def three_samples() -> tuple[np.ndarray, np.ndarray]:
    """The article's data: three samples of three features, not scaled, and their labels."""
    # 准备数据 (as written; float32 because that is what the graph computes in)
    X = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype="float32")
    y = np.array([[0], [1], [0]], dtype="float32")
    return X, y


def build_model(profile: Profile, input_size: int = 784) -> TF1Graph:
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
    train_op = tf.compat.v1.train.AdamOptimizer(profile.learning_rate).minimize(loss)
    # Keras's binary accuracy: probability > 0.5, that is, logit > 0.
    correct = tf.equal(tf.cast(logits > 0, tf.float32), Y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return TF1Graph(X=X, Y=Y, output=probabilities, loss=loss, train_op=train_op,
                    accuracy=accuracy)



def run_three_samples(seed: int = 0, verbose: int = 1) -> dict:
    """(a) The article's script on its three samples; returns loss, accuracy, predictions."""
    # 训练模型, 评估模型, 预测 (batch 3 = the whole set: one step per epoch; the article
    # evaluates and predicts on the samples it trained on)
    X, y = three_samples()
    ran = session.run_program("binary_mlp", lambda profile: (X, y, X, y),
                              functools.partial(build_model, input_size=X.shape[1]), train,
                              THREE_SAMPLES, seed, verbose)
    loss, accuracy = ran.result.test_loss, ran.result.test_accuracy
    if verbose:
        print(f"Loss: {loss}, Accuracy: {accuracy}")
        print(ran.predictions)
    return {"loss": loss, "accuracy": accuracy, "predictions": ran.predictions.ravel().tolist(),
            "loss_history": ran.result.loss_history}


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """(a) the article's three samples, then (b) MNIST even/odd, whose numbers are returned."""
    if verbose:
        print("The article's three samples:")
    three = run_three_samples(seed, verbose)
    if verbose:
        print("MNIST, even (0) against odd (1):")
    # (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    extra = {"three_samples": three, "article_output": ARTICLE_OUTPUT}
    return session.run_program("binary_mlp", load_data, build_model, train,
                               profile, seed, verbose, extra=extra).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("binary_mlp", run))
