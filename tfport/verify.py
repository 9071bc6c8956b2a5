"""Are the two ports of an example the same model? Checked number by number.

"Both reach about the same accuracy" is a weak guarantee. Following the TensorFlow
migration guide's "validating correctness", `tfport verify ID` checks, on the example's
`quick` data:

1. data: both ports' `load_data` give the same arrays, all four of them; and each port's
   optimizer, loss and metric, read from the TF1 graph and the compiled Keras model, are
   the article's with the profile's learning rate (tfport/recipe.py);
2. forward: the TF1 graph's weights put into the Keras model (and a Keras model's weights
   put into the TF1 graph) give the same outputs on the same batch;
3. evaluate: the same weights give the same test loss and accuracy through each API's
   evaluation of the whole test set (`legacy_tf1.session.evaluate`,
   `keras_models.program.evaluate`: what every port's `run` reports);
4. training: from the same weights, one step and then K steps on the same 256 training
   samples, each step one call of each port's own `train` (one epoch of one batch), give
   the same losses and the same new weights;
5. the training loop: from the same weights, two epochs of each port's own `train` on those
   samples in mini-batches of 96 (the last one short), in order (`Profile.shuffle` off),
   give the same per-epoch losses and the same weights: batching, epochs, the validation
   split and the loss averaging of both loops.

Where training differs because an API default differs (say Adam's epsilon), the check
names that default, sets the TF1 value on the Keras side and trains again: the ports are
equivalent when that run agrees. The note excuses only what comes after an update: the
first step's loss is computed from the same weights before any, and must agree as ported.
Every difference found this way is listed, with the test that measures it, in
docs/migration-notes.md.

This file is the checks' sequence and the defaults known to differ. What a check is, its
tolerances and table: tfport/verify_checks.py; both ports driven side by side (data, one
forward pass, one training step): tfport/verify_steps.py; bert_classifier's checks of its
pretrained checkpoint: tfport/verify_bert.py.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf

from tfport.contract import KerasPort, TF1Port
from tfport.examples import check_example, keras_port, keras_scaffold, tf1_port, tf1_scaffold
from tfport.profiles import Profile
from tfport.transfer import (keras_values, keras_variables, set_keras_weights,
                             set_tf1_weights, tf1_session, tf1_values)
from tfport.verify_checks import FORWARD_TOLERANCE, TRAINING_TOLERANCE, Check, max_difference
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

    @property
    def note(self) -> str:
        return f"{self.name}: TF1 {self.tf1}, Keras {self.keras}"


def known_defaults() -> list[DifferingDefault]:
    """The defaults `verify` knows to differ, with the values each API declares."""
    from tfport.bert_optimizer import AdamWeightDecay

    tf1_epsilon = _default_argument(tf.compat.v1.train.AdamOptimizer, "epsilon")
    keras_epsilon = _default_argument(keras.optimizers.Adam, "epsilon")

    def optimizer(model: object) -> object:
        return getattr(model, "optimizer", None)

    def without_bias_correction(model: object) -> None:
        model.compile(optimizer=AdamWeightDecay.like(model.optimizer), loss=model.loss,
                      metrics=["accuracy"])

    return [
        DifferingDefault(
            "Adam epsilon", tf1_epsilon, keras_epsilon,
            applies=lambda model: type(optimizer(model)) is keras.optimizers.Adam,
            match=lambda model: setattr(model.optimizer, "epsilon", tf1_epsilon)),
        # BERT's AdamWeightDecay against Keras's AdamW (tfport/bert_optimizer.py).
        DifferingDefault(
            "Adam bias correction", "off (BERT's AdamWeightDecay)", "on (keras AdamW)",
            applies=lambda model: type(optimizer(model)) is keras.optimizers.AdamW,
            match=without_bias_correction),
    ]


def verify(example_id: str, steps: int = STEPS, seed: int = 0,
           samples: int = SAMPLES) -> list[Check]:
    """Every check for one example; a check whose `passed` is False is a real difference.
    `samples`: how many training samples the training checks see (at least LOOP_BATCH + 1,
    so that the loop check has a short batch)."""
    tf1, new = tf1_port(example_id), keras_port(example_id)
    stepper, data_check = load_steps(example_id, tf1, new, steps, seed, samples)

    checks = [data_check] + _recipe_checks(example_id, tf1, new, stepper.built)
    if check_example(example_id).pretrained:
        from tfport.verify_bert import checkpoint_checks

        checks += checkpoint_checks(stepper)
    # 2. forward, TF1 -> Keras: the TF1 graph's initial weights, put into a Keras model
    with tf1_session(tf1, stepper.built, seed) as (sess, graph):
        initial = tf1_values(sess)
        tf1_output = stepper.tf1_forward(sess, graph)
    keras.utils.set_random_seed(seed + 1)
    model = new.build_model(stepper.built)
    set_keras_weights(keras_variables(example_id, model), initial)
    checks.append(Check("forward: TF1 weights in Keras",
                        max_difference(tf1_output, stepper.keras_forward(model)),
                        FORWARD_TOLERANCE))

    # ... and Keras -> TF1: a Keras model's own (different) initial weights, put into TF1
    keras.utils.set_random_seed(seed + 1)
    model = new.build_model(stepper.built)
    keras_initial = keras_values(keras_variables(example_id, model))
    with tf1_session(tf1, stepper.built, seed) as (sess, graph):
        set_tf1_weights(sess, keras_initial)
        tf1_output = stepper.tf1_forward(sess, graph)
    checks.append(Check("forward: Keras weights in TF1",
                        max_difference(tf1_output, stepper.keras_forward(model)),
                        FORWARD_TOLERANCE))
    if not stepper.one_neuron:  # 3. evaluate: the TF1 graph's weights, the whole test set
        checks += _evaluate_checks(stepper, initial)

    # 4. and 5. training from the same weights on the same samples, as ported ...
    keras.utils.set_random_seed(seed)
    defaults = [d for d in known_defaults() if d.applies(new.build_model(stepper.built))]
    note = "; ".join(default.note for default in defaults)
    # (the two-epoch loop as ported only where no default differs: where one does, it
    # differs for that reason, and the matched run below checks the loop)
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
    """From the same weights (the TF1 graph's initial ones), the largest |loss| and |weight|
    differences between the ports after `steps` training steps on the same samples, or
    (`loop`) after two epochs of each port's `train` in batches of 96, in order unless
    `shuffle`. For the notebooks' exercises: `tf1` and `new` are port modules (by default the
    installed ones; a notebook passes those its cells define), `change` is applied to the
    Keras model once built (say, an optimizer setting); `data`: the profile whose data they
    train on (bert_classifier: "article", two sentences, where the quick profile tokenizes
    4,000 movie reviews first)."""
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
    """The static checks (tfport/recipe.py): each port's optimizer, loss and metric, read from
    the TF1 graph and the compiled model, against the article's recipe and the profile."""
    from tfport import recipe

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


