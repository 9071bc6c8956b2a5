"""mlp_gd in TensorFlow 1: a 784-500-10 network trained by full-batch gradient descent.

Article 000 (lines 195-239) builds the network with `tf.placeholder` and `tf.layers.dense`,
minimises softmax cross-entropy with `GradientDescentOptimizer(0.01)` for 1000 steps, each
on the whole training set through `feed_dict`, prints the loss every 100 steps, evaluates
accuracy on the test set and draws a scatter plot of the first two input features. Its
model card (lines 172-179) claims 95% test accuracy.

What changed:
- `tf.placeholder`, `tf.layers`, `tf.train`, `tf.Session` become their `tf.compat.v1` names.
- `X_train`, `Y_train`, `X_test`, `Y_test` were never defined: MNIST is loaded through
  `tfport.data`, flattened to 784 values in [0, 1], with one-hot labels.
- The graph lives in its own `tf.Graph()` so that the port can run twice in one process.
- A `keras.utils.Progbar` shows the loss at every step (a step on 60,000 images takes about
  a second on two cores); the article's every-100-steps prints stay when `verbose=2`.
- `plt.show()` becomes a PNG written to `out_dir`.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding
from tfport import data, plots
from tfport.profiles import Profile
from tfport.results import RunResult, make_result, prediction_summary

# 初始化参数 (the article's parameters; learning rate and steps come from the profile)
input_size = 784
hidden_size = 500
output_size = 10


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as the article's code expects it: (n, 784) floats in [0, 1] and one-hot labels."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.reshape(-1, input_size).astype("float32") / 255.0
    x_test = mnist.x_test.reshape(-1, input_size).astype("float32") / 255.0
    y_train = np.eye(output_size, dtype="float32")[mnist.y_train]
    y_test = np.eye(output_size, dtype="float32")[mnist.y_test]
    return x_train, y_train, x_test, y_test


def build_model(learning_rate: float,
                inputs: tuple[tf.Tensor, tf.Tensor] | None = None) -> dict[str, tf.Tensor]:
    """The article's graph, built into the current default graph.

    `inputs`: tensors to build on instead of the placeholders (`tfport bench` passes a
    `tf.data` iterator's output); they can still be fed through `feed_dict`."""
    # 创建输入和输出占位符 (placeholders for inputs and one-hot labels)
    X = tf.compat.v1.placeholder(tf.float32, [None, input_size]) if inputs is None else inputs[0]
    Y = tf.compat.v1.placeholder(tf.float32, [None, output_size]) if inputs is None else inputs[1]

    # 定义神经网络结构 (784 -> 500 relu -> 10 logits)
    hidden_layer = tf.compat.v1.layers.dense(X, hidden_size, activation=tf.nn.relu)
    output_layer = tf.compat.v1.layers.dense(hidden_layer, output_size)

    # 定义损失函数和优化器 (mean softmax cross-entropy, plain gradient descent)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=output_layer, labels=Y))
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(learning_rate).minimize(loss)

    # 评估模型 (the article builds these after training; building them first changes nothing)
    correct_predictions = tf.equal(tf.argmax(output_layer, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_predictions, tf.float32))
    return {"X": X, "Y": Y, "logits": output_layer, "loss": loss, "optimizer": optimizer,
            "accuracy": accuracy}


def train_step(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """One gradient-descent step on the batch (x, y); returns its loss before the update."""
    _, loss_val = sess.run([model["optimizer"], model["loss"]],
                           feed_dict={model["X"]: x, model["Y"]: y})
    return float(loss_val)


def train(sess: tf.compat.v1.Session, model: dict, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, verbose: int = 1) -> list[float]:
    """`profile.epochs` gradient steps, each on the whole training set; returns the losses."""
    losses = []
    progbar = keras.utils.Progbar(profile.epochs, verbose=1 if verbose == 1 else 0,
                                  stateful_metrics=["loss"], unit_name="step")
    for epoch in range(profile.epochs):
        loss_val = train_step(sess, model, x_train, y_train)
        losses.append(loss_val)
        progbar.update(epoch + 1, [("loss", loss_val)])
        if verbose == 2 and epoch % 100 == 0:
            print("Epoch:", epoch, "Loss:", loss_val)
    return losses


def evaluate(sess: tf.compat.v1.Session, model: dict, x_test: np.ndarray,
             y_test: np.ndarray) -> tuple[float, float]:
    """Test loss and accuracy over the whole test set in one `feed_dict`."""
    return sess.run([model["loss"], model["accuracy"]],
                    feed_dict={model["X"]: x_test, model["Y"]: y_test})


def predict(sess: tf.compat.v1.Session, model: dict, x: np.ndarray) -> np.ndarray:
    """The network's outputs for `x`: logits (the article applies no softmax)."""
    return sess.run(model["logits"], feed_dict={model["X"]: x})


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1, checkpoint: str | Path | None = None) -> RunResult:
    """Load the data, build the graph, train, evaluate, and (with `out_dir`) plot the inputs."""
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

        # 训练模型 (train)
        train_start = time.perf_counter()
        losses = train(sess, model, x_train, y_train, profile, verbose)
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

    # 可视化 (the article's scatter plot, saved instead of shown)
    if out_dir is not None:
        plots.scatter_inputs(x_train, y_train, Path(out_dir) / "mlp_gd-tf1-inputs.png")

    return make_result(
        example="mlp_gd", api="tf1", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra=prediction_summary(y_test, test_predictions),
    )
