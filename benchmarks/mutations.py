"""Mutation testing: put one small bug at a time into a copy of the project and see which
tests catch it.

    python benchmarks/mutations.py [--only NAME ...] [--out docs/mutations]

Each mutation is a one-line change with the tests that should catch it, run in a copy of the
tracked files: "caught" (a test failed) or "SURVIVED" (every test passed). The unchanged copy
must pass those tests first, so that "caught" means the bug. docs/testing.md says why; the
committed table (Markdown and JSON) is docs/mutations/.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tfport import bench  # noqa: E402
from tfport.tables import markdown_table  # noqa: E402


@dataclasses.dataclass(frozen=True)
class Mutation:
    name: str
    kind: str  # data, optimizer, loss, layer, training loop, evaluation
    bug: str  # what the change does, in words
    file: str
    old: str  # must occur exactly once in `file`
    new: str
    tests: tuple[str, ...]  # pytest arguments: files or node ids, and -k expressions

    def apply(self, root: Path) -> None:
        path = root / self.file
        text = path.read_text()
        if text.count(self.old) != 1:
            raise SystemExit(f"mutation {self.name}: the text to change occurs "
                             f"{text.count(self.old)} times in {self.file}, not once; update it")
        path.write_text(text.replace(self.old, self.new))


VERIFY = "tests/test_verify.py::test_the_two_ports_are_the_same_model"

MUTATIONS = [
    # --- kinds of bug that once passed every test -----------------------------------------
    Mutation("keras-cnn-tanh", "layer", "Keras cnn_sparse: hidden Dense relu -> tanh",
             "keras_models/cnn_sparse.py", 'Dense(128, activation="relu")',
             'Dense(128, activation="tanh")', (f"{VERIFY}[cnn_sparse]",)),
    Mutation("tf1-adam-10x", "optimizer", "TF1 cnn_sparse: Adam at 10x the learning rate",
             "legacy_tf1/cnn_sparse.py", "AdamOptimizer(profile.learning_rate)",
             "AdamOptimizer(10 * profile.learning_rate)",
             ("tests/test_recipe.py", "-k", "cnn_sparse")),
    Mutation("keras-binary-mse", "loss", "Keras binary_mlp: loss -> mean squared error",
             "keras_models/binary_mlp.py", 'loss="binary_crossentropy"',
             'loss="mean_squared_error"', ("tests/test_recipe.py", "-k", "binary_mlp")),
    Mutation("keras-test-on-train", "data",
             "Keras cnn_sparse load_data: tests on training images (x_train[:n])",
             "keras_models/cnn_sparse.py", 'x_test = mnist.x_test.astype("float32") / 255.0',
             'x_test = mnist.x_train[:len(mnist.x_test)].astype("float32") / 255.0',
             ("tests/test_data_truth.py", "-k", "cnn_sparse and keras")),
    Mutation("tf1-test-on-train", "data",
             "TF1 cnn_sparse load_data: tests on training images (x_train[:n])",
             "legacy_tf1/cnn_sparse.py", 'x_test = mnist.x_test.astype("float32") / 255.0',
             'x_test = mnist.x_train[:len(mnist.x_test)].astype("float32") / 255.0',
             ("tests/test_data_truth.py", "-k", "cnn_sparse and tf1")),
    Mutation("subset-test-from-train", "data",
             "tfport.data.subset: the test split taken from the training set (both APIs)",
             "tfport/data.py",
             "mnist.x_test[:test_size], mnist.y_test[:test_size])",
             "mnist.x_train[-(test_size or len(mnist.x_test)):],\n"
             "                 mnist.y_train[-(test_size or len(mnist.y_test)):])",
             ("tests/test_data_truth.py", "tests/test_data.py")),
    # --- found while porting BERT ---------------------------------------------------------
    Mutation("keras-bert-accents", "data", "Keras BERT tokenizer keeps accents",
             "keras_models/bert_classifier.py", "strip_accents=checkpoint.lower_case",
             "strip_accents=False", (f"{VERIFY}[bert_classifier]",)),
    Mutation("keras-bert-bias-decay", "optimizer",
             "Keras BERT: biases no longer excluded from weight decay",
             "keras_models/bert_classifier.py", 'var_names=["gamma", "beta", "bias"]',
             'var_names=["gamma", "beta"]',
             ("tests/test_bert.py::test_both_optimizers_decay_the_same_weights",)),
    # --- more of our own -------------------------------------------------------------------
    Mutation("tf1-validation-from-end", "data",
             "TF1 cnn_onehot: validation split from the end of the training set",
             "legacy_tf1/cnn_onehot.py",
             "    x_val, y_val = x_train[:validation_size], y_train[:validation_size]\n"
             "    x_train, y_train = x_train[validation_size:], y_train[validation_size:]\n",
             "    x_val, y_val = x_train[-validation_size:], y_train[-validation_size:]\n"
             "    x_train, y_train = x_train[:-validation_size], y_train[:-validation_size]\n",
             (f"{VERIFY}[cnn_onehot]",)),
    Mutation("keras-binary-labels", "data", "Keras binary_mlp: even/odd labels flipped",
             "keras_models/binary_mlp.py",
             'y_test = (digits_test % 2).astype("float32").reshape(-1, 1)',
             'y_test = (1 - digits_test % 2).astype("float32").reshape(-1, 1)',
             ("tests/test_data_truth.py", "-k", "binary_mlp")),
    Mutation("keras-adam-epsilon", "optimizer",
             "Keras cnn_onehot: Adam epsilon set to TF1's 1e-8 in the port",
             "keras_models/cnn_onehot.py", "keras.optimizers.Adam(profile.learning_rate)",
             "keras.optimizers.Adam(profile.learning_rate, epsilon=1e-8)",
             ("tests/test_recipe.py", "-k", "cnn_onehot")),
    Mutation("keras-sgd-momentum", "optimizer", "Keras mlp_gd: SGD with momentum 0.9",
             "keras_models/mlp_gd.py", "keras.optimizers.SGD(profile.learning_rate)",
             "keras.optimizers.SGD(profile.learning_rate, momentum=0.9)",
             ("tests/test_recipe.py", "-k", "mlp_gd")),
    Mutation("tf1-loss-sum", "loss", "TF1 mlp_gd: loss summed over the batch, not averaged",
             "legacy_tf1/mlp_gd.py", "loss = tf.reduce_mean(tf.nn.softmax_cross_entropy",
             "loss = tf.reduce_sum(tf.nn.softmax_cross_entropy", (f"{VERIFY}[mlp_gd]",)),
    Mutation("tf1-conv-linear", "layer", "TF1 cnn_sparse: the convolution loses its relu",
             "legacy_tf1/cnn_sparse.py",
             "conv = tf.compat.v1.layers.conv2d(X, 32, (3, 3), activation=tf.nn.relu)",
             "conv = tf.compat.v1.layers.conv2d(X, 32, (3, 3))", (f"{VERIFY}[cnn_sparse]",)),
    Mutation("tf1-drop-last-batch", "training loop",
             "TF1 loop: the short last batch of an epoch dropped",
             "legacy_tf1/feeding.py", "    steps = -(-len(x) // batch_size)\n",
             "    steps = len(x) // batch_size\n", (f"{VERIFY}[cnn_sparse]",)),
    Mutation("tf1-no-reshuffle", "training loop", "TF1 loop: one shuffle for all epochs",
             "legacy_tf1/feeding.py",
             "        order = rng.permutation(len(x)) if profile.shuffle else np.arange(len(x))\n",
             "        order = (np.random.default_rng(seed).permutation(len(x)) if profile.shuffle\n"
             "                 else np.arange(len(x)))\n", ("tests/test_feeding.py",)),
    Mutation("keras-one-epoch", "training loop", "Keras cnn_sparse: fit ignores the profile's epochs",
             "keras_models/cnn_sparse.py", "model.fit(x_train, y_train, epochs=profile.epochs,",
             "model.fit(x_train, y_train, epochs=1,", (f"{VERIFY}[cnn_sparse]",)),
    Mutation("tf1-evaluate-half", "evaluation", "TF1 scaffold: evaluates half the test set",
             "legacy_tf1/session.py",
             "    return feeding.evaluate_in_batches(sess, graph, x, y)",
             "    return feeding.evaluate_in_batches(sess, graph, x[:len(x) // 2], y[:len(y) // 2])",
             (f"{VERIFY}[cnn_sparse]",)),
    Mutation("keras-evaluate-first-batch", "evaluation",
             "Keras scaffold: evaluates the first 1000 test samples only",
             "keras_models/program.py",
             "    loss, accuracy = model.evaluate(x, y, batch_size=1000, verbose=0)",
             "    loss, accuracy = model.evaluate(x[:1000], y[:1000], batch_size=1000, verbose=0)",
             (f"{VERIFY}[mlp_gd]",)),
]


def copy_project(destination: Path) -> Path:
    """The tracked files of the project (what a clean clone holds), copied to `destination`."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split("\n")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def run_tests(root: Path, tests: tuple[str, ...]) -> tuple[int, float, str]:
    """pytest on `tests` in the copy at `root`, importing that copy's packages."""
    done, seconds = bench.run_child(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        {"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}, cwd=root, what="pytest")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, seconds, lines[-1] if lines else done.stderr[-200:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="run only these mutations (by name)")
    parser.add_argument("--out", type=Path, help="write mutations.md and mutations.json here")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    unknown = set(args.only or ()) - {m.name for m in MUTATIONS}
    if unknown:
        print(f"mutations.py: error: unknown mutation {', '.join(sorted(unknown))}; known: "
              f"{', '.join(m.name for m in MUTATIONS)}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="tfport-mutants-") as temporary:
        clean = copy_project(Path(temporary) / "clean")
        # The unchanged copy must pass every test the mutations run (files and node ids, no -k).
        baseline = sorted({test for m in chosen for i, test in enumerate(m.tests)
                           if test != "-k" and (i == 0 or m.tests[i - 1] != "-k")})
        code, seconds, last = run_tests(clean, tuple(baseline))
        print(f"unchanged copy: {last} ({seconds:.0f} s)", flush=True)
        if code != 0:
            print("mutations.py: error: the tests fail on the unchanged project; fix them first",
                  file=sys.stderr)
            return 1
        rows = []
        for mutation in chosen:
            root = Path(temporary) / mutation.name
            shutil.copytree(clean, root)
            mutation.apply(root)
            code, seconds, last = run_tests(root, mutation.tests)
            verdict = "caught" if code == 1 else "SURVIVED" if code == 0 else f"error (exit {code})"
            rows.append({"mutation": mutation.name, "kind": mutation.kind, "bug": mutation.bug,
                         "tests": " ".join(mutation.tests), "result": verdict,
                         "seconds": round(seconds, 1), "pytest": last})
            print(f"{mutation.name}: {verdict} in {seconds:.0f} s ({last})", flush=True)
            shutil.rmtree(root)

    table = markdown_table(["mutation", "kind", "bug", "tests run", "result", "time (s)"],
                           [[r["mutation"], r["kind"], r["bug"], f"`{r['tests']}`", r["result"],
                             f"{r['seconds']:.0f}"] for r in rows])
    print()
    print(table)
    if args.out:
        write(args.out, rows, table)
    return 0 if all(r["result"] == "caught" for r in rows) else 1


def write(out: Path, rows: list[dict], table: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    when, machine = bench.utc_now(), f"{bench.this_machine()}, Python {platform.python_version()}"
    caught = sum(r["result"] == "caught" for r in rows)
    (out / "mutations.json").write_text(json.dumps(
        {"command": "python benchmarks/mutations.py --out docs/mutations", "finished": when,
         "machine": machine, "rows": rows}, indent=2) + "\n")
    (out / "mutations.md").write_text(
        "# Mutation testing\n\n"
        "One small bug at a time, put into a copy of the project; the tests named beside it are "
        "run there. *caught*: a test failed; *SURVIVED*: every test passed.\n\n"
        f"- command: `python benchmarks/mutations.py --out docs/mutations`\n"
        f"- finished: {when}; machine: {machine}\n"
        f"- result: {caught} of {len(rows)} caught\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