def _evaluate_checks(stepper: Steps, weights: dict[str, np.ndarray]) -> list[Check]:
    with tf1_session(stepper.tf1, stepper.built, stepper.seed) as (sess, graph):
        set_tf1_weights(sess, weights)
        tf1_loss, tf1_accuracy = tf1_scaffold().evaluate(sess, graph, stepper.x_test,
                                                         stepper.y_test)
    model = stepper.new.build_model(stepper.built)
    set_keras_weights(keras_variables(stepper.example_id, model), weights)
    keras_loss, keras_accuracy = keras_scaffold().evaluate(model, stepper.keras_x_test,
                                                           stepper.y_test)
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

    def weights_difference(step: int) -> float:
        return max(max_difference(tf1_weights[step][name], keras_weights[step][name])
                   for name in tf1_weights[step])

    k = steps
    return [
        # computed before the first update: from the same weights, whatever the optimizer
        Check(f"1 step, {label}: loss", max_difference(tf1_losses[:1], keras_losses[:1]),
              TRAINING_TOLERANCE),
        Check(f"1 step, {label}: weights", weights_difference(0), TRAINING_TOLERANCE, note),
        Check(f"{k} steps, {label}: losses", max_difference(tf1_losses, keras_losses),
              TRAINING_TOLERANCE, note),
        Check(f"{k} steps, {label}: weights", weights_difference(k - 1), TRAINING_TOLERANCE, note),
    ] + ([] if stepper.one_neuron or not loop else
         _loop_checks(stepper, initial, label, note, match))


def _loop_checks(stepper: Steps, initial: dict[str, np.ndarray], label: str, note: str,
                 match: list[DifferingDefault], shuffle: bool = False) -> list[Check]:
    """Two epochs of each port's own `train`, mini-batches in order (unless `shuffle`: each
    API's own shuffling), from the same weights."""
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
        Check(f"{name}: weights", max(max_difference(tf1_weights[n], keras_weights[n])
                                      for n in tf1_weights), TRAINING_TOLERANCE, note),
    ]


def _default_argument(function: Callable, name: str) -> object:
    return inspect.signature(function).parameters[name].default
