"""What TensorFlow's own `tf_upgrade_v2` makes of article 000's TF1 code, and whether it runs
(`try_upgraded`, in a child process: TF1 code turns eager execution off, which Keras 3 needs)."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import subprocess
import sys
import textwrap
import traceback


@dataclasses.dataclass
class Upgrade:
    source: str  # what went in
    upgraded: str  # what tf_upgrade_v2 wrote
    report: str  # its log: one line per change, as the command-line tool prints it
    errors: list[str]  # what it flagged as needing attention


def upgrade(source: str, filename: str = "snippet.py") -> Upgrade:
    """Run `tf_upgrade_v2`'s converter (the command-line tool's default settings) on `source`."""
    from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2

    upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
    with contextlib.redirect_stdout(io.StringIO()):  # it also prints each change as it goes
        _, upgraded, log, errors = upgrader.update_string_pasta(source, filename)
    return Upgrade(source, upgraded, "\n".join(log), list(errors))


@dataclasses.dataclass
class Attempt:
    change: str  # what was added by hand to the upgraded code, cumulatively
    ran: bool  # whether the code ran to the end
    output: str  # the last lines it printed, or the error that stopped it


# Each attempt adds one change to the previous one's code: (what it is, old text, new text).
HAND_CHANGES: list[tuple[str, str, str]] = [
    ("none: tf_upgrade_v2's output as it is", "", ""),
    ("turn eager execution off, as TF1 code assumes",
     "import tensorflow as tf\n",
     "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n"),
    ("tf.layers -> tf.compat.v1.layers (needs tf-keras and TF_USE_LEGACY_KERAS=1)",
     "tf.layers.", "tf.compat.v1.layers."),
]


def try_upgraded(upgraded: str, train_size: int = 256, test_size: int = 1000,
                 timeout_s: float = 300) -> list[Attempt]:
    """Run `upgraded` on a few MNIST images (as the article's undefined `X_train`, ...),
    once per hand change."""
    sources = [upgraded]
    for _, old, new in HAND_CHANGES[1:]:
        sources.append(sources[-1].replace(old, new))
    spec = {"sources": sources, "train_size": train_size, "test_size": test_size}
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "MPLBACKEND": "Agg",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    completed = subprocess.run([sys.executable, "-m", "tfport.upgrade"], input=json.dumps(spec),
                               capture_output=True, text=True, env=env, timeout=timeout_s)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or len(lines) != len(sources):
        raise RuntimeError(f"the trial process failed (exit {completed.returncode}): "
                           f"{completed.stderr.strip().splitlines()[-1:]}")
    return [Attempt(change, **json.loads(line))
            for (change, _, _), line in zip(HAND_CHANGES, lines)]


def _attempt_all(spec: dict) -> None:
    """In the child process: run each source, print one JSON line per attempt."""
    import numpy as np
    import tensorflow as tf

    from tfport import data

    mnist = data.subset(data.load_mnist(), spec["train_size"], spec["test_size"])
    arrays = {
        "X_train": mnist.x_train.reshape(-1, 784).astype("float32") / 255.0,
        "X_test": mnist.x_test.reshape(-1, 784).astype("float32") / 255.0,
        "Y_train": np.eye(10, dtype="float32")[mnist.y_train],
        "Y_test": np.eye(10, dtype="float32")[mnist.y_test],
    }
    for source in spec["sources"]:
        if not tf.executing_eagerly():
            tf.compat.v1.reset_default_graph()
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                exec(compile(source, "upgraded.py", "exec"), {"__name__": "__main__", **arrays})
            ran, output = True, "\n".join(printed.getvalue().strip().splitlines()[-3:])
        except Exception as error:  # the point is to report whatever stops it
            frames = traceback.extract_tb(error.__traceback__)
            line = next((f.lineno for f in reversed(frames) if f.filename == "upgraded.py"),
                        frames[-1].lineno)
            message = textwrap.shorten((str(error).strip().splitlines() or [""])[0], 200)
            ran, output = False, f"line {line}: {type(error).__name__}: {message}"
        print(json.dumps({"ran": ran, "output": output}), flush=True)


if __name__ == "__main__":
    _attempt_all(json.load(sys.stdin))
