"""backprop in TensorFlow 1: the article's back-propagation formulas, written as graph ops.

Article 000 (lines 146-168) gives three formulas and no code:

    forward   h_i = σ(Σ_j w_ij x_j)
    error     δ_i = (h_i − y_i) · σ'(h_i)
    update    w_ij := w_ij − α · δ_i · h_j

This port puts them on a small MLP on MNIST, 784 -> 100 (sigmoid) -> 10 (sigmoid), with no
biases (the article's sums have none) and the squared error ½·Σ_k (h_k − y_k)² on one-hot
targets, averaged over the batch. It builds the forward pass, the errors δ and the updates
by hand as graph ops (`tf.matmul`, `tf.compat.v1.assign_sub`), trains on shuffled
mini-batches fed through `feed_dict`, and checks the hand-derived gradients against
`tf.compat.v1.gradients` on the same batch.

Where the article's formulas are exact, and where they are not:
- Forward: exact. With a batch of row vectors the pre-activation is `x @ W`, so `W` here
  is the article's `w_ij` transposed (row j = input, column i = neuron).
- Error, output layer: exact for this loss, read right. `σ'(h_i)` must mean σ'(z_i), the
  derivative at the pre-activation z_i = Σ_j w_ij x_j, which for the sigmoid is
  h_i·(1 − h_i). Read literally, σ'(h_i) = σ(h_i)·(1 − σ(h_i)) is wrong (`rule=
  "article_sigma_prime"` shows by how much). For another loss (cross-entropy) or another
  output activation the factor `(h_i − y_i)·σ'` changes too.
- Error, hidden layer: the article calls δ_i the error of a *hidden* neuron, but a hidden
  neuron has no target y_i. Its error is the output errors sent back through the weights,
  δ_j = (Σ_k w_kj δ_k) · h_j(1 − h_j); the article leaves out this back-propagated sum
  (`rule="article_hidden"` passes the output errors back without the weights, and fails
  the check).
- Update: the gradient of w_ij is δ_i times the *input* of the layer, x_j (for the output
  layer, the hidden activations); the article writes h_j, which is only right for a layer
  whose input is the previous hidden layer. Over a mini-batch the products are averaged,
  because the loss is.

What a 2017 TF1 user would write and this port keeps: placeholders, `get_variable` with
its default Glorot-uniform initializer, a `tf.Session` and a `feed_dict` loop. What
changed: `tf.placeholder`, `tf.get_variable`, `tf.gradients`, `tf.assign_sub` become their
`tf.compat.v1` names, and the graph lives in its own `tf.Graph()`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding, session
from tfport import data
from tfport.contract import History, TF1Graph
from tfport.profiles import Profile
from tfport.results import RunResult

# 初始化参数 (784 pixels -> hidden sigmoid neurons -> 10 sigmoid outputs, one per digit)
input_size = 784
hidden_size = 100
output_size = 10

# How the error δ is computed: "backprop" is the chain rule; the other two are the
# article's formula read literally, kept to show that the gradient check catches them.
RULES = ("backprop", "article_hidden", "article_sigma_prime")


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as (n, 784) floats in [0, 1] and one-hot labels, the targets y_i of the formulas."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (input_size,))
    one_hot = np.eye(output_size, dtype="float32")
    return x_train, one_hot[digits_train], x_test, one_hot[digits_test]


def sigmoid_derivative(h: tf.Tensor) -> tf.Tensor:
    """σ'(z) written through the activation h = σ(z): h·(1 − h). The article's "σ'(h)"."""
    return h * (1.0 - h)


def forward(x: tf.Tensor, w_hidden: tf.Tensor, w_output: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """前向传播 h_i = σ(Σ_j w_ij x_j), once per layer; returns both layers' activations."""
    h_hidden = tf.sigmoid(tf.matmul(x, w_hidden))
    h_output = tf.sigmoid(tf.matmul(h_hidden, w_output))
    return h_hidden, h_output


def half_squared_error(y: tf.Tensor, h_output: tf.Tensor) -> tf.Tensor:
    """½·Σ_k (h_k − y_k)² per sample: the loss whose output-layer gradient is the article's δ."""
    return 0.5 * tf.reduce_sum(tf.square(h_output - y), axis=-1)


