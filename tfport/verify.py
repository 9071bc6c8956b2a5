"""`tfport verify ID`: are the two ports of an example the same model, number by number?

On the example's quick data: the same data and recipe, the same forward pass and evaluation
from the same weights, the same training steps and training loop. A difference caused by an
API default (say Adam's epsilon) is named, matched and trained again. What each check means:
docs/verify.md; a check and its tolerances: tfport/verify_checks.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from tfport import recipe
from tfport.contract import KerasPort, TF1Port
from tfport.examples import check_example, keras_port, keras_scaffold, tf1_port, tf1_scaffold
from tfport.profiles import Profile
from tfport.transfer import (keras_values, keras_variables, set_tf1_weights, tf1_session,
                             tf1_values)
from tfport.verify_checks import (FORWARD_TOLERANCE, TRAINING_TOLERANCE, Check, max_difference,
                                  weights_difference)
from tfport.verify_steps import Steps, load_steps

STEPS = 5  # K
SAMPLES = 256  # the training samples every verification step sees
LOOP_BATCH = 96  # the training-loop check's batch: 256 = 2 x 96 + 64, so one batch is short
LOOP_EPOCHS = 2


@dataclasses.dataclass(frozen=True)
class DifferingDefault:
    """An API default that differs between TF1 and Keras, read from the APIs themselves."""

    name: str
    tf1: object
    keras: object
    applies: Callable[[object], bool]  # does this Keras model use it?
    match: Callable[[object], None]  # set the TF1 value on the Keras model


def known_defaults() -> list[DifferingDefault]:
    """The defaults `verify` knows to differ, with the values each API declares."""
    from tfport.bert_optimizer import AdamWeightDecay

    tf1_epsilon = recipe.defaults(tf.compat.v1.train.AdamOptimizer)["epsilon"]
    keras_epsilon = recipe.defaults(keras.optimizers.Adam)["epsilon"]

    def without_bias_correction(model: object) -> None:
        model.compile(optimizer=AdamWeightDecay.like(model.optimizer), loss=model.loss,
                      metrics=["accuracy"])

    return [
        DifferingDefault(
            "Adam epsilon", tf1_epsilon, keras_epsilon,
            applies=lambda model: type(getattr(model, "optimizer", None)) is keras.optimizers.Adam,
            match=lambda model: setattr(model.optimizer, "epsilon", tf1_epsilon)),
        # BERT's AdamWeightDecay against Keras's AdamW (tfport/bert_optimizer.py).
        DifferingDefault(
            "Adam bias correction", "off (BERT's AdamWeightDecay)", "on (keras AdamW)",
            applies=lambda model: type(getattr(model, "optimizer", None)) is keras.optimizers.AdamW,
            match=without_bias_correction),
    ]


def verify(example_id: str, steps: int = STEPS, seed: int = 0,
           samples: int = SAMPLES) -> list[Check]:
    """Every check for one example; a check whose `passed` is False is a real difference.

    `samples`: the training samples the training checks see (over LOOP_BATCH, so that the
    loop check has a short batch)."""
    tf1, new = tf1_port(example_id), keras_port(example_id)
    stepper, data_check = load_steps(example_id, tf1, new, steps, seed, samples)

    checks = [data_check] + _recipe_checks(example_id, tf1, new, stepper.built)
    if check_example(example_id).pretrained:
        from tfport.verify_bert import checkpoint_checks

        checks += checkpoint_checks(stepper)
    # forward, both ways: the TF1 graph's initial weights, and a Keras model's (different) ones
    with tf1_session(tf1, stepper.built, seed) as (sess, _):
        initial = tf1_values(sess)
    keras.utils.set_random_seed(seed + 1)
    keras_initial = keras_values(keras_variables(example_id, new.build_model(stepper.built)))
    for weights, name in ((initial, "TF1 weights in Keras"),
                          (keras_initial, "Keras weights in TF1")):
        outputs = _with_weights(stepper, weights, stepper.tf1_forward, stepper.keras_forward)
        checks.append(Check(f"forward: {name}", max_difference(*outputs), FORWARD_TOLERANCE))
    if not stepper.one_neuron:  # evaluate: the TF1 graph's weights, the whole test set
        checks += _evaluate_checks(stepper, initial)

    # training from the same weights on the same samples, as ported ...
    keras.utils.set_random_seed(seed)
    defaults = [d for d in known_defaults() if d.applies(new.build_model(stepper.built))]
    note = "; ".join(f"{d.name}: TF1 {d.tf1}, Keras {d.keras}" for d in defaults)
    # (the loop as ported only where no default differs: the matched run checks it otherwise)
    checks += _training_checks(stepper, initial, steps, label="as ported", note=note,
                               loop=not defaults)
    # ... and with every differing default set to TF1's value in Keras
    if defaults:
        label = ", ".join(f"{d.name} {d.tf1} in both" for d in defaults)
        checks += _training_checks(stepper, initial, steps, label=label, note="",
                                   match=defaults)
    return checks


def training_gaps(example_id: str, tf1: TF1Port | None = None, new: KerasPort | None = None,
                  steps: int = 1, change: Callable[[Any], None] | None = None,
                  loop: bool = False, shuffle: bool = False, seed: int = 0,
                  samples: int = SAMPLES, data: str = "quick") -> dict[str, float]:
    """The largest |loss| and |weight| differences after `steps` steps (or, `loop`, two epochs)
    from the same weights: the notebooks' exercises, whose cells may pass their own port modules
    and a `change` to the Keras model once built, on the `data` profile's data."""
    tf1 = tf1 or tf1_port(example_id)
    new = new or keras_port(example_id)
    stepper, _ = load_steps(example_id, tf1, new, steps, seed, samples, data)
    with tf1_session(tf1, stepper.built, seed) as (sess, graph):
        initial = tf1_values(sess)
    edits = [DifferingDefault("exercise", None, None, lambda model: True, change)] if change else []
    if loop:
        checks = _loop_checks(stepper, initial, "", "", edits, shuffle)
    else:
        checks = _training_checks(stepper, initial, steps, "", "", edits, loop=False)[-2:]
    losses, weights = (check.difference for check in checks)
    return {"losses": losses, "weights": weights}


