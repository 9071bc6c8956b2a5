"""Where does mlp_gd's Keras time per full-batch step go? Each step is one Keras epoch.

    python benchmarks/keras_epoch_overhead.py [--profile quick] [--epochs 40] [--rounds 3] [--out docs/bench]

mlp_gd trains by full-batch gradient descent: one step per epoch. Written with
`fit(x, y, batch_size=len(x), epochs=N)`, a Keras model pays Keras's per-epoch work (a
fresh iterator over the arrays, reshuffling them, callbacks, logs) at every step, where the
TF1 port runs one `sess.run` per step; the Keras port now takes each step with
`train_on_batch`, as this comparison showed. In one process, on the example's data,
interleaved `--rounds` times, each timed over `--epochs` steps after one warm-up call:

1. `tf1 sess.run`: the TF1 port's `train` (one `sess.run([train_op, loss], feed_dict)` a step);
2. `keras train_on_batch (port)`: the Keras port's `train`, one `model.train_on_batch(x, y)`
   a step, no epoch machinery;
3. `keras fit`: the same model stepped by `fit(x, y, batch_size=len(x), epochs=N)` on the
   arrays, as the port was written before (`fit` reshuffles by default);
4. `keras fit, shuffle=False`: the same `fit` without the reshuffle (one batch: the same
   gradient, summed in another order);
5. `keras fit on tf.data.from_tensors`: `fit` on a one-element dataset holding the arrays.

The median time per step of each, and its ratio to the TF1 step, show how much of a
`fit`-driven full-batch loop's extra time is the epoch machinery rather than the step's
own computation.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="quick", choices=["quick", "article"])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=None, help="write keras-epoch-overhead.md here")
    args = parser.parse_args()

    from tfport import runtime

    runtime.quiet_start()
    import dataclasses

    import keras
    import tensorflow as tf

    from keras_models import mlp_gd as keras_port
    from legacy_tf1 import mlp_gd as tf1_port
    from legacy_tf1 import session
    from tfport.profiles import get_profile
    from tfport.report import script_report
    from tfport.tables import markdown_table

    profile = dataclasses.replace(get_profile("mlp_gd", args.profile), epochs=args.epochs)
    x, y, _, _ = keras_port.load_data(profile)

    def tf1_steps() -> float:
        with session.new_session(0) as sess:
            graph = tf1_port.build_model(profile)
            sess.run(tf.compat.v1.global_variables_initializer())
            tf1_port.train(sess, graph, x, y, dataclasses.replace(profile, epochs=1), 0, verbose=0)
            started = time.perf_counter()
            tf1_port.train(sess, graph, x, y, profile, 0, verbose=0)
            return (time.perf_counter() - started) / args.epochs

    def keras_steps(run) -> float:
        keras.utils.set_random_seed(0)
        model = keras_port.build_model(profile)
        run(model, 1)  # warm-up: tracing
        started = time.perf_counter()
        run(model, args.epochs)
        return (time.perf_counter() - started) / args.epochs

    one_batch = tf.data.Dataset.from_tensors((x, y))

    variants = {
        "tf1 sess.run": tf1_steps,
        "keras train_on_batch (port)": lambda: keras_steps(lambda m, n: keras_port.train(
            m, x, y, dataclasses.replace(profile, epochs=n), verbose=0)),
        "keras fit": lambda: keras_steps(lambda m, n: m.fit(
            x, y, batch_size=len(x), epochs=n, verbose=0)),
        "keras fit, shuffle=False": lambda: keras_steps(lambda m, n: m.fit(
            x, y, batch_size=len(x), epochs=n, shuffle=False, verbose=0)),
        "keras fit on tf.data.from_tensors": lambda: keras_steps(lambda m, n: m.fit(
            one_batch, epochs=n, shuffle=False, verbose=0)),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(args.rounds):
        for name, measure in variants.items():
            times[name].append(measure())
            print(f"round {round_ + 1}: {name}: {times[name][-1] * 1000:.1f} ms a step", flush=True)

    tf1 = statistics.median(times["tf1 sess.run"])
    rows = [[name, f"{statistics.median(t) * 1000:.1f}",
             f"{min(t) * 1000:.1f}-{max(t) * 1000:.1f}", f"{statistics.median(t) / tf1:.2f}"]
            for name, t in times.items()]
    table = markdown_table(["variant", "ms a step (median)", "range over rounds",
                            "/ tf1 sess.run"], rows)
    what = (f"mlp_gd, `{args.profile}` profile data ({len(x):,} images, one full-batch step an "
            f"epoch), {args.epochs} steps timed after a warm-up call, {args.rounds} rounds "
            f"interleaved, one process, CPU. {__doc__.split(chr(10) + chr(10), 2)[2]}")
    out = Path(args.out) / "keras-epoch-overhead.md" if args.out else None
    argv = sys.argv[1:]
    script_report("Keras's per-epoch work in a full-batch example (mlp_gd)",
                  "benchmarks/keras_epoch_overhead.py", argv, what, table, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
