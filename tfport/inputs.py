"""Every input a `tfport` command needs, checked before any training: a bad one raises a
`TfportError` that says what is wrong and how to fix it."""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
from pathlib import Path

from tfport.backends import DEFAULT as DEFAULT_BACKEND
from tfport.errors import OutputError, UnknownChoice
from tfport.examples import EXAMPLES, check_example
from tfport.profiles import PROFILE_NAMES, PROFILES

BENCH_DEFAULT = ["cnn_sparse", "mlp_gd"]  # what `tfport bench` times without an ID


def named_examples(args: argparse.Namespace) -> list[str]:
    """The example ids on the command line (`run`'s one, `verify`'s and `bench`'s list)."""
    return [e for e in [getattr(args, "example", None), *getattr(args, "examples", [])]
            if e is not None]


def check_inputs(args: argparse.Namespace) -> None:
    """Everything a command needs, checked before TensorFlow is even imported."""
    command, rewrite = args.command, getattr(args, "rewrite", None)
    no_run = getattr(args, "no_run", False)
    for example_id in named_examples(args):
        check_example(example_id)  # an empty id too: it names no example
    if command == "run" and args.save_checkpoint and args.api == "keras":
        raise UnknownChoice("--save-checkpoint saves the TF1 port's trained graph: use it "
                            "with --api tf1 or both")
    chosen_backends = getattr(args, "backend", None) or []  # bench: a list; others: one name
    chosen_backends = [chosen_backends] if isinstance(chosen_backends, str) else chosen_backends
    if command == "run" and args.api == "tf1" and chosen_backends != [DEFAULT_BACKEND]:
        raise UnknownChoice("--backend picks the Keras 3 backend of the Keras port; the TF1 "
                            "port runs on TensorFlow: use it with --api keras or both")
    for backend in chosen_backends:
        if backend != DEFAULT_BACKEND and importlib.util.find_spec(backend) is None:
            raise UnknownChoice(f"the {backend} backend needs {backend} installed: "
                                f"pip install -e \".[backends]\" (JAX and PyTorch, CPU builds)")
    needs_tensorflow = command in ("compare", "audit", "verify") or (
        command == "bench" and not rewrite) or (
        command == "run" and (args.api != "keras" or DEFAULT_BACKEND in chosen_backends
                              or EXAMPLES[args.example].pretrained))
    if needs_tensorflow and importlib.util.find_spec("tensorflow") is None:
        pretrained = " and ".join(e.id for e in EXAMPLES.values() if e.pretrained)
        raise UnknownChoice("TensorFlow is not installed: the TF1 ports, the Keras ports' "
                            f"default backend and {pretrained} (a TF1 checkpoint, tf.data "
                            "batches) need it (pip install -e .); without it, run another "
                            "Keras port on another backend: tfport run ID --api keras "
                            "--backend jax")
    records = None if no_run else getattr(args, "records", None)
    if command not in ("convert-checkpoint", "bert-checkpoint") and not rewrite:
        for folder in (getattr(args, "out", None), records):
            if folder is not None:
                writable_folder(folder)
    if getattr(args, "report", None) is not None:
        writable_folder(args.report.parent)
    if command == "convert-checkpoint":
        if not args.out.name.endswith(".weights.h5"):
            raise OutputError(f"the output {args.out} must end in .weights.h5, the file "
                              f"Keras 3's `model.load_weights` reads")
        writable_folder(args.out.parent)
        _check_profile(args.example, args.profile)
    if command == "bench" and rewrite is not None and not rewrite.is_file():
        raise OutputError(f"no benchmark report at {rewrite}; give the .json that "
                          f"`tfport bench` wrote")
    if command == "bert-checkpoint":
        if args.folder.is_dir() and any(args.folder.iterdir()):  # a file: writable_folder says so
            raise OutputError(f"{args.folder} is not empty; give a new or empty folder")
        writable_folder(args.folder)
    if command in ("convert-checkpoint", "bert-checkpoint") or rewrite or no_run:
        return  # trains nothing
    chosen = named_examples(args) or (BENCH_DEFAULT if command == "bench" else list(EXAMPLES))
    if command in ("compare", "audit") and args.profile not in PROFILE_NAMES:
        raise UnknownChoice(f"{command} runs every example: choose --profile "
                            f"{' or '.join(PROFILE_NAMES)}")
    if command in ("run", "bench"):
        for example_id in chosen:
            _check_profile(example_id, args.profile)
    _check_data(args, chosen)


def _check_profile(example_id: str, profile: str) -> None:
    if profile not in PROFILES[example_id]:
        raise UnknownChoice(f"{example_id} has no profile {profile!r}; choose "
                            f"one of {', '.join(PROFILES[example_id])}")


def _check_data(args: argparse.Namespace, examples: list[str]) -> None:
    """The MNIST file and the movie-review sentences load and hold what the profiles need."""
    from tfport import data, polarity

    name = getattr(args, "profile", "quick")  # verify has no --profile
    profiles = {e: PROFILES[e][name] for e in examples if name in PROFILES[e]}
    mnist_profiles = [profile for e, profile in profiles.items() if EXAMPLES[e].uses_mnist]
    if mnist_profiles:
        mnist = data.load_mnist()
        for profile in mnist_profiles:
            data.subset(mnist, profile.train_size, profile.test_size)
    if any(EXAMPLES[e].text for e in examples) and (
            args.command == "verify" or any(p.data == "mr" for p in profiles.values())):
        polarity.load_polarity()


def find_bert_checkpoint(args: argparse.Namespace) -> None:
    """The pretrained BERT checkpoint, found (or downloaded) before a command trains on it."""
    if args.command not in ("run", "compare", "audit", "verify") or getattr(args, "no_run", False):
        return
    if any(EXAMPLES[e].pretrained for e in named_examples(args) or list(EXAMPLES)):
        from tfport import bert_checkpoint

        bert_checkpoint.pretrained_bert()


def writable_folder(folder: Path) -> Path:
    """Make `folder` (and its parents) and prove a file can be written in it, or OutputError."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder; give a folder to write into")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OutputError(f"cannot write into {folder} ({error.strerror or error}); "
                          f"choose a writable folder") from None
    return folder
