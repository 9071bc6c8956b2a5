"""The Keras run scaffold: the program every Keras port's `run` follows.

Load the data, seed Keras, build and compile the model, `fit`, `evaluate`, `predict`, and
keep the numbers in the one result record, with the loss every few steps (`tfport.steplog`)
taken by a callback that the scaffold adds to the port's `fit`. The twin of `legacy_tf1/session.py`, without a
graph or a Session: Keras 3 runs eagerly and compiles its own training function.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

import keras

from tfport import steplog
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
    with clock.training(), logging_steps(model) as step_log:
        history = train(model, x_train, y_train, profile, verbose)
    # 评估模型 (evaluate) and 预测 (predict)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    predictions = model.predict(x_test, batch_size=1000, verbose=0)
    if verbose:
        print(f"Test loss: {number(test_loss)}, test accuracy: {number(test_accuracy)}")
    result = make_result(example=example, api="keras", profile=profile, seed=seed, clock=clock,
                         test_loss=test_loss, test_accuracy=test_accuracy, history=history,
                         train_size=len(x_train), param_count=model.count_params(),
                         labels=y_test, predictions=predictions, extra=extra,
                         step_log=step_log)
    return Ran(result, x_train, y_train, x_test, y_test, predictions)


def evaluate(model: keras.Model, x: Any, y: Any) -> tuple[float, float]:
    """The compiled loss and accuracy over (x, y), in batches of 1000."""
    loss, accuracy = model.evaluate(x, y, batch_size=1000, verbose=0)
    return float(loss), float(accuracy)


class StepLossCallback(keras.callbacks.Callback):
    """Hands `logs["loss"]` after each batch (the epoch's mean loss so far, as the progress
    bar shows it) to the open `tfport.steplog` log."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        steps = self.params.get("steps") or batch + 1  # a data set of unknown length: as it goes
        steplog.batch_end(self.epoch, batch, steps, float(logs["loss"]))


@contextlib.contextmanager
def logging_steps(model: keras.Model) -> Iterator[steplog.StepLog]:
    """For the block, every `model.fit` also runs a `StepLossCallback`, so that the port's
    `fit` call stays the article's. Undone when the block ends."""
    fit = model.fit

    def fit_logging_steps(*args: Any, callbacks: list | None = None, **kwargs: Any) -> Any:
        return fit(*args, callbacks=[*(callbacks or []), StepLossCallback()], **kwargs)

    with steplog.recording() as log:
        model.fit = fit_logging_steps
        try:
            yield log
        finally:
            del model.fit
