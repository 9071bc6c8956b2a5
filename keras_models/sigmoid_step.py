"""sigmoid_step in TensorFlow 2 with Keras 3: one gradient step of one sigmoid neuron.

Article 004 (lines 100-180) works one gradient step of a sigmoid neuron with binary
cross-entropy by hand; `legacy_tf1/sigmoid_step.py` explains the reading taken here
(x = [1, 2, 3], W = [1, 2, -4/3], b = 1, y = 0, alpha = 0.1, so that W.x + b = 2 as in
the article), lists the correct numbers and the article's arithmetic errors.

This is the one example whose "Keras" side is not a Keras model: one neuron and one step
have no `fit` to call. So it is eager Keras 3, on any backend:
- `keras.Variable` for W and b, `keras.ops` for the neuron and for J, written out as the
  article's formula (line 131). `keras.losses.binary_crossentropy` would give the same J,
  but from the logits that Keras's sigmoid attaches to its output, so z would not be on
  the gradient path.
- The gradients by the backend's autodiff (`tf.GradientTape`, `jax.value_and_grad` or
  `torch.autograd`: Keras 3 has no backend-neutral gradient function, so
  `tfport.backends.value_and_grad` picks one), taken of J as a function of each quantity
  in turn: of z (the article's dJ/dZ), of a, and of W and b.
- The update written out with `assign_sub`, the article's W_new = W_old - alpha dJ/dW.
  `keras.optimizers.SGD(alpha)` makes the same plain step, but keeps alpha in float32,
  which moves W_new by up to 4e-9 here.
Everything is float64, so that the comparison measures the article's arithmetic and not
float32 rounding (on the TensorFlow backend: JAX without `jax_enable_x64`, and Keras's
`ops.matmul` on PyTorch, compute in float32; docs/migration-notes.md).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import keras
import numpy as np

from tfport.backends import value_and_grad
from tfport.profiles import Profile
from tfport.results import RunClock, RunResult, make_result

# 4.3 案例分析与讲解 (the article's example; the third weight is this port's reading)
x_values = [1.0, 2.0, 3.0]  # one sample, three features
w_values = [1.0, 2.0, -4.0 / 3.0]  # the article's W = [1, 2], and the w3 that gives W.x + b = 2
b_value = 1.0
y_value = 0.0

READING = ("one sample x = [1, 2, 3] with three features; one neuron with weights "
           "W = [1, 2, -4/3] (the article's [1, 2] plus the third weight that makes "
           "W.x + b = 2, where the article evaluated sigma), b = 1, y = 0, alpha = 0.1")

# What the article claims (lines 125-175); None where it gives no number.
ARTICLE: dict[str, Any] = {
    "a": 2.0,  # it evaluates sigma at 2, the first entry of "[1, 4, 7] + 1"
    "z": 0.865,
    "J": 0.134,
    "dJ_dz": 0.865,  # its formula 1/(z(1-z)) would give 8.56
    "dJ_da": None,
    "dJ_dW": [0.865, 1.73, 2.595],
    "dJ_db": None,
    "W_new": [0.135, 0.27, 0.705],
    "b_new": None,  # the article does not update b
    "J_after": None,
}


def build_model(profile: Profile) -> dict[str, Any]:
    """The neuron's variables and its learning rate (the maths is in `gradient_step`)."""
    W = keras.Variable(np.array(w_values).reshape(3, 1), dtype="float64", name="W")
    b = keras.Variable([b_value], dtype="float64", name="b")
    return {"W": W, "b": b, "learning_rate": profile.learning_rate}


def gradient_step(model: dict, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """One update; returns the forward pass and gradients before it, and the weights after."""
    x = keras.ops.convert_to_tensor(x, dtype="float64")
    y = keras.ops.convert_to_tensor(y, dtype="float64")
    W, b = model["W"], model["b"]
    # 计算输出 Z = sigma(WX + b)
    a = keras.ops.matmul(x, W) + b
    z = keras.ops.sigmoid(a)
    # 损失函数 J = -1/n sum[y log(z) + (1 - y) log(1 - z)], as the article writes it
    J = _loss(z, y)

    # 梯度 (autodiff instead of the article's chain rule by hand: J of z, of a, of W and b)
    _, (dJ_dz,) = value_and_grad(lambda z: _loss(z, y), [z])
    _, (dJ_da,) = value_and_grad(lambda a: _loss(keras.ops.sigmoid(a), y), [a])
    _, (dJ_dW, dJ_db) = value_and_grad(
        lambda W, b: _loss(keras.ops.sigmoid(keras.ops.matmul(x, W) + b), y), [W, b])

    # 更新权重 W_new = W_old - alpha dJ/dW (and b, which the article leaves out)
    W.assign_sub(model["learning_rate"] * dJ_dW)
    b.assign_sub(model["learning_rate"] * dJ_db)
    J_after = _loss(keras.ops.sigmoid(keras.ops.matmul(x, W) + b), y)
    measured = {"a": a, "z": z, "J": J, "dJ_dz": dJ_dz, "dJ_da": dJ_da, "dJ_dW": dJ_dW,
                "dJ_db": dJ_db, "W_new": W, "b_new": b, "J_after": J_after}
    return {name: _plain(keras.ops.convert_to_numpy(value)) for name, value in measured.items()}


def print_comparison(article: dict[str, Any], measured: dict[str, Any]) -> None:
    """A small table: each quantity as the article gives it and as computed here."""
    print(f"{'':10} {'article':>24}   {'measured':>30}")
    for name, measured_value in measured.items():
        print(f"{name:10} {_show(article.get(name)):>24}   {_show(measured_value):>30}")


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Build the neuron, take `profile.epochs` steps (the article: one), compare the numbers."""
    clock = RunClock()
    x = np.array([x_values])
    y = np.array([[y_value]])

    # Nothing here is random; the seed is set only for the same shape as every port.
    keras.utils.set_random_seed(seed)
    model = build_model(profile)

    # 一次权重更新 (the article's step; further steps only when a profile asks)
    with clock.training():
        steps = [gradient_step(model, x, y) for _ in range(profile.epochs)]
    param_count = sum(int(np.prod(v.shape)) for v in (model["W"], model["b"]))

    measured = steps[0]
    losses = [step["J"] for step in steps] + [steps[-1]["J_after"]]
    if verbose:
        print("Reading:", READING)
        print_comparison(ARTICLE, measured)

    return make_result(example="sigmoid_step", api="keras", profile=profile, seed=seed,
                       clock=clock, test_loss=losses[-1], test_accuracy=math.nan,
                       history={"loss": losses}, train_size=len(x), param_count=param_count,
                       extra={"reading": READING, "article": ARTICLE, "measured": measured})


def _loss(z: Any, y: Any) -> Any:
    """The article's binary cross-entropy, from probabilities, averaged over samples."""
    return -keras.ops.mean(y * keras.ops.log(z) + (1.0 - y) * keras.ops.log(1.0 - z))


def _plain(value: np.ndarray) -> float | list[float]:
    """A scalar or a (1, 1) array as a float, anything longer as a flat list."""
    flat = np.asarray(value, dtype=float).ravel()
    return float(flat[0]) if flat.size == 1 else flat.tolist()


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return "[" + ", ".join(f"{v:.4f}" for v in value) + "]"
    return f"{value:.4f}"


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("sigmoid_step", run))
