"""Are the two ports of an example the same model? Checked number by number.

"Both reach about the same accuracy" is a weak guarantee. Following the TensorFlow
migration guide's "validating correctness", `tfport verify ID` checks, on the example's
`quick` data:

1. data: both ports' `load_data` give the same arrays;
2. forward: the TF1 graph's weights put into the Keras model (and a Keras model's weights
   put into the TF1 graph) give the same outputs on the same batch;
3. training: from the same weights, one step and then K steps on the same batches, with
   each port's own `train_step`, give the same losses and the same new weights.

Where training differs because an API default differs (say Adam's epsilon), the check
names that default, sets the TF1 value on the Keras side and trains again: the ports are
equivalent when that run agrees. Every difference found this way is listed, with the test
that measures it, in docs/migration-notes.md.
"""

from __future__ import annotations

import dataclasses
import inspect
from types import ModuleType
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from tfport.compare import markdown_table
from tfport.examples import modules
from tfport.profiles import get_profile
from tfport.transfer import (keras_values, set_keras_weights, set_tf1_weights, tf1_session,
                             tf1_values)

# Same weights, same batch, the same float32 ops: outputs agree to float rounding. Measured
# with `tfport verify` on all seven examples: at most 8.9e-8 (binary_mlp), exactly 0 for most.
# 1e-5 is the bound the TensorFlow migration guide suggests for float32.
FORWARD_TOLERANCE = 1e-5
# Training from the same weights on the same batches: the largest |loss difference| over
# the steps and the largest |weight difference| after them. With the defaults matched,
# measured at most 1.4e-6 (cnn_onehot, 5 Adam steps: float summation order differs between
# a TF1 graph and Keras's traced step); one differing default (Adam's epsilon) moves the
# weights by 5e-4 after a single step, so this bound separates the two cases 50-fold.
TRAINING_TOLERANCE = 1e-5
STEPS = 5  # K
BATCH_SIZE_FULL_BATCH = 256  # full-batch examples: each verification step sees 256 samples


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    difference: float
    tolerance: float
    note: str = ""  # why a difference is expected (a default that differs)

    @property
    def passed(self) -> bool:
        return self.difference <= self.tolerance

    @property
    def verdict(self) -> str:
        if self.passed:
            return "ok"
        return f"differs: {self.note}" if self.note else "FAILED"


@dataclasses.dataclass(frozen=True)
class Default:
    """An API default that differs between TF1 and Keras, read from the APIs themselves."""

    name: str
    tf1: object
    keras: object
    applies: Callable[[object], bool]  # does this Keras model use it?
    match: Callable[[object], None]  # set the TF1 value on the Keras model

    @property
    def note(self) -> str:
        return f"{self.name}: TF1 {self.tf1}, Keras {self.keras}"


def known_defaults() -> list[Default]:
    """The defaults `verify` knows to differ, with the values each API declares."""
    tf1_epsilon = _default_argument(tf.compat.v1.train.AdamOptimizer, "epsilon")
    keras_epsilon = _default_argument(keras.optimizers.Adam, "epsilon")
    return [Default(
        "Adam epsilon", tf1_epsilon, keras_epsilon,
        applies=lambda model: isinstance(getattr(model, "optimizer", None), keras.optimizers.Adam),
        match=lambda model: setattr(model.optimizer, "epsilon", tf1_epsilon),
    )]


