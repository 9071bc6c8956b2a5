"""backprop in Keras 3: the article's back-propagation formulas as the gradients `fit` uses.

Article 000 (lines 146-168) gives three formulas and no code:

    forward   h_i = σ(Σ_j w_ij x_j)
    error     δ_i = (h_i − y_i) · σ'(h_i)
    update    w_ij := w_ij − α · δ_i · h_j

This port puts them on the same small MLP as `legacy_tf1/backprop.py`, 784 -> 100
(sigmoid) -> 10 (sigmoid), no biases, squared error ½·Σ_k (h_k − y_k)² on one-hot targets
averaged over the batch. The network is a Keras model of two `Dense(use_bias=False,
activation="sigmoid")` layers. It computes the errors δ and the gradients by hand with
`keras.ops`, and `fit` hands them to `SGD(learning_rate)`, whose update without momentum is
exactly w := w − α·g. They reach `fit` through `compute_loss` (the Keras 3 hook that every
backend's training step calls; a custom `train_step` has another signature on JAX than on
TensorFlow and PyTorch): the loss it returns has the compiled loss's value, but autodiff
sees only Σ g·w with g held constant, whose gradient is g itself, exactly. A callback checks
the hand-derived gradients against the backend's autodiff (`tfport.backends`) before
training and after every epoch.

Where the article's formulas are exact, and where they are not (the same notes as the TF1
port; the code says so at each line):
- Forward: exact; with row-vector batches `W` is the article's `w_ij` transposed, which is
  also how `Dense` stores its kernel.
- Error, output layer: exact for this loss if `σ'(h_i)` is read as σ'(z_i) = h_i·(1 − h_i);
  read literally, σ'(h_i) = σ(h_i)·(1 − σ(h_i)) is wrong (`rule="article_sigma_prime"`).
- Error, hidden layer: a hidden neuron has no target y_i; its error is the back-propagated
  sum Σ_k w_kj δ_k times σ'(z_j), which the article leaves out (`rule="article_hidden"`).
- Update: the gradient of w_ij is δ_i times the layer's *input* (the article writes h_j),
  averaged over the mini-batch.

What changed against the TF1 port: the loop is `fit` (batches of `profile.batch_size`,
shuffled every epoch), the update is a Keras `SGD` optimizer, evaluation is `evaluate`,
and the hand-written formulas use `keras.ops` so they read like the TF1 graph ops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import ops

from keras_models import program
from tfport import data
from tfport.backends import value_and_grad
from tfport.contract import History
from tfport.profiles import Profile
from tfport.results import RunResult

# 初始化参数 (784 pixels -> hidden sigmoid neurons -> 10 sigmoid outputs, one per digit)
input_size = 784
hidden_size = 100
output_size = 10

# How the error δ is computed: "backprop" is the chain rule; the other two are the
# article's formula read literally, kept to show that the gradient check catches them.
RULES = ("backprop", "article_hidden", "article_sigma_prime")

Tensor = Any  # a backend tensor or keras.Variable (a tf.Tensor under the TensorFlow backend)


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as (n, 784) floats in [0, 1] and one-hot labels, the targets y_i of the formulas."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (input_size,))
    return (x_train, keras.utils.to_categorical(digits_train, output_size),
            x_test, keras.utils.to_categorical(digits_test, output_size))


def sigmoid_derivative(h: Tensor) -> Tensor:
    """σ'(z) written through the activation h = σ(z): h·(1 − h). The article's "σ'(h)"."""
    return h * (1.0 - h)


def forward(x: Tensor, w_hidden: Tensor, w_output: Tensor) -> tuple[Tensor, Tensor]:
    """前向传播 h_i = σ(Σ_j w_ij x_j), once per layer; returns both layers' activations."""
    h_hidden = ops.sigmoid(ops.matmul(x, w_hidden))
    h_output = ops.sigmoid(ops.matmul(h_hidden, w_output))
    return h_hidden, h_output


def half_squared_error(y: Tensor, h_output: Tensor) -> Tensor:
    """½·Σ_k (h_k − y_k)² per sample: the loss whose output-layer gradient is the article's δ."""
    return 0.5 * ops.sum(ops.square(h_output - y), axis=-1)


