"""The Keras ports on a GPU: article-profile records on JAX and PyTorch, and a plain PyTorch loop.

    python benchmarks/gpu_records.py --out docs/results/gpu [--profile article]
        [--jax ID ...] [--torch ID ...] [--bert .gpu-data/bert] [--no-reference] [--no-variants]

Each in a fresh process (Keras takes its backend when first imported): `tfport run ID --api
keras --backend B` for each example under `--jax` and `--torch`; with `--bert FOLDER` (a
Hugging Face BERT folder) bert_classifier's port on JAX with Grain's batches in place of
`tf.data` (`bert_on_this_machine`; needs keras-hub, safetensors and grain); cnn_sparse's
Keras port as `tfport bench` times it on JAX (`measured_variant`); and the same network in
plain PyTorch (`reference_torch_cnn`) and plain JAX (`reference_jax_scan_cnn`), what
docs/backends.md's GPU table compares with. It needs no TensorFlow (the GPU machine has JAX
and PyTorch only). Everything it writes is listed in OUT/index.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tfport import bench  # noqa: E402  (its child processes; it imports no TensorFlow)

JAX_DEFAULT = ["mlp_gd", "backprop", "cnn_onehot", "cnn_sparse", "cnn_mse_sgd", "binary_mlp",
               "sigmoid_step"]


def run_port(example_id: str, backend: str, profile: str, out: Path) -> dict:
    """`tfport run` of one Keras port on one backend; its record."""
    command = [sys.executable, "-m", "tfport.cli", "run", example_id, "--api", "keras",
               "--backend", backend, "--profile", profile, "--quiet", "--out", str(out)]
    completed, seconds = bench.run_child(command, {"KERAS_BACKEND": backend}, cwd=ROOT)
    print(f"{example_id} on {backend}: exit {completed.returncode} in {seconds:.1f} s", flush=True)
    if completed.returncode != 0:
        print(completed.stderr[-2000:], flush=True)
        return {"example": example_id, "backend": backend, "error": completed.stderr[-2000:]}
    suffix = "" if backend == "tensorflow" else f"-{backend}"
    return json.loads((out / f"{example_id}-keras{suffix}-{profile}-seed0.json").read_text())


BERT_NOTE = ("bert_classifier's port on a machine without TensorFlow (benchmarks/gpu_records.py): "
             "its build_model, train and KerasHub tokenizer as written, the checkpoint read by "
             "KerasHub from the Hugging Face folder, and its batches of sentences made by Grain "
             "instead of tf.data (tfport.backends.text_batches)")


def grain_batches(sentences, labels, batch_size: int, shuffle: bool = True):
    """`tfport.backends.text_batches` without TensorFlow: a Grain dataset, which KerasHub's
    `fit` tokenizes as it does a `tf.data` one. Unshuffled: only for one batch of every
    sentence, where the order changes no step."""
    if batch_size < len(sentences):
        raise SystemExit(f"bert_classifier without TensorFlow runs only profiles whose batch is "
                         f"all {len(sentences)} sentences (got batches of {batch_size})")
    import grain

    return grain.MapDataset.source(list(zip(sentences, labels))).batch(batch_size)


def bert_on_this_machine(folder: Path, profile_name: str, out: Path) -> Path:
    """bert_classifier's Keras port as `tfport run` runs it, without TensorFlow: KerasHub
    reads the Hugging Face FOLDER, `text_batches` is `grain_batches`. Writes the record (which
    says so in `extra`) and the loss plot; returns the record's path."""
    import importlib

    from keras_models import program
    from tfport import bert_checkpoint, plots
    from tfport.profiles import get_profile

    os.environ[bert_checkpoint.ENV_VAR] = str(folder)
    port = importlib.import_module("keras_models.bert_classifier")
    port.text_batches = grain_batches
    profile = get_profile("bert_classifier", profile_name)
    result = program.run_program("bert_classifier", port.load_data, port.build_model,
                                 port.train, profile, 0, 0, extra={"ran": BERT_NOTE}).result
    path = result.save(out)
    plots.loss_curves([result], out / f"bert_classifier-{profile_name}-seed0-"
                                      f"{result.environment['backend']}-keras-loss.png")
    return path