def hand_gradients(x: tf.Tensor, y: tf.Tensor, w_output: tf.Tensor, h_hidden: tf.Tensor,
                   h_output: tf.Tensor, rule: str = "backprop") -> list[tf.Tensor]:
    """反向传播: the errors δ and the gradients of the batch-mean loss, [dW_hidden, dW_output]."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")

    def derivative(h: tf.Tensor) -> tf.Tensor:
        if rule == "article_sigma_prime":
            # Wrong on purpose: σ'(h) read literally, the derivative taken at h, not at z.
            return sigmoid_derivative(tf.sigmoid(h))
        return sigmoid_derivative(h)

    # Output layer: δ_i = (h_i − y_i)·σ'(z_i), the article's formula.
    delta_output = (h_output - y) * derivative(h_output)
    # Hidden layer: δ_j = (Σ_k w_kj δ_k)·σ'(z_j), the output errors sent back through
    # w_output. The article has no such sum.
    if rule == "article_hidden":
        # Wrong on purpose: the output errors come back summed, without the weights.
        error_hidden = tf.reduce_sum(delta_output, axis=1, keepdims=True)
    else:
        error_hidden = tf.matmul(delta_output, w_output, transpose_b=True)
    delta_hidden = error_hidden * derivative(h_hidden)

    # ∂loss/∂w_ij = δ_i times the layer's *input* (x for the hidden layer, h_hidden for the
    # output layer; the article writes h_j), averaged over the batch like the loss.
    batch_size = tf.cast(tf.shape(x)[0], tf.float32)
    grad_hidden = tf.matmul(x, delta_hidden, transpose_a=True) / batch_size
    grad_output = tf.matmul(h_hidden, delta_output, transpose_a=True) / batch_size
    return [grad_hidden, grad_output]


def build_model(profile: Profile, rule: str = "backprop") -> TF1Graph:
    """The network, the hand-written update, and autodiff's gradients, in the default graph."""
    # 创建输入和输出占位符 (placeholders for inputs and one-hot labels)
    X = tf.compat.v1.placeholder(tf.float32, [None, input_size])
    Y = tf.compat.v1.placeholder(tf.float32, [None, output_size])

    # 权重 (weights only: the article's sums have no bias; Glorot-uniform by default)
    w_hidden = tf.compat.v1.get_variable("w_hidden", [input_size, hidden_size])
    w_output = tf.compat.v1.get_variable("w_output", [hidden_size, output_size])
    weights = [w_hidden, w_output]

    # 前向传播 (forward) and the loss, the mean over the batch of ½·Σ_k (h_k − y_k)²
    h_hidden, h_output = forward(X, w_hidden, w_output)
    loss = tf.reduce_mean(half_squared_error(Y, h_output))

    # 反向传播 (hand-derived gradients) and, to check them, autodiff's
    gradients = hand_gradients(X, Y, w_output, h_hidden, h_output, rule)
    autodiff_gradients = tf.compat.v1.gradients(loss, weights)

    # 权重更新 w := w − α·∂loss/∂w. Both gradients are computed before either weight changes.
    with tf.control_dependencies(gradients):
        update = tf.group(*[tf.compat.v1.assign_sub(weight, profile.learning_rate * gradient)
                            for weight, gradient in zip(weights, gradients)])

    # 评估模型 (accuracy: the largest of the 10 outputs against the label)
    correct_predictions = tf.equal(tf.argmax(h_output, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_predictions, tf.float32))
    return TF1Graph(X=X, Y=Y, output=h_output, loss=loss, train_op=update, accuracy=accuracy,
                    extra={"gradients": gradients, "autodiff_gradients": autodiff_gradients})


def train(sess: tf.compat.v1.Session, graph: TF1Graph, x_train: np.ndarray,
          y_train: np.ndarray, profile: Profile, verbose: int = 1) -> History:
    """Hand-written SGD over freshly shuffled mini-batches; returns the mean loss per epoch
    and the gradient check on the first training batch before training and after every
    epoch."""
    check_batch = x_train[:profile.batch_size], y_train[:profile.batch_size]
    before = check_gradients(sess, graph, *check_batch)

    # 权重更新 (one hand-written update per batch, fed through the placeholders)
    def step(x_batch: np.ndarray, y_batch: np.ndarray) -> float:
        _, loss_val = sess.run([graph.train_op, graph.loss],
                               feed_dict={graph.X: x_batch, graph.Y: y_batch})
        return loss_val

    history = feeding.shuffled_epochs(
        step, x_train, y_train, profile, verbose,
        at_epoch_end=lambda: {"gradient_difference": check_gradients(sess, graph, *check_batch)})
    history["gradient_difference"].insert(0, before)
    if verbose:
        print("Largest |hand − autodiff| gradient difference:", max(history["gradient_difference"]))
    return history


def gradient_differences(sess: tf.compat.v1.Session, graph: TF1Graph, x: np.ndarray,
                         y: np.ndarray) -> dict[str, float]:
    """max |hand − autodiff| over each weight matrix, for one batch."""
    hand, autodiff = sess.run([graph.extra["gradients"], graph.extra["autodiff_gradients"]],
                              feed_dict={graph.X: x, graph.Y: y})
    return {name: float(np.max(np.abs(h - a)))
            for name, h, a in zip(("w_hidden", "w_output"), hand, autodiff)}


def check_gradients(sess: tf.compat.v1.Session, graph: TF1Graph, x: np.ndarray,
                    y: np.ndarray) -> float:
    """The largest |hand − autodiff| over all weights, for one batch."""
    return max(gradient_differences(sess, graph, x, y).values())


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the graph, train by hand, check the gradients, evaluate."""
    # 训练模型, 评估模型 (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    return session.run_program("backprop", load_data, build_model, train,
                               profile, seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("backprop", run))
