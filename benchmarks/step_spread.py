"""Why do Keras's epochs spread wider than TF1's? Every step of cnn_sparse, timed one by one.

    python benchmarks/step_spread.py [--train-size 12800] [--rounds 5] [--out docs/bench]

`tfport bench` times whole epochs in fresh processes; this times each training step of
`cnn_sparse` at the article's batch size, in one process, the settings interleaved
`--rounds` times (one epoch of `--train-size` images each, after a warm-up epoch):

1. `tf1 feed_dict`: the TF1 port's step, one `sess.run([train_op, loss], feed_dict)`;
2. `keras fit (port)`: the Keras port's `fit`, one step per call of its training function,
   each step's end taken by a callback's `on_train_batch_end`;
3. the same with Python's garbage collector off during the epoch (`gc.disable()`): if
   Keras's slow steps are collections of the many small Python objects `fit` makes per step
   (logs, callback arguments, iterator state), they go away here.

For each: the median step, its 90th and 99th percentile and the slowest step, the share of
the epoch spent in steps slower than twice the median (the tail), and the epochs' own
spread over rounds. A spread that comes from a tail of slow steps is Python or the machine
pausing the loop; one that comes from uniformly slower epochs is the steps themselves.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=12800)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", default=None, help="write step-spread.md here")
    args = parser.parse_args()

    from tfport import runtime

    runtime.quiet_start()
    import keras
    import tensorflow as tf

    from keras_models import cnn_sparse as keras_port
    from legacy_tf1 import cnn_sparse as tf1_port
    from tfport.profiles import get_profile
    from tfport.report import script_report
    from tfport.tables import markdown_table

    profile = dataclasses.replace(get_profile("cnn_sparse", "article"), epochs=1,
                                  train_size=args.train_size)
    x_tf1, y_tf1, _, _ = tf1_port.load_data(profile)
    x_keras, y_keras, _, _ = keras_port.load_data(profile)
    batch = profile.batch_size

    # The TF1 graph is the default graph only while its steps run: Keras runs eagerly beside it.
    runtime.use_legacy_keras()
    tf1_graph = tf.Graph()
    with tf1_graph.as_default():
        tf.compat.v1.set_random_seed(0)
        random.seed(0)
        sess = tf.compat.v1.Session(graph=tf1_graph)
        graph = tf1_port.build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())

    def tf1_epoch() -> list[float]:
        times = []
        with tf1_graph.as_default():
            for begin in range(0, len(x_tf1), batch):
                started = time.perf_counter()
                sess.run([graph.train_op, graph.loss],
                         feed_dict={graph.X: x_tf1[begin:begin + batch],
                                    graph.Y: y_tf1[begin:begin + batch]})
                times.append(time.perf_counter() - started)
        return times

    class StepTimes(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.times, self.last = [], time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            self.times.append(now - self.last)
            self.last = now

    keras.utils.set_random_seed(0)
    model = keras_port.build_model(profile)

    def keras_epoch(collect_garbage: bool) -> list[float]:
        steps = StepTimes()
        if not collect_garbage:
            gc.collect()
            gc.disable()
        try:
            model.fit(x_keras, y_keras, batch_size=batch, epochs=1, verbose=0,
                      callbacks=[steps])
        finally:
            gc.enable()
        return steps.times

    settings = {"tf1 feed_dict": tf1_epoch,
                "keras fit (port)": lambda: keras_epoch(True),
                "keras fit (port), gc off": lambda: keras_epoch(False)}
    for run in settings.values():
        run()  # warm-up: graph optimisation, tracing
    steps: dict[str, list[list[float]]] = {name: [] for name in settings}
    for round_ in range(args.rounds):
        for name, run in settings.items():
            steps[name].append(run())
            print(f"round {round_ + 1}: {name}: {sum(steps[name][-1]):.2f} s", flush=True)
    sess.close()

    rows = []
    for name, epochs in steps.items():
        every = [step for epoch in epochs for step in epoch]
        median = statistics.median(every)
        tail = sum(step for step in every if step > 2 * median) / sum(every)
        totals = [sum(epoch) for epoch in epochs]
        rows.append([name, f"{median * 1e3:.2f}", f"{percentile(every, 0.9) * 1e3:.2f}",
                     f"{percentile(every, 0.99) * 1e3:.2f}", f"{max(every) * 1e3:.1f}",
                     f"{tail:.1%}", f"{statistics.median(totals):.2f}",
                     f"{min(totals):.2f}-{max(totals):.2f}",
                     f"{(max(totals) - min(totals)) / statistics.median(totals):.1%}"])
    table = markdown_table(["setting", "median step ms", "p90 ms", "p99 ms", "slowest ms",
                            "time in steps > 2x median", "epoch s (median)", "epoch s range",
                            "epoch range / median"], rows)
    what = (f"cnn_sparse, article settings on {args.train_size:,} training images "
            f"({args.train_size // batch} steps an epoch), {args.rounds} rounds interleaved, "
            f"one process, CPU. {__doc__.split(chr(10) + chr(10), 2)[2]}")
    out = Path(args.out) / "step-spread.md" if args.out else None
    script_report("Step by step: where the spread of an epoch's time comes from (cnn_sparse)",
                  "benchmarks/step_spread.py", sys.argv[1:], what, table, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
