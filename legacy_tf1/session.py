"""The TF1 session scaffold: one graph and one seeded Session per run, and the run itself.

TF1 programs built into the default graph and ran it in a `tf.Session`. Here each run gets
its own `tf.Graph()` and Session, so that a port can run twice in one process and Keras 3
keeps eager execution beside it (`tf.compat.v1.disable_eager_execution()` would switch it
off for the whole process). `run_program` is the program every TF1 port's `run` follows:
load the data, build the graph, initialize, train, evaluate, predict.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding
from tfport import runtime, steplog
from tfport.contract import Arrays, Ran
from tfport.profiles import Profile
from tfport.results import RunClock, make_result, number


# Where the Session of the runs inside `saving_checkpoint` saves its variables; None: nowhere.
_SAVE_TO: contextvars.ContextVar[Path | None] = contextvars.ContextVar("save_to", default=None)


@contextlib.contextmanager
def saving_checkpoint(prefix: str | Path) -> Iterator[None]:
    """Every run inside the block saves its variables (weights and optimizer state) with a
    `tf.compat.v1.train.Saver` at the path prefix `prefix` when its Session ends without an
    error: what `tfport convert-checkpoint` turns into Keras weights."""
    token = _SAVE_TO.set(Path(prefix))
    try:
        yield
    finally:
        _SAVE_TO.reset(token)


@contextlib.contextmanager
def new_session(seed: int) -> Iterator[tf.compat.v1.Session]:
    """A fresh graph as the default graph, a Session on it, and the seeds set (the graph seed
    is also where `feeding.shuffled_epochs` draws each epoch's order from)."""
    runtime.use_legacy_keras()  # tf.compat.v1.layers run on tf-keras
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        # TF 2.x: tf.compat.v1.layers take their initializers from tf-keras, which draws
        # their seeds from Python's `random`, not from the graph seed set above.
        random.seed(seed)
        yield sess
        if _SAVE_TO.get() is not None:
            tf.compat.v1.train.Saver().save(sess, str(_SAVE_TO.get()))


def parameter_count() -> int:
    """The number of trainable values in the default graph."""
    return sum(int(np.prod(v.shape)) for v in tf.compat.v1.trainable_variables())


def run_program(example: str, load_data: Callable[[Profile], Arrays], build_model: Callable,
                train: Callable, profile: Profile, seed: int, verbose: int,
                extra: dict[str, Any] | None = None) -> Ran:
    """Load the data, build the graph, initialize it, train, then evaluate the test set and
    predict it, fed in batches of 1000 (`feeding`), with a TF1 port's functions."""
    clock = RunClock()
    x_train, y_train, x_test, y_test = load_data(profile)
    with new_session(seed) as sess:
        graph = build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())
        with clock.training(), steplog.recording() as step_log:  # feeding logs every few steps
            history = train(sess, graph, x_train, y_train, profile, verbose)
        # 评估模型 (evaluate) and 预测 (predict)
        test_loss, test_accuracy = evaluate(sess, graph, x_test, y_test)
        predictions = feeding.predict_in_batches(sess, graph, x_test)
        param_count = parameter_count()
    if verbose:
        print(f"Test loss: {number(test_loss)}, test accuracy: {number(test_accuracy)}")
    result = make_result(example=example, api="tf1", profile=profile, seed=seed, clock=clock,
                         test_loss=test_loss, test_accuracy=test_accuracy, history=history,
                         train_size=len(x_train), param_count=param_count, labels=y_test,
                         predictions=predictions, extra=extra, step_log=step_log)
    return Ran(result, x_train, y_train, x_test, y_test, predictions)


def evaluate(sess: tf.compat.v1.Session, graph: Any, x: np.ndarray,
             y: np.ndarray) -> tuple[float, float]:
    """The graph's loss and accuracy over (x, y), fed in batches of 1000."""
    return feeding.evaluate_in_batches(sess, graph, x, y)