def child(what: str, argv: list[str], backend: str | None = None) -> dict:
    """`bench.child_json` from the project root on Keras's `backend`, or {"error": ...}."""
    try:
        found, seconds = bench.child_json(argv, backend and {"KERAS_BACKEND": backend},
                                          cwd=ROOT, what=what)
    except bench.BenchRunError as error:
        print(f"{error}\n{getattr(error, 'stderr', '')}", flush=True)
        return {"error": getattr(error, "stderr", "") or str(error)}
    print(f"{what}: done in {seconds:.1f} s", flush=True)
    return found


def run_bert(folder: Path, profile: str, out: Path) -> dict:
    """`bert_on_this_machine` on JAX, in a child process; its record."""
    found = child("bert_classifier on jax", [sys.executable, __file__, "--bert-only", str(folder),
                                             "--profile", profile, "--out", str(out)], "jax")
    if "error" in found:
        return {"example": "bert_classifier", "backend": "jax", **found}
    return json.loads(Path(found["record"]).read_text())


def measured_variant(variant: str, backend: str, profile: str) -> dict:
    """One `tfport.measure` run of cnn_sparse (the bench's child), on `backend`."""
    spec = {"example": "cnn_sparse", "variant": variant, "profile": profile, "seed": 0,
            "repeat": 0, "max_epochs": None, "max_steps": 100}
    found = child(f"cnn_sparse / {variant} on {backend}",
                  [sys.executable, "-m", "tfport.measure", json.dumps(spec)], backend)
    return {**spec, "backend": backend, **found} if "error" in found else found