def _recipe_checks(example_id: str, tf1: TF1Port, new: KerasPort,
                   profile: Profile) -> list[Check]:
    """Each port's optimizer, loss and metric against the article's (tfport/recipe.py)."""
    if check_example(example_id).recipe is None:  # no optimizer, no compiled model
        return []
    with tf1_session(tf1, profile) as (_, graph):
        found = {"tf1": recipe.tf1_recipe(graph)}
    found["keras"] = recipe.keras_recipe(new.build_model(profile))
    checks = []
    for api, label in (("tf1", "TF1 graph"), ("keras", "Keras model")):
        wrong = found[api].differences(recipe.expected(example_id, api, profile))
        described = (f"{found[api].optimizer} {found[api].learning_rate:g}, {found[api].loss}, "
                     f"{found[api].metric}")
        checks.append(Check(f"recipe, {label}: {described}"
                            + (f" (differs: {'; '.join(wrong)})" if wrong else ""),
                            float("inf") if wrong else 0.0, 0.0))
    return checks


def _with_weights(stepper: Steps, weights: dict[str, np.ndarray], tf1_run: Callable,
                  keras_run: Callable) -> tuple[Any, Any]:
    """What `tf1_run(sess, graph)` and `keras_run(model)` give, each model holding `weights`."""
    with tf1_session(stepper.tf1, stepper.built, stepper.seed) as (sess, graph):
        set_tf1_weights(sess, weights)
        tf1_result = tf1_run(sess, graph)
    model, _ = stepper.keras_model(stepper.built, weights, ())
    return tf1_result, keras_run(model)


