"""`tfport verify ID`: are the two ports of an example the same model, number by number?

What each check means: docs/verify.md; tolerances: tfport/verify_checks.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import keras

from tfport import recipe
from tfport.contract import KerasPort, TF1Port
from tfport.examples import check_example, keras_port, keras_scaffold, tf1_port, tf1_scaffold
from tfport.profiles import Profile
from tfport.transfer import keras_values, keras_variables, tf1_session
from tfport.verify_bert import checkpoint_checks
from tfport.verify_checks import (FORWARD_TOLERANCE, TRAINING_TOLERANCE, Check, max_difference,
                                  weights_difference)
from tfport.verify_steps import DifferingDefault, Steps, differing_defaults, load_steps

STEPS = 5  # K
SAMPLES = 256  # the training samples every verification step sees (over LOOP_BATCH)
LOOP_BATCH = 96  # the training-loop check's batch: 256 = 2 x 96 + 64, so one batch is short
LOOP_EPOCHS = 2


def verify(example_id: str, steps: int = STEPS, seed: int = 0,
           samples: int = SAMPLES) -> list[Check]:
    """Every check for one example; a check whose `passed` is False is a real difference."""
    tf1, new = tf1_port(example_id), keras_port(example_id)
    stepper, data_check = load_steps(example_id, tf1, new, steps, seed, samples)
    checks = [data_check] + _recipe_checks(example_id, tf1, new, stepper.built)
    if check_example(example_id).pretrained:
        checks += checkpoint_checks(stepper)
    # forward, both ways: the TF1 graph's initial weights, and a Keras model's (different) ones
    initial = stepper.initial
    keras.utils.set_random_seed(seed + 1)
    keras_initial = keras_values(keras_variables(example_id, new.build_model(stepper.built)))
    for weights, name in ((initial, "TF1 weights in Keras"),
                          (keras_initial, "Keras weights in TF1")):
        outputs = stepper.with_weights(weights, stepper.tf1_forward, stepper.keras_forward)
        checks.append(Check(f"forward: {name}", max_difference(*outputs), FORWARD_TOLERANCE))
    if not stepper.one_neuron:  # evaluate: the TF1 graph's weights, the whole test set
        x_test, keras_x_test, y_test = stepper.x_test, stepper.keras_x_test, stepper.y_test
        figures = stepper.with_weights(  # (loss, accuracy) of each port
            initial, lambda sess, graph: tf1_scaffold().evaluate(sess, graph, x_test, y_test),
            lambda model: keras_scaffold().evaluate(model, keras_x_test, y_test))
        for measure, tf1_figure, keras_figure in zip(("loss", "accuracy"), *figures):
            checks.append(Check(f"evaluate, {len(y_test)} test samples: {measure}",
                                abs(tf1_figure - keras_figure), FORWARD_TOLERANCE))

    # training from the same weights on the same samples, as ported ...
    keras.utils.set_random_seed(seed)
    defaults = differing_defaults(new.build_model(stepper.built))
    note = "; ".join(f"{d.name}: TF1 {d.tf1}, Keras {d.keras}" for d in defaults)
    # (the loop as ported only where no default differs: the matched run checks it otherwise)
    checks += _training_checks(stepper, steps, "as ported", note, loop=not defaults)
    # ... and with every differing default set to TF1's value in Keras
    if defaults:
        label = ", ".join(f"{d.name} {d.tf1} in both" for d in defaults)
        checks += _training_checks(stepper, steps, label, "", defaults)
    return checks


def training_gaps(example_id: str, tf1: TF1Port | None = None, new: KerasPort | None = None,
                  steps: int = 1, change: Callable[[Any], None] | None = None,
                  loop: bool = False, shuffle: bool = False, seed: int = 0,
                  samples: int = SAMPLES, data: str = "quick") -> dict[str, float]:
    """The largest |loss| and |weight| differences after `steps` steps (or, `loop`, two epochs)
    from the same weights: the notebooks' exercises, whose cells may pass their own port modules
    and a `change` to the Keras model once built, on the `data` profile's data."""
    stepper, _ = load_steps(example_id, tf1 or tf1_port(example_id),
                            new or keras_port(example_id), steps, seed, samples, data)
    edits = [DifferingDefault("exercise", None, None, change)] if change else []
    if loop:
        checks = _loop_checks(stepper, "", "", edits, shuffle)
    else:
        checks = _training_checks(stepper, steps, "", "", edits, loop=False)[-2:]
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


def _training_checks(stepper: Steps, steps: int, label: str, note: str,
                     match: Sequence[DifferingDefault] = (), loop: bool = True) -> list[Check]:
    """One step and `steps` steps from the same weights, then (`loop`) each port's own loop."""
    (tf1_losses, tf1_weights), (keras_losses, keras_weights) = stepper.with_weights(
        stepper.initial, lambda sess, graph: stepper.tf1_steps(sess, graph, steps),
        lambda model: stepper.keras_steps(model, steps), match=match)
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
         _loop_checks(stepper, label, note, match))


def _loop_checks(stepper: Steps, label: str, note: str, match: Sequence[DifferingDefault],
                 shuffle: bool = False) -> list[Check]:
    """Two epochs of each port's own `train` from the same weights, in order unless `shuffle`."""
    profile = dataclasses.replace(
        stepper.profile, epochs=LOOP_EPOCHS, shuffle=shuffle,
        batch_size=None if stepper.profile.full_batch else LOOP_BATCH)
    (tf1_losses, tf1_weights), (keras_losses, keras_weights) = stepper.with_weights(
        stepper.initial, lambda sess, graph: stepper.tf1_steps(sess, graph, 1, profile),
        lambda model: stepper.keras_steps(model, 1, profile), profile, match)
    batches = "full batch" if profile.full_batch else f"batches of {LOOP_BATCH} in order"
    name = f"train(), {LOOP_EPOCHS} epochs, {batches}, {label}"
    return [
        Check(f"{name}: losses", max_difference(tf1_losses, keras_losses), TRAINING_TOLERANCE,
              note),
        Check(f"{name}: weights", weights_difference(tf1_weights[0], keras_weights[0]),
              TRAINING_TOLERANCE, note),
    ]