def reference_torch_cnn(profile_name: str, seed: int = 0) -> dict:
    """cnn_sparse's network, Adam (Keras's epsilon, 1e-7) and shuffled batches in plain
    PyTorch, cross-entropy on the logits (the softmax folded into the loss)."""
    import numpy as np
    import torch

    from tfport import backends, data
    from tfport.profiles import get_profile

    profile = get_profile("cnn_sparse", profile_name)
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(seed)
    x_train = torch.tensor(mnist.x_train[:, None] / 255.0, dtype=torch.float32, device=device)
    y_train = torch.tensor(mnist.y_train, dtype=torch.int64, device=device)
    x_test = torch.tensor(mnist.x_test[:, None] / 255.0, dtype=torch.float32, device=device)
    y_test = torch.tensor(mnist.y_test, dtype=torch.int64, device=device)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(13 * 13 * 32, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10),
    ).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=profile.learning_rate, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    if device == "cuda":
        torch.cuda.synchronize()
    started, epoch_s, losses = time.perf_counter(), [], []
    for _ in range(profile.epochs):
        epoch_start = time.perf_counter()
        order = torch.randperm(len(x_train), device=device)
        total = torch.zeros((), device=device)
        for first in range(0, len(x_train), profile.batch_size):
            batch = order[first:first + profile.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(batch)
        losses.append(float(total) / len(x_train))  # synchronizes, once per epoch
        epoch_s.append(time.perf_counter() - epoch_start)
    train_s = time.perf_counter() - started
    with torch.no_grad():
        accuracy = float((model(x_test).argmax(1) == y_test).float().mean())
    return {"example": "cnn_sparse", "what": "plain PyTorch loop, same network and batches",
            "profile": profile_name, "test_accuracy": accuracy, "loss_history": losses,
            "train_time_s": train_s, "epoch_s": epoch_s, "torch": torch.__version__,
            "device": backends.device("torch"), "numpy": np.__version__}


def reference_jax_scan_cnn(profile_name: str, seed: int = 0) -> dict:
    """cnn_sparse's network in plain JAX, each epoch one jitted `lax.scan` over its batches
    (a new permutation each epoch, a last partial batch dropped): Keras's initializers, Adam
    with Keras's defaults, cross-entropy on the logits. The floor for `keras fast` on JAX."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from tfport import backends, data
    from tfport.profiles import get_profile

    profile = get_profile("cnn_sparse", profile_name)
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = jnp.asarray(mnist.x_train[..., None] / 255.0, dtype=jnp.float32)
    y_train = jnp.asarray(mnist.y_train, dtype=jnp.int32)
    x_test = jnp.asarray(mnist.x_test[..., None] / 255.0, dtype=jnp.float32)
    keys = jax.random.split(jax.random.PRNGKey(seed), 4)

    def glorot(key, shape, fan_in, fan_out):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return jax.random.uniform(key, shape, jnp.float32, -limit, limit)

    params = {"conv": glorot(keys[0], (3, 3, 1, 32), 9, 9 * 32), "conv_b": jnp.zeros(32),
              "dense": glorot(keys[1], (13 * 13 * 32, 128), 13 * 13 * 32, 128),
              "dense_b": jnp.zeros(128), "out": glorot(keys[2], (128, 10), 128, 10),
              "out_b": jnp.zeros(10)}

    def logits_of(p, x):
        y = jax.lax.conv_general_dilated(x, p["conv"], (1, 1), "VALID",
                                         dimension_numbers=("NHWC", "HWIO", "NHWC"))
        y = jax.nn.relu(y + p["conv_b"])
        y = jax.lax.reduce_window(y, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        y = jax.nn.relu(y.reshape(len(x), -1) @ p["dense"] + p["dense_b"])
        return y @ p["out"] + p["out_b"]

    def loss_of(p, x, y):
        logits = logits_of(p, x)
        return jnp.mean(jax.nn.logsumexp(logits, axis=-1)
                        - jnp.take_along_axis(logits, y[:, None], axis=-1)[:, 0])

    lr, beta_1, beta_2, epsilon = profile.learning_rate, 0.9, 0.999, 1e-7

    def step(carry, batch):
        p, m, v, t = carry
        loss, grads = jax.value_and_grad(loss_of)(p, *batch)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: beta_1 * m + (1 - beta_1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: beta_2 * v + (1 - beta_2) * g * g, v, grads)
        rate = lr * jnp.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        p = jax.tree_util.tree_map(lambda p, m, v: p - rate * m / (jnp.sqrt(v) + epsilon),
                                   p, m, v)
        return (p, m, v, t), loss

    batches = len(x_train) // profile.batch_size

    @jax.jit
    def epoch(carry, key):
        order = jax.random.permutation(key, len(x_train))[:batches * profile.batch_size]
        xs = x_train[order].reshape(batches, profile.batch_size, 28, 28, 1)
        ys = y_train[order].reshape(batches, profile.batch_size)
        carry, losses = jax.lax.scan(step, carry, (xs, ys))
        return carry, losses.mean()

    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    carry = (params, zeros, zeros, jnp.zeros((), jnp.float32))
    started, epoch_s, losses = time.perf_counter(), [], []
    for key in jax.random.split(keys[3], profile.epochs):
        epoch_start = time.perf_counter()
        carry, loss = epoch(carry, key)
        losses.append(float(loss))  # waits for the epoch
        epoch_s.append(time.perf_counter() - epoch_start)
    train_s = time.perf_counter() - started
    predicted = np.asarray(jnp.argmax(logits_of(carry[0], x_test), axis=-1))
    return {"example": "cnn_sparse", "what": "plain JAX, one jitted lax.scan per epoch",
            "profile": profile_name, "test_accuracy": float(np.mean(predicted == mnist.y_test)),
            "loss_history": losses, "train_time_s": train_s, "epoch_s": epoch_s,
            "jax": jax.__version__, "device": backends.device("jax")}


def report(index: dict) -> str:
    """docs/backends.md's GPU table: every Keras record, then cnn_sparse's training time as
    the Keras port and as plain loops on the same GPU."""
    from tfport.results import RunResult
    from tfport.tables import markdown_table, one_row_each

    records = [RunResult.from_dict(record) for record in index["records"] if "error" not in record]
    rows = []
    same_machine = records[0].environment.get("device", "") if records else ""  # one machine
    profile = next((found["profile"] for found in [*index["variants"], index.get("reference")]
                    if found and "profile" in found), "article")
    scan = index.get("reference_jax_scan") or {}
    scan_steady = statistics.median(scan["epoch_s"][1:]) if scan.get("epoch_s") else None

    def row(what: str, device: str, accuracy: float, train_s: float, steady: float) -> list[str]:
        ratio = f"{steady / scan_steady:.1f}" if scan_steady else ""
        return [what, device, f"{accuracy:.4f}", f"{train_s:.1f}", f"{steady:.3f}", ratio]

    for variant in index["variants"]:
        if "chunk_s" in variant:
            steady = variant["chunk_s"][1] / variant["chunks"][1]
            rows.append(row(f"Keras port on {variant['backend']}: `{variant['variant']}`",
                            variant.get("device") or same_machine, variant["accuracy"][-1],
                            sum(variant["chunk_s"]), steady))
    for name in ("reference", "reference_jax_scan"):
        found = index.get(name)
        if found and "epoch_s" in found:
            rows.append(row(found["what"], found["device"], found["test_accuracy"],
                            found["train_time_s"], statistics.median(found["epoch_s"][1:])))
    before = [r.example for r in records if r.example == "bert_classifier"
              and "checkpoint" not in r.environment]
    note = (["(bert_classifier's row was made before the example loaded a pretrained BERT: "
             f"on a random-weight BERT-Tiny. `--bert FOLDER` remakes it.)", ""] if before else [])
    return "\n".join([
        one_row_each(records), "", *note,
        markdown_table([f"cnn_sparse, {profile} profile", "device", "test accuracy", "training s",
                        "s per epoch after the first (median)", "/ plain JAX scan"], rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/gpu"))
    parser.add_argument("--profile", default="article")
    parser.add_argument("--jax", nargs="*", default=JAX_DEFAULT, metavar="ID")
    parser.add_argument("--torch", nargs="*", default=["cnn_sparse"], metavar="ID")
    parser.add_argument("--bert", metavar="FOLDER", type=Path, default=None,
                        help="also run bert_classifier on JAX from this Hugging Face BERT folder")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--no-variants", action="store_true")
    parser.add_argument("--rewrite", metavar="INDEX", type=Path, default=None,
                        help="run nothing: write gpu.md again beside a run's index.json")
    parser.add_argument("--jax-scan-only", metavar="PROFILE", default=None,
                        help=argparse.SUPPRESS)  # the child that runs the plain JAX loop
    parser.add_argument("--bert-only", metavar="FOLDER", type=Path, default=None,
                        help=argparse.SUPPRESS)  # the child that runs bert_classifier
    args = parser.parse_args(argv)
    if args.jax_scan_only:
        print(json.dumps(reference_jax_scan_cnn(args.jax_scan_only)))
        return 0
    if args.bert and not (args.bert / "model.safetensors").is_file():
        print(f"gpu_records.py: {args.bert} has no model.safetensors: give a Hugging Face BERT "
              f"folder (../shared/data/all-MiniLM-L6-v2)", file=sys.stderr)
        return 2
    if args.bert_only:
        args.out.mkdir(parents=True, exist_ok=True)
        print(json.dumps({"record": str(bert_on_this_machine(args.bert_only, args.profile,
                                                             args.out))}))
        return 0
    if args.rewrite:
        table = report(json.loads(args.rewrite.read_text()))
        (args.rewrite.parent / "gpu.md").write_text(table + "\n")
        print(table)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    index: dict = {"command": " ".join(["python benchmarks/gpu_records.py", *(argv or sys.argv[1:])]),
                   "records": [], "variants": [], "reference": None}
    def save() -> None:  # after every step: a run stopped part-way keeps what it made
        (args.out / "index.json").write_text(json.dumps(index, indent=2) + "\n")

    if not args.no_reference:
        index["reference"] = reference_torch_cnn(args.profile)
        save()
        # JAX in a child: it must not share the GPU with PyTorch
        index["reference_jax_scan"] = child("plain JAX cnn_sparse",
                                            [sys.executable, __file__, "--jax-scan-only",
                                             args.profile])
        save()
        for name in ("reference", "reference_jax_scan"):
            print(f"{name}: {index[name].get('test_accuracy')} in "
                  f"{index[name].get('train_time_s')} s", flush=True)
    if not args.no_variants:  # beside the references: the ratio the report is for
        for variant in ("keras fit", "keras fit, 100 steps/call", "keras fast", "keras jax scan"):
            index["variants"].append(measured_variant(variant, "jax", args.profile))
            save()
    for backend, examples in (("jax", args.jax), ("torch", args.torch)):
        for example_id in examples:
            index["records"].append(run_port(example_id, backend, args.profile, args.out))
            save()
    if args.bert:
        index["records"].append(run_bert(args.bert, args.profile, args.out))
        save()
    (args.out / "gpu.md").write_text(report(index) + "\n")
    print(f"wrote {args.out}/index.json and {args.out}/gpu.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