def _evaluate_checks(stepper: Steps, weights: dict[str, np.ndarray]) -> list[Check]:
    (tf1_loss, tf1_accuracy), (keras_loss, keras_accuracy) = _with_weights(
        stepper, weights,
        lambda sess, graph: tf1_scaffold().evaluate(sess, graph, stepper.x_test, stepper.y_test),
        lambda model: keras_scaffold().evaluate(model, stepper.keras_x_test, stepper.y_test))
    size = len(stepper.y_test)
    return [Check(f"evaluate, {size} test samples: loss", abs(tf1_loss - keras_loss),
                  FORWARD_TOLERANCE),
            Check(f"evaluate, {size} test samples: accuracy",
                  abs(tf1_accuracy - keras_accuracy), FORWARD_TOLERANCE)]


def _training_checks(stepper: Steps, initial: dict[str, np.ndarray], steps: int, label: str,
                     note: str, match: list[DifferingDefault] = (),
                     loop: bool = True) -> list[Check]:
    with tf1_session(stepper.tf1, stepper.built, stepper.seed) as (sess, graph):
        set_tf1_weights(sess, initial, "the TF1 graph's initial weights")
        tf1_losses, tf1_weights = [], []
        for step in range(steps):
            tf1_losses.append(stepper.tf1_step(sess, graph, step))
            tf1_weights.append(tf1_values(sess))

    model, variables = stepper.keras_model(stepper.built, initial, match)
    keras_losses, keras_weights = [], []
    for _ in range(steps):
        keras_losses.append(stepper.keras_step(model))
        keras_weights.append(keras_values(variables))
    return [
        # computed before the first update: from the same weights, whatever the optimizer
        Check(f"1 step, {label}: loss", max_difference(tf1_losses[:1], keras_losses[:1]),
              TRAINING_TOLERANCE),
        Check(f"1 step, {label}: weights", weights_difference(tf1_weights[0], keras_weights[0]),
              TRAINING_TOLERANCE, note),
        Check(f"{steps} steps, {label}: losses", max_difference(tf1_losses, keras_losses),
              TRAINING_TOLERANCE, note),
        Check(f"{steps} steps, {label}: weights",
              weights_difference(tf1_weights[-1], keras_weights[-1]), TRAINING_TOLERANCE, note),
    ] + ([] if stepper.one_neuron or not loop else
         _loop_checks(stepper, initial, label, note, match))


def _loop_checks(stepper: Steps, initial: dict[str, np.ndarray], label: str, note: str,
                 match: list[DifferingDefault], shuffle: bool = False) -> list[Check]:
    """Two epochs of each port's own `train` from the same weights, batches in order unless
    `shuffle`."""
    profile = dataclasses.replace(
        stepper.profile, epochs=LOOP_EPOCHS, shuffle=shuffle,
        batch_size=None if stepper.profile.full_batch else LOOP_BATCH)
    with tf1_session(stepper.tf1, profile, stepper.seed) as (sess, graph):
        set_tf1_weights(sess, initial, "the TF1 graph's initial weights")
        tf1_losses = stepper.tf1.train(sess, graph, stepper.x, stepper.y, profile,
                                       verbose=0)["loss"]
        tf1_weights = tf1_values(sess)
    model, variables = stepper.keras_model(profile, initial, match)
    keras_losses = stepper.new.train(model, stepper.keras_x, stepper.y, profile,
                                     verbose=0)["loss"]
    keras_weights = keras_values(variables)
    batches = "full batch" if profile.full_batch else f"batches of {LOOP_BATCH} in order"
    name = f"train(), {LOOP_EPOCHS} epochs, {batches}, {label}"
    return [
        Check(f"{name}: losses", max_difference(tf1_losses, keras_losses), TRAINING_TOLERANCE,
              note),
        Check(f"{name}: weights", weights_difference(tf1_weights, keras_weights),
              TRAINING_TOLERANCE, note),
    ]
