"""Why the `tf.data` autotuner stalls an epoch's end: TensorFlow's own log, call by call.

    python benchmarks/autotune_race.py [--train-size 12800] [--calls 20] [--out docs/bench]

iterator-stall.md shows that some one-epoch `fit` calls on NumPy arrays return seconds
after their last step, always at one of the autotuner's wake-ups (10 ms x (2^k - 1) after
the iterator started), and never with `tf.data`'s autotuning off. This script shows why,
from TensorFlow's own log of its autotuning loop (`Model::OptimizeLoop` in
`tensorflow/core/framework/model.cc`, logged with `TF_CPP_VMODULE=model=2`).

The loop sleeps on a condition variable between optimisations ("Waiting for N ms.") while
`!cancellation_manager->IsCancelled()`. Releasing the iterator cancels it: the cancellation
callback the loop registered wakes the condition variable, and the loop re-checks
`IsCancelled()`. But `CancellationManager::StartCancelWithStatus`
(`xla/tsl/framework/cancellation.cc`) runs its callbacks first and marks itself cancelled
only after they return, so a loop that wakes in between finds it not yet cancelled, logs
a new "Waiting for N ms." for the rest of its period, and sleeps again; nothing wakes it a
second time, and releasing the iterator waits for that thread (`RootDataset::Iterator` in
`tensorflow/core/data/root_dataset.cc` owns it, and destroying the iterator joins it). A
lost wake-up: whether it happens depends on which thread the scheduler runs first.

Here a child process with that log on trains `cnn_sparse`'s Keras model one epoch per
`fit` call on the arrays (Keras's own pipeline, as the Keras port does), `--calls` times,
and notes (wall clock) when each call's last step ended and when the call returned. For
each call the script finds the autotuner's "Waiting for N ms." lines logged after the last
step: in a stalled call (over half a second from the last step to the return) there is
one, and the call returns when its N ms run out.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STALLED_S = 0.5  # from the last step to fit's return, beyond this is a stall
# glog/absl's prefix: I<mmdd> <time or 00:00:seconds since the epoch> <thread> model.cc:<line>]
WAIT_LINE = re.compile(r"(\d{9,}\.\d+)\s+(\d+) model\.cc:\d+\] Waiting for (\d+) ms\.")


def child(train_size: int, calls: int) -> None:
    """Train one epoch per `fit` call; print one JSON line per call (wall-clock times)."""
    from tfport import runtime

    runtime.quiet_start()
    import dataclasses

    import keras

    from keras_models import cnn_sparse as keras_port
    from tfport.profiles import get_profile

    profile = dataclasses.replace(get_profile("cnn_sparse", "article"), epochs=1,
                                  train_size=train_size)
    x, y, _, _ = keras_port.load_data(profile)
    keras.utils.set_random_seed(0)
    model = keras_port.build_model(profile)
    marks: dict[str, float] = {}

    class LastStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            marks["last_step"] = time.time()

    model.fit(x, y, batch_size=profile.batch_size, epochs=1, verbose=0)  # warm-up: tracing
    for call in range(calls):
        started = time.time()
        model.fit(x, y, batch_size=profile.batch_size, epochs=1, verbose=0,
                  callbacks=[LastStep()])
        print(json.dumps({"call": call, "started": started, "last_step": marks["last_step"],
                          "returned": time.time()}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=12800)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--out", default=None, help="write autotune-race.md here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.train_size < 64 or args.calls < 1:
        parser.error("--train-size must be at least 64 and --calls at least 1")
    if args.child:
        child(args.train_size, args.calls)
        return 0

    from tfport.report import script_report
    from tfport.tables import markdown_table

    environment = {**os.environ, "TF_CPP_VMODULE": "model=2", "TF_CPP_MIN_LOG_LEVEL": "0"}
    done = subprocess.run([sys.executable, __file__, "--child", "--train-size",
                           str(args.train_size), "--calls", str(args.calls)],
                          capture_output=True, text=True, env=environment, cwd=ROOT)
    calls = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(calls) != args.calls:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"autotune_race: the training child failed ({last})", file=sys.stderr)
        return 1
    waits = [(float(seconds), int(thread), int(ms))
             for seconds, thread, ms in WAIT_LINE.findall(done.stderr)]
    if not waits:
        print("autotune_race: TensorFlow logged no autotuner line with TF_CPP_VMODULE=model=2; "
              "this build does not log Model::OptimizeLoop, so the race cannot be shown here",
              file=sys.stderr)
        return 1

    rows, stalled, explained, rewaits_unstalled = [], 0, 0, 0
    for call in calls:
        after_last = [(at, ms) for at, _, ms in waits
                      if call["last_step"] < at <= call["returned"]]
        late = call["returned"] - call["last_step"]
        if late <= STALLED_S:
            rewaits_unstalled += bool(after_last)
            continue
        stalled += 1
        logged = after_last[-1] if after_last else None
        ends = None if logged is None else logged[0] + logged[1] / 1000
        explained += ends is not None and abs(call["returned"] - ends) < 0.1
        rows.append([str(call["call"] + 1), f"{call['last_step'] - call['started']:.2f}",
                     f"{late:.2f}",
                     "-" if logged is None else f"+{logged[0] - call['last_step']:.3f} s: {logged[1]} ms",
                     "-" if ends is None else f"{call['returned'] - ends:+.3f}"])
    table = markdown_table(["call", "last step ended s (after the call began)",
                            "returned s after the last step",
                            "autotuner logged after the last step: when, \"Waiting for N ms\"",
                            "returned s after that wait ran out"], rows) if rows else (
        "No call stalled this time.")
    summary = (f"{stalled} of {len(calls)} calls stalled (returned over {STALLED_S} s after "
               f"their last step); in {explained} of them the autotuner had logged, after the "
               f"last step, a new wait that ran out within 0.1 s of the call's return. Of the "
               f"{len(calls) - stalled} calls that did not stall, {rewaits_unstalled} logged a "
               f"wait after their last step.")
    what = (f"cnn_sparse's Keras model, one epoch of {args.train_size:,} images per `fit` "
            f"call on the NumPy arrays, {args.calls} calls in one child process, CPU, "
            f"`TF_CPP_VMODULE=model=2`. {summary}\n\n{__doc__.split(chr(10) + chr(10), 2)[2]}")
    script_report("Why the tf.data autotuner stalls an epoch's end (cnn_sparse, Keras on "
                  "TensorFlow)", "benchmarks/autotune_race.py", None, what, table,
                  Path(args.out) / "autotune-race.md" if args.out else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
