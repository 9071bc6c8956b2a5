"""Where a training step's time goes, TF1 against Keras 3, from TensorFlow's own profiler.

    python benchmarks/profile_ops.py [cnn_sparse|mlp_gd] [--steps N] [--out FILE]

Trains the example at its article batch size under `tf.profiler.experimental`, once per
setting (after one untraced warm-up pass), reads the trace (the XPlane protobuf that
TensorBoard's profiler shows) and adds up the time of every TensorFlow op by what it is
for: the model's forward and backward pass, the loss, the optimizer's update, Keras's
metrics, and the rest. Op times are summed over TensorFlow's threads, so on two cores they
can add up to more than the wall time. The settings:

- the TF1 port's training step, as written (`feed_dict` per step);
- the Keras port's own training: `fit` on the NumPy arrays, one step per call of the
  training function (mini-batch), or `train_on_batch` a step (full batch);
- for a mini-batch example, a faster `fit` (a `tfport bench` variant): 100 steps per
  call; for a full-batch one (the port steps with `train_on_batch`), `fit` on the NumPy
  arrays with `batch_size=len(x)`, one step an epoch, as the port was written before;
- `keras fast`, the benchmark's fastest Keras variant (`tfport.backends.fast_fit_input`:
  a `tf.data` pipeline and one call of the training function per epoch).

It prints two Markdown tables (and writes them to --out): milliseconds per training step
by category, with the wall time per step; and by op type (the kernel TensorFlow ran, with
how many of it a step ran), which is where the two APIs' steps differ op by op.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import glob
import re
import sys
import tempfile
import time
from pathlib import Path

from tfport import runtime  # noqa: E402

runtime.quiet_start()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: E402

from tfport import backends  # noqa: E402
from tfport.examples import keras_port, tf1_port  # noqa: E402
from tfport.measure import STEPS_PER_EXECUTION  # noqa: E402
from tfport.profiles import get_profile  # noqa: E402
from tfport.report import script_report  # noqa: E402
from tfport.tables import markdown_table  # noqa: E402

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


def op_times(logdir: str) -> tuple[dict[str, float], dict[str, float], dict[str, int]]:
    """From the newest trace in `logdir`, every TensorFlow op event ('name:type') on the
    compute threads (the input pipeline's threads apart): seconds per category, seconds per
    op type, and how many ops of each type ran."""
    path = sorted(glob.glob(f"{logdir}/plugins/profile/*/*.xplane.pb"))[-1]
    space = xplane_pb2.XSpace()
    space.ParseFromString(Path(path).read_bytes())
    totals: dict[str, float] = collections.defaultdict(float)
    by_type: dict[str, float] = collections.defaultdict(float)
    counts: collections.Counter = collections.Counter()
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
                    op_type = name.rsplit(":", 1)[1]
                    by_type[op_type] += event.duration_ps / 1e12
                    counts[op_type] += 1
    return totals, by_type, counts


@dataclasses.dataclass
class Traced:
    """One setting's step, per training step: seconds by category and by op type, ops of
    each type, and the wall time."""
    by_category: dict[str, float]
    by_type: dict[str, float]
    count: dict[str, float]
    wall_s: float


def traced(train, steps: int) -> Traced:
    train()  # warm-up: graph optimisation, tf.function tracing
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        start = time.perf_counter()
        train()
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        totals, by_type, counts = op_times(logdir)
    return Traced({key: seconds / steps for key, seconds in totals.items()},
                  {key: seconds / steps for key, seconds in by_type.items()},
                  {key: count / steps for key, count in counts.items()}, wall / steps)


def by_op_type(results: dict[str, Traced], shown: int = 16) -> str:
    """The op types that took the most time in any setting: ms per step (ops per step)."""
    slowest = sorted({op for r in results.values() for op in r.by_type},
                     key=lambda op: -max(r.by_type.get(op, 0.0) for r in results.values()))
    rows = [[op, *(f"{r.by_type[op] * 1e3:.3f} ({r.count[op]:.1f})" if op in r.by_type else ""
                   for r in results.values())] for op in slowest[:shown]]
    rest = slowest[shown:]
    rows.append([f"the other {len(rest)} op types",
                 *(f"{sum(r.by_type.get(op, 0.0) for op in rest) * 1e3:.3f}"
                   for r in results.values())])
    return markdown_table(["op type: ms per step (ops per step)", *results], rows)


def settings(example_id: str, train_size: int):
    tf1, new = tf1_port(example_id), keras_port(example_id)
    profile = dataclasses.replace(get_profile(example_id, "article"), epochs=1,
                                  train_size=train_size)
    x_tf1, y_tf1, _, _ = tf1.load_data(profile)
    x_keras, y_keras, _, _ = new.load_data(profile)
    batch = profile.batch_size or len(x_tf1)
    steps = -(-len(x_tf1) // batch)

    runtime.use_legacy_keras()
    graph = tf.Graph()
    with graph.as_default():
        session = tf.compat.v1.Session(graph=graph)
        model = tf1.build_model(profile)
        session.run(tf.compat.v1.global_variables_initializer())

    def tf1_train():
        with graph.as_default():
            for begin in range(0, len(x_tf1), batch):
                session.run([model.train_op, model.loss],
                            feed_dict={model.X: x_tf1[begin:begin + batch],
                                       model.Y: y_tf1[begin:begin + batch]})

    def keras_train(steps_per_execution: int):
        keras.utils.set_random_seed(0)
        keras_model = new.build_model(profile)
        keras_model.steps_per_execution = steps_per_execution
        return lambda: keras_model.fit(x_keras, y_keras, batch_size=batch, epochs=1,
                                       shuffle=profile.batch_size is not None, verbose=0)

    def keras_port_train():
        keras.utils.set_random_seed(0)
        keras_model = new.build_model(profile)
        return lambda: new.train(keras_model, x_keras, y_keras, profile, verbose=0)

    def keras_fast_train():
        keras.utils.set_random_seed(0)
        keras_model = new.build_model(profile)
        data, arguments = backends.fast_fit_input(keras_model, x_keras, y_keras,
                                                  profile.batch_size, seed=0)
        return lambda: keras_model.fit(*data, epochs=1, verbose=0, **arguments)

    trainers = {"tf1 feed_dict (the TF1 port)": tf1_train}
    if profile.batch_size is None:
        trainers["keras train_on_batch (the port)"] = keras_port_train()
        trainers["keras fit on NumPy"] = keras_train(1)
    else:
        trainers["keras fit, 1 step per call (the port)"] = keras_train(1)
        trainers[f"keras fit, {STEPS_PER_EXECUTION} steps/call"] = keras_train(STEPS_PER_EXECUTION)
    trainers["keras fast"] = keras_fast_train()
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
    rows = [[category, *(f"{r.by_category.get(category, 0.0) * 1e3:.3f}" for r in results.values())]
            for category in categories]
    rows.append(["all ops (summed over threads)",
                 *(f"{sum(r.by_category.values()) * 1e3:.3f}" for r in results.values())])
    rows.append(["wall time per step", *(f"{r.wall_s * 1e3:.3f}" for r in results.values())])
    script_report(
        f"Where a `{args.example}` training step's time goes (ms per step)",
        "benchmarks/profile_ops.py", argv,
        f"Article batch size, {steps} steps traced per setting after one warm-up pass; op "
        "times from `tf.profiler.experimental`, summed over threads.",
        markdown_table(["", *results], rows) + "\n\nBy op type (the kernels TensorFlow ran; "
        "`_Mkl...` are oneDNN's; a fused op counts once):\n\n" + by_op_type(results), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
