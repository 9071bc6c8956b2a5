"""Where a training step's time goes, TF1 against Keras 3, from TensorFlow's own profiler.

    python benchmarks/profile_ops.py [cnn_sparse|mlp_gd] [--steps N] [--out FILE]

Trains the example at its article batch size under `tf.profiler.experimental`, once per
setting (after one untraced warm-up pass), reads the trace (the XPlane protobuf that
TensorBoard's profiler shows) and adds up the time of every TensorFlow op by what it is
for: the model's forward and backward pass, the loss, the optimizer's update, Keras's
metrics, and the rest. Op times are summed over TensorFlow's threads, so on two cores they
can add up to more than the wall time. The settings:

- the TF1 port's training loop, as written (`feed_dict` per step);
- `fit` as the Keras port called it before `tfport bench` (NumPy arrays, one step per call
  of the training function);
- `fit` as the Keras port calls it now: with its `steps_per_execution` (mini-batch
  examples), or on a `tf.data` dataset holding the whole training set as its one batch
  (full-batch examples).

It prints a Markdown table (and writes it to --out): milliseconds per training step by
category, and the wall time per step.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import glob
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: E402

import legacy_tf1  # noqa: E402,F401
from tfport.compare import markdown_table  # noqa: E402
from tfport.examples import modules  # noqa: E402
from tfport.profiles import get_profile  # noqa: E402
from tfport.results import write_report  # noqa: E402

# (category, pattern of an op's name that puts it there), first match wins. TF1 names
# come from the graph ("Adam/update_dense/kernel/ResourceApplyAdam"), Keras's from its
# name scopes inside the training function (".../adam_1/Sqrt_5", ".../compile_loss/...").
CATEGORIES = [
    ("optimizer update", r"(^|/)(Adam|adam|GradientDescent|SGD|sgd)(_\d+)?/"),
    ("loss", r"compile_loss|CrossEntropy|cross_entropy|(^|/)Mean"),
    ("model: forward and backward", r"conv2d|dense|max_pooling|flatten|(^|/)gradients/|gradient_tape|sequential"),
]


def categorise(op_name: str) -> str:
    for category, pattern in CATEGORIES:
        if re.search(pattern, op_name):
            return category
    return "other ops (Keras: metrics, step counters, loop control)"


def op_times(logdir: str) -> dict[str, float]:
    """Seconds per category from the newest trace in `logdir`: every TensorFlow op event
    ('name:type') on the compute threads, the input pipeline's threads apart."""
    path = sorted(glob.glob(f"{logdir}/plugins/profile/*/*.xplane.pb"))[-1]
    space = xplane_pb2.XSpace()
    space.ParseFromString(Path(path).read_bytes())
    totals: dict[str, float] = collections.defaultdict(float)
    for plane in space.planes:
        for line in plane.lines:
            for event in line.events:
                name = plane.event_metadata[event.metadata_id].name
                if line.name.startswith("tf_data") and name.startswith("Iterator::Root") \
                        and name.count("::") == 1:
                    totals["input pipeline (tf.data threads)"] += event.duration_ps / 1e12
                elif line.name.startswith("tf_Compute") and ":" in name \
                        and not name.startswith(("Executor", "ThreadpoolListener")):
                    totals[categorise(name)] += event.duration_ps / 1e12
    return totals


def traced(train, steps: int) -> tuple[dict[str, float], float]:
    train()  # warm-up: graph optimisation, tf.function tracing
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        train()
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        totals = op_times(logdir)
    return {key: seconds / steps for key, seconds in totals.items()}, wall / steps


def settings(example_id: str, train_size: int):
    tf1_port, keras_port = modules(example_id)
    profile = dataclasses.replace(get_profile(example_id, "article"), epochs=1,
                                  train_size=train_size)
    x_tf1, y_tf1, _, _ = tf1_port.load_data(profile)
    x_keras, y_keras, _, _ = keras_port.load_data(profile)
    batch = profile.batch_size or len(x_tf1)
    steps = -(-len(x_tf1) // batch)

    graph = tf.Graph()
    with graph.as_default():
        session = tf.compat.v1.Session(graph=graph)
        model = tf1_port.build_model(profile.learning_rate)
        session.run(tf.compat.v1.global_variables_initializer())

    def tf1_train():
        with graph.as_default():
            for begin in range(0, len(x_tf1), batch):
                tf1_port.train_step(session, model, x_tf1[begin:begin + batch],
                                    y_tf1[begin:begin + batch])

    def keras_train(steps_per_execution: int):
        keras.utils.set_random_seed(0)
        keras_model = keras_port.build_model(profile.learning_rate)
        keras_model.steps_per_execution = steps_per_execution
        return lambda: keras_model.fit(x_keras, y_keras, batch_size=batch, epochs=1,
                                       shuffle=profile.batch_size is not None, verbose=0)

    def keras_dataset_train():
        keras.utils.set_random_seed(0)
        keras_model = keras_port.build_model(profile.learning_rate)
        dataset = tf.data.Dataset.from_tensors((x_keras, y_keras))
        return lambda: keras_model.fit(dataset, epochs=1, shuffle=False, verbose=0)

    trainers = {"tf1 feed_dict (the TF1 port)": tf1_train}
    if profile.batch_size is None:
        trainers["keras fit on NumPy (the port before)"] = keras_train(1)
        trainers["keras fit on tf.data (the port)"] = keras_dataset_train()
    else:
        trainers["keras fit, 1 step per call (the port before)"] = keras_train(1)
        trainers["keras fit, steps_per_execution (the port)"] = keras_train(
            keras_port.steps_per_execution)
    return steps, trainers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("example", nargs="?", default="cnn_sparse", choices=["cnn_sparse", "mlp_gd"])
    parser.add_argument("--train-size", type=int, default=None,
                        help="training images to trace (default: 12,800 for mini-batch, all for full batch)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    full_batch = get_profile(args.example, "article").full_batch
    train_size = args.train_size or (None if full_batch else 12800)
    steps, trainers = settings(args.example, train_size)
    if full_batch:  # a full-batch "epoch" is one step: trace ten of them
        trainers = {name: (lambda train=train: [train() for _ in range(10)])
                    for name, train in trainers.items()}
        steps = 10
    results = {}
    for name, train in trainers.items():
        print(f"tracing {name} ...", file=sys.stderr, flush=True)
        results[name] = traced(train, steps)
    categories = [c for c, _ in CATEGORIES] + [categorise(""), "input pipeline (tf.data threads)"]
    rows = [[category, *(f"{results[name][0].get(category, 0.0) * 1e3:.3f}" for name in results)]
            for category in categories]
    rows.append(["all ops (summed over threads)",
                 *(f"{sum(results[name][0].values()) * 1e3:.3f}" for name in results)])
    rows.append(["wall time per step",
                 *(f"{results[name][1] * 1e3:.3f}" for name in results)])
    write_report(
        f"Where a `{args.example}` training step's time goes (ms per step)",
        "benchmarks/profile_ops.py", argv,
        f"Article batch size, {steps} steps traced per setting after one warm-up pass; op "
        "times from `tf.profiler.experimental`, summed over threads.",
        markdown_table(["", *results], rows), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
