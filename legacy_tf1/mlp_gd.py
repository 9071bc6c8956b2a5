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
- The article's progress prints stay as they were: the loss every 100 steps.
- `plt.show()` becomes a PNG written to `out_dir`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from legacy_tf1 import session
from tfport import data, plots
from tfport.contract import History, TF1Graph
from tfport.profiles import Profile
from tfport.results import RunResult

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


def build_model(profile: Profile) -> TF1Graph:
    """The article's graph, built into the current default graph."""
    # 创建输入和输出占位符 (placeholders for inputs and one-hot labels)
    X = tf.compat.v1.placeholder(tf.float32, [None, input_size])
    Y = tf.compat.v1.placeholder(tf.float32, [None, output_size])

    # 定义神经网络结构 (784 -> 500 relu -> 10 logits)
    hidden_layer = tf.compat.v1.layers.dense(X, hidden_size, activation=tf.nn.relu)
    output_layer = tf.compat.v1.layers.dense(hidden_layer, output_size)

    # 定义损失函数和优化器 (mean softmax cross-entropy, plain gradient descent)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=output_layer, labels=Y))
    optimizer = tf.compat.v1.train.GradientDescentOptimizer(profile.learning_rate).minimize(loss)

    # 评估模型 (the article builds these after training; building them first changes nothing)
    correct_predictions = tf.equal(tf.argmax(output_layer, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_predictions, tf.float32))
    return TF1Graph(X=X, Y=Y, output=output_layer, loss=loss, train_op=optimizer,
                    accuracy=accuracy)


def train(sess: tf.compat.v1.Session, graph: TF1Graph, x_train: np.ndarray,
          y_train: np.ndarray, profile: Profile, verbose: int = 1) -> History:
    """`profile.epochs` gradient steps, each on the whole training set; returns the losses."""
    losses = []
    for epoch in range(profile.epochs):
        _, loss_val = sess.run([graph.train_op, graph.loss],
                               feed_dict={graph.X: x_train, graph.Y: y_train})
        losses.append(float(loss_val))
        if verbose and epoch % 100 == 0:
            print("Epoch:", epoch, "Loss:", loss_val)
    return {"loss": losses}


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the graph, train, evaluate, and (with `out_dir`) plot the inputs."""
    # 训练模型, 评估模型 (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    ran = session.run_program("mlp_gd", load_data, build_model, train,
                              profile, seed, verbose)
    # 可视化 (the article's scatter plot, saved instead of shown)
    if out_dir is not None:
        plots.scatter_inputs(ran.x_train, ran.y_train, Path(out_dir) / "mlp_gd-tf1-inputs.png")
    return ran.result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("mlp_gd", run))
