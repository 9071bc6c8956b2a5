"""Is the optimizer what keeps Keras behind TF1 on cnn_sparse? An interleaved A/B test.

    python benchmarks/optimizer_ab.py [--rounds N] [--out FILE]

Trains `cnn_sparse` at its article settings (60,000 images, batches of 32) for one epoch
at a time, in four settings built once and then timed in turn, round after round: the TF1
port and the Keras port (as they are, with Adam), and both again with plain gradient
descent in place of Adam (`GradientDescentOptimizer` / `SGD`, same learning rate). If the
Keras / TF1 ratio falls to about 1 without Adam, what is left between the ports is how
each API implements Adam: TF1 runs one fused `ResourceApplyAdam` kernel per variable,
Keras 3 about a dozen element-wise ops (`keras/src/optimizers/adam.py`).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

from tfport import runtime  # noqa: E402

runtime.quiet_start()
import dataclasses as _dc  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_models import cnn_sparse as keras_port  # noqa: E402
from legacy_tf1 import cnn_sparse as tf1_port  # noqa: E402
from legacy_tf1 import session as tf1_session  # noqa: E402
from tfport.profiles import get_profile  # noqa: E402
from tfport.report import script_report  # noqa: E402
from tfport.tables import markdown_table, median_range  # noqa: E402

PROFILE = dataclasses.replace(get_profile("cnn_sparse", "article"), epochs=1)


def tf1_setting(plain_gradient_descent: bool):
    x, y, _, _ = tf1_port.load_data(PROFILE)
    scaffold = tf1_session.new_session(0)
    session = scaffold.__enter__()  # kept open for the script's life
    model = tf1_port.build_model(PROFILE)
    if plain_gradient_descent:
        model = _dc.replace(model, train_op=tf.compat.v1.train.GradientDescentOptimizer(
            PROFILE.learning_rate).minimize(model.loss))
    session.run(tf.compat.v1.global_variables_initializer())
    graph = session.graph

    def epoch(seed: int) -> None:
        with graph.as_default():
            tf1_port.train(session, model, x, y, PROFILE, seed, verbose=0)
    return epoch


def keras_setting(plain_gradient_descent: bool):
    x, y, _, _ = keras_port.load_data(PROFILE)
    keras.utils.set_random_seed(0)
    model = keras_port.build_model(PROFILE)
    if plain_gradient_descent:
        model.compile(optimizer=keras.optimizers.SGD(PROFILE.learning_rate),
                      loss=model.loss, metrics=["accuracy"])
    return lambda seed: keras_port.train(model, x, y, PROFILE, verbose=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = {
        ("Adam", "tf1"): tf1_setting(False), ("Adam", "keras"): keras_setting(False),
        ("gradient descent", "tf1"): tf1_setting(True),
        ("gradient descent", "keras"): keras_setting(True),
    }
    times: dict[tuple[str, str], list[float]] = {key: [] for key in settings}
    for key, epoch in settings.items():  # warm-up: graph optimisation, tracing
        epoch(0)
    for round_index in range(args.rounds):
        for key, epoch in settings.items():
            start = time.perf_counter()
            epoch(round_index + 1)
            times[key].append(time.perf_counter() - start)
        print(f"round {round_index + 1}/{args.rounds}: "
              + ", ".join(f"{o}/{a} {times[(o, a)][-1]:.2f} s" for o, a in settings),
              file=sys.stderr, flush=True)
    rows = []
    for optimizer in ("Adam", "gradient descent"):
        tf1, keras_times = times[(optimizer, "tf1")], times[(optimizer, "keras")]
        ratios = [k / t for k, t in zip(keras_times, tf1)]
        rows.append([optimizer, f"{statistics.median(tf1):.2f}", f"{statistics.median(keras_times):.2f}",
                     median_range(ratios)])
    script_report(
        "cnn_sparse: Keras / TF1 with Adam and with plain gradient descent",
        "benchmarks/optimizer_ab.py", argv,
        f"One epoch of the article's settings per measurement, {args.rounds} rounds, the four "
        "settings interleaved; ratio taken round by round.",
        markdown_table(["optimizer", "tf1 s per epoch (median)", "keras s per epoch (median)",
                        "keras / tf1 (median, range)"], rows),
        args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
