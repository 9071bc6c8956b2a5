"""Why do some Keras epochs on TensorFlow end seconds late? The `tf.data` autotuner's stall.

    python benchmarks/iterator_stall.py [--train-size 12800] [--rounds 15] [--out docs/bench]

On the TensorFlow backend `fit` reads every epoch through a new `tf.data` iterator: for
NumPy arrays, Keras's own pipeline (`ArrayDataAdapter.get_tf_dataset`: a parallel `map`
that gathers each batch, then `prefetch`, both `AUTOTUNE`). With `tf.data`'s autotuning on
(the default), a background loop re-optimises the pipeline at times that double: 10 ms,
then 20, 40, ... after the iterator starts, so it wakes at 10 ms x (2^k - 1): 1.27, 2.55,
5.11, 10.23, 20.47 s. When the epoch ends and its iterator is released, the training
thread sometimes waits until that loop's next wake-up: a `fit` that ran 3 s can return at
5.1 s; the next epoch's first step can take seconds.

Here, in one process, the `cnn_sparse` Keras port's model trains one epoch per `fit` call
(`--train-size` images, batches of 32), interleaved `--rounds` times, three ways:

1. `fit on arrays (the port)`: `fit(x, y, batch_size=32)`: Keras's own pipeline;
2. `fit on tf.data, autotune on`: `fit` on `from_tensor_slices((x, y)).shuffle(n)
   .batch(32).prefetch(AUTOTUNE)`, `tf.data`'s default options;
3. `fit on tf.data, autotune off`: the same pipeline with
   `tf.data.Options().autotune.enabled = False`.

For each call: the training steps (first batch's start to the last batch's end, from a
callback) and the rest of the call (building the iterator before, releasing it after). A
call is counted as stalled when the rest took over half a second (it takes 0.05-0.15 s
otherwise); for those, when the call returned, counted from the epoch's start, shows the
wake-up it waited for.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STALLED_S = 0.5  # the rest of a `fit` call beyond this is a stall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=12800)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", default=None, help="write iterator-stall.md here")
    args = parser.parse_args()
    if args.train_size < 64 or args.rounds < 1:
        parser.error("--train-size must be at least 64 and --rounds at least 1")

    from tfport import runtime

    runtime.quiet_start()
    import dataclasses

    import keras
    import tensorflow as tf

    from keras_models import cnn_sparse as keras_port
    from tfport.profiles import get_profile
    from tfport.report import script_report
    from tfport.tables import markdown_table

    profile = dataclasses.replace(get_profile("cnn_sparse", "article"), epochs=1,
                                  train_size=args.train_size)
    x, y, _, _ = keras_port.load_data(profile)
    batch = profile.batch_size

    def pipeline(autotune: bool) -> tf.data.Dataset:
        options = tf.data.Options()
        options.autotune.enabled = autotune
        return (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x))
                .batch(batch).prefetch(tf.data.AUTOTUNE).with_options(options))

    class Steps(keras.callbacks.Callback):
        """When the epoch began, and when its first and last batches ran."""

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch_began = time.perf_counter()

        def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
            if batch == 0:
                self.first_batch = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            self.last_batch_end = time.perf_counter()

    keras.utils.set_random_seed(0)
    settings = {"fit on arrays (the port)": ((x, y), {"batch_size": batch}),
                "fit on tf.data, autotune on": ((pipeline(True),), {}),
                "fit on tf.data, autotune off": ((pipeline(False),), {})}
    models = {name: keras_port.build_model(profile) for name in settings}
    for name, (data, keywords) in settings.items():  # warm-up: tracing, graph optimisation
        models[name].fit(*data, epochs=1, verbose=0, **keywords)
    calls: dict[str, list[tuple[float, float, float]]] = {name: [] for name in settings}
    for round_ in range(args.rounds):
        for name, (data, keywords) in settings.items():
            steps = Steps()
            started = time.perf_counter()
            models[name].fit(*data, epochs=1, verbose=0, callbacks=[steps], **keywords)
            ended = time.perf_counter()
            training = steps.last_batch_end - steps.first_batch
            calls[name].append((ended - started, training, ended - steps.epoch_began))
        print(f"round {round_ + 1}/{args.rounds}: "
              + ", ".join(f"{call[-1][0]:.2f}" for call in calls.values()), flush=True)

    rows = []
    for name, timed in calls.items():
        rests = [whole - training for whole, training, _ in timed]
        stalled = [since_epoch for (_, _, since_epoch), rest in zip(timed, rests)
                   if rest > STALLED_S]
        rows.append([name, f"{statistics.median(t for _, t, _ in timed):.2f}",
                     f"{statistics.median(w for w, _, _ in timed):.2f}",
                     f"{min(w for w, _, _ in timed):.2f}-{max(w for w, _, _ in timed):.2f}",
                     f"{len(stalled)} of {len(timed)}",
                     f"{sum(rest for rest in rests if rest > STALLED_S):.1f}",
                     ", ".join(f"{s:.2f}" for s in sorted(stalled)) or "-"])
    table = markdown_table(["setting", "training steps s (median)", "whole fit call s (median)",
                            "whole fit call s (range)", "calls stalled",
                            "seconds lost to stalls (all calls)",
                            "stalled calls returned at (s after the epoch began)"], rows)
    what = (f"cnn_sparse's Keras model, one epoch of {args.train_size:,} images per `fit` call "
            f"({-(-args.train_size // batch)} steps), {args.rounds} rounds interleaved, one "
            f"process, CPU. {__doc__.split(chr(10) + chr(10), 2)[2]}")
    script_report("The tf.data autotuner's stall at the end of an epoch (cnn_sparse, Keras on "
                  "TensorFlow)", "benchmarks/iterator_stall.py", None, what, table,
                  Path(args.out) / "iterator-stall.md" if args.out else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