def hand_gradients(x: Tensor, y: Tensor, w_output: Tensor, h_hidden: Tensor, h_output: Tensor,
                   rule: str = "backprop") -> list[Tensor]:
    """反向传播: the errors δ and the gradients of the batch-mean loss, [dW_hidden, dW_output]."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")

    def derivative(h: Tensor) -> Tensor:
        if rule == "article_sigma_prime":
            # Wrong on purpose: σ'(h) read literally, the derivative taken at h, not at z.
            return sigmoid_derivative(ops.sigmoid(h))
        return sigmoid_derivative(h)

    # Output layer: δ_i = (h_i − y_i)·σ'(z_i), the article's formula.
    delta_output = (h_output - y) * derivative(h_output)
    # Hidden layer: δ_j = (Σ_k w_kj δ_k)·σ'(z_j), the output errors sent back through
    # w_output. The article has no such sum.
    if rule == "article_hidden":
        # Wrong on purpose: the output errors come back summed, without the weights.
        error_hidden = ops.sum(delta_output, axis=1, keepdims=True)
    else:
        error_hidden = ops.matmul(delta_output, ops.transpose(w_output))
    delta_hidden = error_hidden * derivative(h_hidden)

    # ∂loss/∂w_ij = δ_i times the layer's *input* (x for the hidden layer, h_hidden for the
    # output layer; the article writes h_j), averaged over the batch like the loss.
    batch_size = ops.cast(ops.shape(x)[0], "float32")
    grad_hidden = ops.matmul(ops.transpose(x), delta_hidden) / batch_size
    grad_output = ops.matmul(ops.transpose(h_hidden), delta_output) / batch_size
    return [grad_hidden, grad_output]


class BackpropMLP(keras.Model):
    """784 -> 100 sigmoid -> 10 sigmoid, no biases, trained by the hand-written gradients."""

    def __init__(self, rule: str = "backprop", **kwargs):
        super().__init__(**kwargs)
        if rule not in RULES:
            raise ValueError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
        self.rule = rule
        # 权重 (weights only: the article's sums have no bias; Glorot-uniform by default)
        self.hidden = keras.layers.Dense(hidden_size, activation="sigmoid", use_bias=False)
        self.output_layer = keras.layers.Dense(output_size, activation="sigmoid", use_bias=False)

    def build(self, input_shape: tuple) -> None:
        self.hidden.build(input_shape)
        self.output_layer.build((input_shape[0], hidden_size))

    def call(self, x: Tensor) -> Tensor:
        return self.output_layer(self.hidden(x))

    @property
    def weight_matrices(self) -> list[keras.Variable]:
        """[w_hidden, w_output], the article's w_ij of each layer (transposed)."""
        return [self.hidden.kernel, self.output_layer.kernel]

    def compute_loss(self, x: Tensor = None, y: Tensor = None, y_pred: Tensor = None,
                     sample_weight: Tensor = None, training: bool = True) -> Tensor:
        """The compiled loss; while training, its gradient is the hand-derived one."""
        loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        if not training:
            return loss
        if sample_weight is not None:
            raise ValueError("the hand-written gradients are for the plain batch mean; "
                             "sample weights are not supported")
        # Each weight read once, so that both gradients are of the same weights: read at
        # each use, the update of w_output could overtake its second read for the hidden
        # layer's gradient.
        w_hidden, w_output = (ops.convert_to_tensor(w) for w in self.weight_matrices)
        # 前向传播 (forward; the same as self(x), written as the formula)
        h_hidden, h_output = forward(x, w_hidden, w_output)

        # 反向传播 (hand-derived gradients, no autodiff of the network)
        gradients = hand_gradients(x, y, w_output, h_hidden, h_output, self.rule)

        # 权重更新 w := w − α·∂loss/∂w, by fit's SGD step. Autodiff of Σ g·w, g held
        # constant, gives g exactly; it is added with the value zero, and the loss itself is
        # held constant, so fit reports the loss and steps along the hand-derived gradients.
        by_hand = sum(ops.sum(ops.stop_gradient(gradient) * weight)
                      for gradient, weight in zip(gradients, self.weight_matrices))
        return ops.stop_gradient(loss) + (by_hand - ops.stop_gradient(by_hand))


def build_model(profile: Profile, rule: str = "backprop") -> BackpropMLP:
    """The network with its hand-written training step, compiled and built."""
    model = BackpropMLP(rule)
    # 损失和更新 (the mean over the batch of ½·Σ_k (h_k − y_k)²; the update rule's α)
    model.compile(
        optimizer=keras.optimizers.SGD(profile.learning_rate),
        loss=half_squared_error,
        # 评估模型 (accuracy: the largest of the 10 outputs against the label)
        metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")],
    )
    # Create the weights now: compute_loss reads the kernels by name.
    model.build((None, input_size))
    return model


class GradientCheck(keras.callbacks.Callback):
    """`check_gradients` on one batch before training and after every epoch."""

    def __init__(self, x: np.ndarray, y: np.ndarray):
        super().__init__()
        self.x, self.y = x, y
        self.differences: list[float] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.differences.append(check_gradients(self.model, self.x, self.y))

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.differences.append(check_gradients(self.model, self.x, self.y))


def train(model: BackpropMLP, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
          verbose: int = 1) -> History:
    """`fit` with the hand-written step; returns the mean loss per epoch and the gradient
    check on the first training batch before training and after every epoch."""
    check = GradientCheck(x_train[:profile.batch_size], y_train[:profile.batch_size])
    history = model.fit(x_train, y_train, epochs=profile.epochs,
                        batch_size=profile.batch_size or len(x_train), shuffle=profile.shuffle,
                        verbose=verbose,
                        callbacks=[check])
    if verbose:
        print("Largest |hand − autodiff| gradient difference:", max(check.differences))
    return {**history.history, "gradient_difference": check.differences}


def gradient_differences(model: BackpropMLP, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """max |hand − autodiff| over each weight matrix, for one batch."""
    x, y = ops.convert_to_tensor(x, "float32"), ops.convert_to_tensor(y, "float32")
    w_hidden, w_output = model.weight_matrices
    _, autodiff = value_and_grad(
        lambda w_hidden, w_output: ops.mean(half_squared_error(
            y, forward(x, w_hidden, w_output)[1])), [w_hidden, w_output])
    h_hidden, h_output = forward(x, w_hidden, w_output)
    hand = hand_gradients(x, y, w_output, h_hidden, h_output, model.rule)
    return {name: float(ops.convert_to_numpy(ops.max(ops.abs(h - a))))
            for name, h, a in zip(("w_hidden", "w_output"), hand, autodiff)}


def check_gradients(model: BackpropMLP, x: np.ndarray, y: np.ndarray) -> float:
    """The largest |hand − autodiff| over all weights, for one batch."""
    return max(gradient_differences(model, x, y).values())


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train by hand, check the gradients, evaluate."""
    # 训练模型, 评估模型 (keras_models/program.py: seed, build, fit, evaluate)
    return program.run_program("backprop", load_data, build_model, train,
                               profile, seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("backprop", run))
