"""The Keras run scaffold: the program every Keras port's `run` follows.

Load the data, seed Keras, build and compile the model, `fit`, `evaluate`, `predict`, and
keep the numbers in the one result record. The twin of `legacy_tf1/session.py`, without a
graph or a Session: Keras 3 runs eagerly and compiles its own training function.
"""

from __future__ import annotations

from typing import Any, Callable

import keras

from tfport.contract import Arrays, Ran
from tfport.profiles import Profile
from tfport.results import RunClock, make_result, number


def run_program(example: str, load_data: Callable[[Profile], Arrays], build_model: Callable,
                train: Callable, profile: Profile, seed: int, verbose: int,
                extra: dict[str, Any] | None = None) -> Ran:
    """Load the data, seed Keras, build the model, train, then `evaluate` and `predict` the
    test set in batches of 1000, with a Keras port's functions."""
    clock = RunClock()
    x_train, y_train, x_test, y_test = load_data(profile)
    keras.utils.set_random_seed(seed)
    model = build_model(profile)
    with clock.training():
        history = train(model, x_train, y_train, profile, verbose)
    # 评估模型 (evaluate) and 预测 (predict)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    predictions = model.predict(x_test, batch_size=1000, verbose=0)
    if verbose:
        print(f"Test loss: {number(test_loss)}, test accuracy: {number(test_accuracy)}")
    result = make_result(example=example, api="keras", profile=profile, seed=seed, clock=clock,
                         test_loss=test_loss, test_accuracy=test_accuracy, history=history,
                         train_size=len(x_train), param_count=model.count_params(),
                         labels=y_test, predictions=predictions, extra=extra)
    return Ran(result, (x_train, y_train, x_test, y_test), predictions)


def evaluate(model: keras.Model, x: Any, y: Any) -> tuple[float, float]:
    """The compiled loss and accuracy over (x, y), in batches of 1000."""
    loss, accuracy = model.evaluate(x, y, batch_size=1000, verbose=0)
    return float(loss), float(accuracy)
