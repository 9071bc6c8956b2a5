"""sigmoid_step in TensorFlow 1: one gradient step of one sigmoid neuron, by autodiff.

Article 004 (lines 100-180) works one example by hand: a sigmoid neuron Z = sigma(WX + b)
with binary cross-entropy J, input X = [1, 2, 3], weights W = [1, 2], bias b = 1, label
y = 0 and learning rate alpha = 0.1. It claims sigma(2) ~ 0.865, J ~ 0.134,
dJ/dZ ~ 0.865, dJ/dW = 0.865 * X = [0.865, 1.73, 2.595] and W_new = [0.135, 0.27, 0.705].

The reading this port takes. The shapes do not fit: W has two entries, X three, and the
article's "W X" = [1, 4, 7] is no product of the two. But its gradient (0.865 * X) and its
W_new both have three entries, and it evaluates sigma at 2, the first entry of
[1, 4, 7] + 1. So: one sample with three features, one neuron with three weights, and the
smallest addition that keeps every number the article gives:

    x = [1, 2, 3],  W = [1, 2, -4/3],  b = 1,  y = 0,  alpha = 0.1

The article's W = [1, 2] is kept and the missing third weight is the one value that makes
W.x + b = 1 + 4 - 4 + 1 = 2, the point where the article evaluated sigma. (Padding with
w3 = 0 instead would give W.x + b = 6, z = 0.9975 and J = 6.0025, nothing like the
article's figures.)

The correct numbers for that reading (this module computes them; tests/test_article_004.py
checks them against NumPy and against the Keras/TF2 port):

    a = W.x + b = 2              z = sigma(2) = 0.880797      J = -log(1 - z) = 2.126928
    dJ/dz = 1/(1 - z) = 8.389056 (= 1 + e^2)                 dJ/da = z - y = 0.880797
    dJ/dW = (z - y) x = [0.880797, 1.761594, 2.642391]       dJ/db = 0.880797
    W_new = [0.911920, 1.823841, -1.597572]                  b_new = 0.911920
    J after the step = 1.089073 (a falls from 2 to 0.678804)

The article's arithmetic errors, each checked in the tests:
- sigma(2) = 0.8808, not 0.865; 0.865 is 1 - e^-2 = 0.8647.
- With its own z = 0.865, J = -log(1 - 0.865) = 2.0025, not 0.134 (0.134 is close to
  1 - z, not to its logarithm).
- Its dJ/dZ formula 1/(z(1 - z)) gives 8.56 at z = 0.865, not 0.865. The derivative of J
  with respect to the output z is 1/(1 - z) for y = 0 (7.41 at the article's z, 8.39 at
  the true one); 0.865 is the derivative with respect to the pre-activation a = WX + b,
  z - y. Its dZ/dW = X is likewise da/dW; the two slips cancel, so dJ/dW = (z - y) X has
  the right form, with the wrong z.
- W_new: 1 - 0.1 * 0.865 = 0.9135, not 0.135. The article dropped alpha in its first two
  entries (1 - 0.865 = 0.135, 2 - 1.73 = 0.27); its third, 0.705, fits no reading (it would
  need w3 = 3.3). It also never updates b.

What changed against the article: the chain rule by hand becomes
`tf.compat.v1.gradients`, and the update W_new = W_old - alpha dJ/dW becomes an assign op
run in a Session, with `tf.compat.v1.placeholder` for the sample. J is written out as the
article's formula (line 131) rather than the logits form, because the article's dJ/dZ is
the derivative with respect to z, which only exists in a graph where J is computed from z.
Everything is float64, so that the comparison measures the article's arithmetic and not
float32 rounding.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from legacy_tf1 import session
from tfport.contract import TF1Graph
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


def build_model(profile: Profile) -> TF1Graph:
    """The neuron, its loss, its gradients and the update, built into the default graph."""
    # 输入和标签 (one sample fed through placeholders)
    X = tf.compat.v1.placeholder(tf.float64, [None, 3], name="X")
    Y = tf.compat.v1.placeholder(tf.float64, [None, 1], name="Y")
    W = tf.Variable(np.array(w_values).reshape(3, 1), dtype=tf.float64, name="W")
    b = tf.Variable([b_value], dtype=tf.float64, name="b")

    # 计算输出 Z = sigma(WX + b)
    a = tf.matmul(X, W) + b
    Z = tf.sigmoid(a)

    # 损失函数 J = -1/n sum[y log(z) + (1 - y) log(1 - z)], as the article writes it
    J = -tf.reduce_mean(Y * tf.math.log(Z) + (1.0 - Y) * tf.math.log(1.0 - Z))

    # 梯度 (autodiff instead of the article's chain rule by hand)
    dJ_dz, dJ_da, dJ_dW, dJ_db = tf.compat.v1.gradients(J, [Z, a, W, b])

    # 更新权重 W_new = W_old - alpha dJ/dW (and b, which the article leaves out)
    update = tf.group(W.assign_sub(profile.learning_rate * dJ_dW),
                      b.assign_sub(profile.learning_rate * dJ_db))
    return TF1Graph(X=X, Y=Y, output=Z, loss=J, train_op=update,
                    extra={"W": W, "b": b, "a": a, "z": Z, "J": J, "dJ_dz": dJ_dz,
                           "dJ_da": dJ_da, "dJ_dW": dJ_dW, "dJ_db": dJ_db})


def gradient_step(sess: tf.compat.v1.Session, graph: TF1Graph, x: np.ndarray,
                  y: np.ndarray) -> dict[str, Any]:
    """One update; returns the forward pass and gradients before it, and the weights after."""
    feed = {graph.X: x, graph.Y: y}
    names = ["a", "z", "J", "dJ_dz", "dJ_da", "dJ_dW", "dJ_db"]
    values = dict(zip(names, sess.run([graph.extra[name] for name in names], feed_dict=feed)))
    sess.run(graph.train_op, feed_dict=feed)
    W_new, b_new = sess.run([graph.extra["W"], graph.extra["b"]])
    J_after = sess.run(graph.loss, feed_dict=feed)
    measured = {name: _plain(value) for name, value in values.items()}
    measured.update(W_new=_plain(W_new), b_new=_plain(b_new), J_after=float(J_after))
    return measured


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
    with session.new_session(seed) as sess:
        graph = build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())

        # 一次权重更新 (the article's step; further steps only when a profile asks)
        with clock.training():
            steps = [gradient_step(sess, graph, x, y) for _ in range(profile.epochs)]
        param_count = session.parameter_count()

    measured = steps[0]
    losses = [step["J"] for step in steps] + [steps[-1]["J_after"]]
    if verbose:
        print("Reading:", READING)
        print_comparison(ARTICLE, measured)

    return make_result(example="sigmoid_step", api="tf1", profile=profile, seed=seed,
                       clock=clock, test_loss=losses[-1], test_accuracy=math.nan,
                       history={"loss": losses}, train_size=len(x), param_count=param_count,
                       extra={"reading": READING, "article": ARTICLE, "measured": measured})


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
