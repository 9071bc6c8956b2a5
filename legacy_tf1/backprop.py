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

# 初始化参数 (784 pixels -> hidden sigmoid neurons -> 10 sigmoid outputs, one per digit)
input_size = 784
hidden_size = 100
output_size = 10

# How the error δ is computed: "backprop" is the chain rule; the other two are the
# article's formula read literally, kept to show that the gradient check catches them.
RULES = ("backprop", "article_hidden", "article_sigma_prime")


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as (n, 784) floats in [0, 1] and one-hot labels, the targets y_i of the formulas."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.reshape(-1, input_size).astype("float32") / 255.0
    x_test = mnist.x_test.reshape(-1, input_size).astype("float32") / 255.0
    y_train = np.eye(output_size, dtype="float32")[mnist.y_train]
    y_test = np.eye(output_size, dtype="float32")[mnist.y_test]
    return x_train, y_train, x_test, y_test


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


def build_model(learning_rate: float, rule: str = "backprop") -> dict[str, tf.Tensor]:
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
        update = tf.group(*[tf.compat.v1.assign_sub(weight, learning_rate * gradient)
                            for weight, gradient in zip(weights, gradients)])

    # 评估模型 (accuracy: the largest of the 10 outputs against the label)
    correct_predictions = tf.equal(tf.argmax(h_output, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_predictions, tf.float32))
    return {"X": X, "Y": Y, "weights": weights, "output": h_output, "loss": loss,
            "gradients": gradients, "autodiff_gradients": autodiff_gradients,
            "update": update, "accuracy": accuracy}


def train_step(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """One step of the hand-written update on the batch (x, y); returns its loss before it."""
    _, loss_val = sess.run([model["update"], model["loss"]],
                           feed_dict={model["X"]: x, model["Y"]: y})
    return float(loss_val)


def train(sess: tf.compat.v1.Session, model: dict, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, seed: int, verbose: int = 1,
          check_batch: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[list[float], list[float]]:
    """Hand-written SGD over freshly shuffled mini-batches; returns the mean loss per epoch and
    the gradient check on `check_batch` before training and after every epoch."""
    rng = np.random.default_rng(seed)
    batch_size = profile.batch_size or len(x_train)
    steps = -(-len(x_train) // batch_size)
    epoch_losses, grad_differences = [], []
    if check_batch is not None:
        grad_differences.append(check_gradients(sess, model, *check_batch))
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
        if check_batch is not None:
            grad_differences.append(check_gradients(sess, model, *check_batch))
    return epoch_losses, grad_differences


def gradient_differences(sess: tf.compat.v1.Session, model: dict, x: np.ndarray,
                         y: np.ndarray) -> dict[str, float]:
    """max |hand − autodiff| over each weight matrix, for one batch."""
    hand, autodiff = sess.run([model["gradients"], model["autodiff_gradients"]],
                              feed_dict={model["X"]: x, model["Y"]: y})
    return {name: float(np.max(np.abs(h - a)))
            for name, h, a in zip(("w_hidden", "w_output"), hand, autodiff)}


def check_gradients(sess: tf.compat.v1.Session, model: dict, x: np.ndarray, y: np.ndarray) -> float:
    """The largest |hand − autodiff| over all weights, for one batch."""
    return max(gradient_differences(sess, model, x, y).values())


def evaluate(sess: tf.compat.v1.Session, model: dict, x_test: np.ndarray,
             y_test: np.ndarray, batch_size: int = 1000) -> tuple[float, float]:
    """Test loss and accuracy, averaged over batches weighted by their size."""
    return feeding.evaluate_in_batches(sess, model, x_test, y_test, batch_size)


def predict(sess: tf.compat.v1.Session, model: dict, x: np.ndarray) -> np.ndarray:
    """The 10 sigmoid outputs for `x`."""
    return sess.run(model["output"], feed_dict={model["X"]: x})


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1, checkpoint: str | Path | None = None) -> RunResult:
    """Load the data, build the graph, train by hand, check the gradients, evaluate."""
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = load_data(profile)
    # The gradient check always looks at the first training batch.
    check_size = profile.batch_size or len(x_train)
    check_batch = (x_train[:check_size], y_train[:check_size])

    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        # TF 2.x: tf.compat.v1.layers take their initializers from tf-keras, which draws
        # their seeds from Python's `random`, not from the graph seed set above.
        # (This graph has no tf.compat.v1.layers: its get_variable weights follow the graph
        # seed alone. Python's `random` is seeded all the same, as in every TF1 port.)
        random.seed(seed)
        model = build_model(profile.learning_rate)
        sess.run(tf.compat.v1.global_variables_initializer())

        # 训练模型 (train with the hand-written update)
        train_start = time.perf_counter()
        losses, grad_differences = train(sess, model, x_train, y_train, profile, seed, verbose,
                                         check_batch)
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
    max_grad_difference = max(grad_differences)
    if verbose:
        print("Test accuracy:", test_accuracy)
        print("Largest |hand − autodiff| gradient difference:", max_grad_difference)

    return make_result(
        example="backprop", api="tf1", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra={**prediction_summary(y_test, test_predictions),
               "max_grad_difference": max_grad_difference,
               "note": "largest |hand-derived - tf.compat.v1.gradients| over both weight "
                       f"matrices, on the first {check_size} training samples, before "
                       "training and after every epoch"},
    )
