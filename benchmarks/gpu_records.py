"""The Keras ports on a GPU: article-profile records on JAX and PyTorch.

    python benchmarks/gpu_records.py --out docs/results/gpu [--profile article]
        [--jax ID ...] [--torch ID ...] [--bert .gpu-data/bert]

Each in a fresh process (Keras takes its backend when first imported): `tfport run ID --api
keras --backend B` for each example under `--jax` and `--torch`; with `--bert FOLDER` (a
Hugging Face BERT folder) bert_classifier's port on JAX with Grain's batches in place of
`tf.data` (`bert_on_this_machine`; needs keras-hub, safetensors and grain). It needs no
TensorFlow (the GPU machine has JAX and PyTorch only). Everything it writes is listed in
OUT/index.json. The comparison with plain PyTorch and JAX loops that the committed index
also holds is retired (benchmarks/README.md): docs/results/gpu/plain-loops.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
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


def report(index: dict) -> str:
    """docs/backends.md's GPU table: every Keras record of the index. (The retired comparison
    with plain loops that the committed index also holds is docs/results/gpu/plain-loops.md.)"""
    from tfport.results import RunResult
    from tfport.tables import one_row_each

    records = [RunResult.from_dict(record) for record in index["records"] if "error" not in record]
    before = [r.example for r in records if r.example == "bert_classifier"
              and "checkpoint" not in r.environment]
    note = (["", "(bert_classifier's row was made before the example loaded a pretrained BERT: "
                 "on a random-weight BERT-Tiny. `--bert FOLDER` remakes it.)"] if before else [])
    return "\n".join([one_row_each(records), *note])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/gpu"))
    parser.add_argument("--profile", default="article")
    parser.add_argument("--jax", nargs="*", default=JAX_DEFAULT, metavar="ID")
    parser.add_argument("--torch", nargs="*", default=["cnn_sparse"], metavar="ID")
    parser.add_argument("--bert", metavar="FOLDER", type=Path, default=None,
                        help="also run bert_classifier on JAX from this Hugging Face BERT folder")
    parser.add_argument("--rewrite", metavar="INDEX", type=Path, default=None,
                        help="run nothing: write gpu.md again beside a run's index.json")
    parser.add_argument("--bert-only", metavar="FOLDER", type=Path, default=None,
                        help=argparse.SUPPRESS)  # the child that runs bert_classifier
    args = parser.parse_args(argv)
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
        try:
            table = report(json.loads(args.rewrite.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"gpu_records.py: {args.rewrite} is not this script's index.json ({error})",
                  file=sys.stderr)
            return 2
        (args.rewrite.parent / "gpu.md").write_text(table + "\n")
        print(table)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    index: dict = {"command": " ".join(["python benchmarks/gpu_records.py", *(argv or sys.argv[1:])]),
                   "records": []}

    def save() -> None:  # after every step: a run stopped part-way keeps what it made
        (args.out / "index.json").write_text(json.dumps(index, indent=2) + "\n")

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