def verify(example_id: str, steps: int = STEPS, seed: int = 0) -> list[Check]:
    """Every check for one example; a check whose `passed` is False is a real difference."""
    tf1_port, keras_port = modules(example_id)
    profile = get_profile(example_id, "quick")
    (x, y), data_check = _data(example_id, profile, tf1_port, keras_port)
    batch_size = profile.batch_size or BATCH_SIZE_FULL_BATCH
    batches = [(x[i * batch_size:(i + 1) * batch_size], y[i * batch_size:(i + 1) * batch_size])
               for i in range(steps)]
    batches = [batch if len(batch[0]) else (x, y) for batch in batches]  # tiny data: reuse it
    learning_rate = profile.learning_rate

    checks = [data_check]
    # 2. forward, TF1 -> Keras: the TF1 graph's initial weights, put into a Keras model
    with tf1_session(tf1_port, learning_rate, seed) as (sess, tf1_model):
        initial = tf1_values(sess)
        tf1_output = tf1_port.predict(sess, tf1_model, batches[0][0])
    keras.utils.set_random_seed(seed + 1)
    keras_model = keras_port.build_model(learning_rate)
    set_keras_weights(keras_port.tf1_variables(keras_model), initial)
    checks.append(Check("forward: TF1 weights in Keras", _max_difference(
        tf1_output, keras_port.predict(keras_model, batches[0][0])), FORWARD_TOLERANCE))

    # ... and Keras -> TF1: a Keras model's own (different) initial weights, put into TF1
    keras.utils.set_random_seed(seed + 1)
    keras_model = keras_port.build_model(learning_rate)
    keras_initial = keras_values(keras_port.tf1_variables(keras_model))
    with tf1_session(tf1_port, learning_rate, seed) as (sess, tf1_model):
        set_tf1_weights(sess, keras_initial)
        tf1_output = tf1_port.predict(sess, tf1_model, batches[0][0])
    checks.append(Check("forward: Keras weights in TF1", _max_difference(
        tf1_output, keras_port.predict(keras_model, batches[0][0])), FORWARD_TOLERANCE))

    # 3. training from the same weights on the same batches, as ported ...
    keras.utils.set_random_seed(seed)
    defaults = [d for d in known_defaults() if d.applies(keras_port.build_model(learning_rate))]
    note = "; ".join(default.note for default in defaults)
    checks += _training_checks(tf1_port, keras_port, learning_rate, initial, batches, seed,
                               label="as ported", note=note)
    # ... and with every differing default set to TF1's value in Keras
    if defaults:
        label = ", ".join(f"{d.name} {d.tf1} in both" for d in defaults)
        checks += _training_checks(tf1_port, keras_port, learning_rate, initial, batches, seed,
                                   label=label, note="", match=defaults)
    return checks


def passed(checks: list[Check]) -> bool:
    """Equivalent: every check passes, except as-ported ones explained by a named default
    whose matched run passes."""
    return all(check.passed or check.note for check in checks)


def table(checks: list[Check]) -> str:
    """The checks as a Markdown table: largest difference seen, tolerance, result."""
    return markdown_table(
        ["check", "largest difference", "tolerance", "result"],
        [[c.name, f"{c.difference:.1e}", f"{c.tolerance:.0e}", c.verdict] for c in checks])


def _training_checks(tf1_port: ModuleType, keras_port: ModuleType, learning_rate: float,
                     initial: dict[str, np.ndarray], batches: list, seed: int, label: str,
                     note: str, match: list[Default] = ()) -> list[Check]:
    with tf1_session(tf1_port, learning_rate, seed) as (sess, tf1_model):
        set_tf1_weights(sess, initial, "the TF1 graph's initial weights")
        tf1_losses, tf1_weights = [], []
        for x, y in batches:
            tf1_losses.append(tf1_port.train_step(sess, tf1_model, x, y))
            tf1_weights.append(tf1_values(sess))

    keras.utils.set_random_seed(seed)
    keras_model = keras_port.build_model(learning_rate)
    for default in match:
        default.match(keras_model)
    variables = keras_port.tf1_variables(keras_model)
    set_keras_weights(variables, initial, "the TF1 graph's initial weights")
    keras_losses, keras_weights = [], []
    for x, y in batches:
        keras_losses.append(keras_port.train_step(keras_model, x, y))
        keras_weights.append(keras_values(variables))

    def weights_difference(step: int) -> float:
        return max(_max_difference(tf1_weights[step][name], keras_weights[step][name])
                   for name in tf1_weights[step])

    k = len(batches)
    return [
        Check(f"1 step, {label}: loss", _max_difference(tf1_losses[:1], keras_losses[:1]),
              TRAINING_TOLERANCE, note),
        Check(f"1 step, {label}: weights", weights_difference(0), TRAINING_TOLERANCE, note),
        Check(f"{k} steps, {label}: losses", _max_difference(tf1_losses, keras_losses),
              TRAINING_TOLERANCE, note),
        Check(f"{k} steps, {label}: weights", weights_difference(k - 1), TRAINING_TOLERANCE, note),
    ]


def _data(example_id: str, profile, tf1_port: ModuleType,
          keras_port: ModuleType) -> tuple[tuple[np.ndarray, np.ndarray], Check]:
    """The training arrays both ports load, and a check that they are the same."""
    if example_id == "sigmoid_step":  # the article's one sample, written into both ports
        pairs = [(np.array([port.x_values]), np.array([[port.y_value]]))
                 for port in (tf1_port, keras_port)]
    else:
        pairs = [port.load_data(profile)[:2] for port in (tf1_port, keras_port)]
    (x, y), (keras_x, keras_y) = pairs
    same = x.shape == keras_x.shape and y.shape == keras_y.shape
    difference = max(_max_difference(x, keras_x), _max_difference(y, keras_y)) if same else np.inf
    return (x, y), Check("data: the same training arrays", difference, 0.0)


def _max_difference(a, b) -> float:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _default_argument(function: Callable, name: str) -> object:
    return inspect.signature(function).parameters[name].default
