"""Can XLA fuse Keras's Adam on a CPU without giving up oneDNN? TensorFlow's auto-clustering, timed.

    python benchmarks/xla_autoclustering.py [--rounds 5] [--epochs 3] [--out FILE]

Keras 3's Adam runs on TensorFlow as a dozen element-wise ops per variable, each a pass over
the variable's memory, where TF1's `AdamOptimizer` runs one fused `ResourceApplyAdam` kernel
(docs/bench/profile-cnn_sparse.md: the largest piece of the floor between `keras fast` and
the TF1 port on `cnn_sparse`). `jit_compile=True` fuses them, but compiles the whole step
with XLA, whose CPU convolution and matrix-multiply kernels are slower here than oneDNN's.
TensorFlow can instead compile only the ops XLA fuses and leave the rest to its own kernels:
XLA auto-clustering, switched on for CPUs by the environment

    TF_XLA_FLAGS="--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit --tf_xla_ops_to_cluster=FUSIBLE"

(`FUSIBLE`: element-wise ops, reductions, pooling; `PW`: element-wise ops only). TensorFlow
reads the flags once per process, so every run here is a fresh process (`tfport.measure`,
as `tfport bench` runs it), the settings interleaved round by round: the TF1 port, then
`keras fast` (tfport/measure.py) without the flags and with each of the two.

Before timing, the script checks that the flags take effect: a short `fit` of the Keras
port with them must log TensorFlow's "Compiled cluster using XLA!", and without them must
not. Per epoch: the steady epochs' median (epochs after the first), in each run, then the
median and range over rounds; the ratio to the TF1 port is taken round by round.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tfport.bench import measure_in_child, steady_time, time_in_steps  # noqa: E402
from tfport.report import script_report  # noqa: E402
from tfport.tables import markdown_table, median_range  # noqa: E402

AUTO_JIT = "--tf_xla_auto_jit=2 --tf_xla_cpu_global_jit"
SETTINGS = {  # name -> (variant, TF_XLA_FLAGS or None)
    "TF1 port (tf1 feed_dict)": ("tf1 feed_dict", None),
    "keras fast": ("keras fast", None),
    "keras fast, auto-clustering FUSIBLE": ("keras fast", f"{AUTO_JIT} --tf_xla_ops_to_cluster=FUSIBLE"),
    "keras fast, auto-clustering PW": ("keras fast", f"{AUTO_JIT} --tf_xla_ops_to_cluster=PW"),
}
CLUSTERED = "Compiled cluster using XLA"
CHECK = """
import numpy as np, keras
from keras_models import cnn_sparse
model = cnn_sparse.build_model(type("Profile", (), {"learning_rate": 1e-3})())
x = np.zeros((64, 28, 28, 1), "float32"); y = np.zeros(64, "int64")
model.fit(x, y, batch_size=32, epochs=1, verbose=0)
"""


def clusters_compiled(flags: str | None) -> bool:
    """Whether a short `fit` of the Keras port, with `flags` as TF_XLA_FLAGS, logs that
    TensorFlow compiled an XLA cluster."""
    environment = {key: value for key, value in os.environ.items() if key != "TF_XLA_FLAGS"}
    environment.update(TF_CPP_MIN_LOG_LEVEL="0", KERAS_BACKEND="tensorflow",
                       **({"TF_XLA_FLAGS": flags} if flags else {}))
    completed = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                               env=environment, cwd=ROOT, timeout=300)
    if completed.returncode != 0:
        tail = (completed.stderr.strip().splitlines() or ["(no error output)"])[-1]
        raise SystemExit(f"xla_autoclustering.py: the check run failed: {tail}")
    return CLUSTERED in completed.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs per run (the first is start-up; at least 2)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.epochs < 2:
        print("xla_autoclustering.py: --rounds must be at least 1 and --epochs at least 2",
              file=sys.stderr)
        return 2
    for name, (_, flags) in SETTINGS.items():
        if name != "TF1 port (tf1 feed_dict)" and clusters_compiled(flags) != bool(flags):
            print(f"xla_autoclustering.py: {name}: TensorFlow {'did not compile' if flags else 'compiled'} "
                  f"an XLA cluster (TF_XLA_FLAGS={flags!r}); nothing to compare", file=sys.stderr)
            return 1
    runs: dict[str, list[dict]] = {name: [] for name in SETTINGS}
    for round_index in range(args.rounds):
        for name, (variant, flags) in SETTINGS.items():
            spec = {"example": "cnn_sparse", "variant": variant, "profile": "article", "seed": 0,
                    "repeat": round_index, "max_epochs": args.epochs, "max_steps": None,
                    "backend": "tensorflow"}
            run = measure_in_child(spec, 1800, {"TF_XLA_FLAGS": flags or ""})
            runs[name].append(run)
            print(f"round {round_index + 1}/{args.rounds}: {name}: {steady_time(run):.2f} s per "
                  f"epoch", file=sys.stderr, flush=True)
    tf1 = [steady_time(run) for run in runs["TF1 port (tf1 feed_dict)"]]
    rows = []
    for name, (_, flags) in SETTINGS.items():
        epochs = [steady_time(run) for run in runs[name]]
        is_keras = name != "TF1 port (tf1 feed_dict)"
        rows.append([
            name, f"`{flags}`" if flags else "(unset)", median_range(epochs),
            median_range([time_in_steps(run) for run in runs[name]]) if is_keras else "",
            median_range([seconds / reference for seconds, reference in zip(epochs, tf1)]),
            median_range([run["process_s"] for run in runs[name]], 1),
            median_range([100 * run["accuracy"][-1] for run in runs[name]]),
        ])
    script_report(
        "cnn_sparse: Keras's Adam fused by XLA auto-clustering, oneDNN kept for the rest",
        "benchmarks/xla_autoclustering.py", argv,
        f"The article profile (60,000 images, batches of 32, Adam), the first {args.epochs} "
        f"epochs per run, {args.rounds} rounds, each setting in a fresh process (TensorFlow "
        "reads TF_XLA_FLAGS once), the settings interleaved. Checked before timing: with the "
        "flags, TensorFlow logged \"Compiled cluster using XLA!\"; without them, not. Seconds "
        "per steady epoch (the epochs after the first): median (range) over rounds; the "
        "training steps alone (Keras `fit`: first step's start to last step's end); the "
        "ratio to the TF1 port, round by round; the whole process; the test accuracy after "
        "the last epoch, %.",
        markdown_table(["setting", "TF_XLA_FLAGS", "s per epoch", "its training steps, s",
                        "/ TF1 port", "whole process, s", "test accuracy, %"], rows),
        args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
