"""The `tfport` command: list the examples, run one in both APIs, or compare them all.

    tfport list
    tfport run ID [--api tf1|keras|both] [--profile quick|article] [--seed N] [--out DIR]
               [--save-checkpoint]
    tfport compare [--profile quick|article] [--seed N] [--out DIR]
    tfport audit [--profile quick|article] [--seed N] [--records DIR] [--report FILE]
                 [--rerun | --no-run]
    tfport verify [ID ...] [--steps K] [--seed N] [--report FILE]
    tfport convert-checkpoint ID CKPT OUT
    tfport bert-checkpoint DIR
    tfport bench [ID ...] [--profile article|quick|...] [--repeat N] [--epochs N] [--steps N]
                 [--out DIR] [--rewrite JSON]

Every command takes `--verbose` (TensorFlow's own start-up lines and warnings) and, where it
trains, `--quiet` (no progress bars).

Exit codes: 0 done; 1 something could not be used (data, a checkpoint, an output path, a
failed benchmark run) or `verify` found the ports not equivalent; 2 a command line that asks
for something that does not exist; 130 interrupted (Ctrl-C). Every error is one line on
stderr, and every input is checked before any training starts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Sequence

from tfport.backends import BACKENDS
from tfport.backends import DEFAULT as DEFAULT_BACKEND
from tfport.errors import OutputError, TfportError, UnknownChoice
from tfport.examples import APIS, EXAMPLES
from tfport.profiles import PROFILE_NAMES, PROFILES

# Every profile name any example has (bert_classifier has one per run of its article); each
# command checks that the examples it runs have the one asked for.
ALL_PROFILE_NAMES = tuple(dict.fromkeys(name for profiles in PROFILES.values() for name in profiles))

SEED_LIMIT = 2**32  # NumPy's and Keras's seeds are 0 <= seed < 2**32


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not a usage dump; the twins
    run as scripts (tfport.script) parse with it too."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="tfport", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=OneLineParser,
        metavar="{list,run,compare,audit,verify,convert-checkpoint,bert-checkpoint,bench}")
    commands.add_parser("list", help="the examples, their articles and profiles")

    run = commands.add_parser("run", help="run one example in one or both APIs")
    run.add_argument("example", metavar="ID", help="an example id from `tfport list`")
    run.add_argument("--api", choices=[*APIS, "both"], default="both")
    run.add_argument("--save-checkpoint", action="store_true",
                     help="save the trained TF1 graph as a Saver checkpoint in --out")
    _add_common(run)

    compare = commands.add_parser("compare", help="run every example in both APIs, one table")
    _add_common(compare)

    audit = commands.add_parser("audit", help="measure every claim the articles make")
    _add_common(audit, out=False, backend=False)
    audit.add_argument("--records", type=Path, default=None,
                       help="where run records are kept and reused (default: runs/audit-PROFILE)")
    audit.add_argument("--report", type=Path, default=None,
                       help="the Markdown report; JSON goes beside it (default: runs/audit-PROFILE.md)")
    mode = audit.add_mutually_exclusive_group()
    mode.add_argument("--rerun", action="store_true", help="run everything, even if recorded")
    mode.add_argument("--no-run", action="store_true",
                      help="train nothing: report from the records, marking claims without them")

    verify = commands.add_parser("verify", help="check that the two ports are the same model")
    verify.add_argument("examples", metavar="ID", nargs="*",
                        help="example ids (default: every example)")
    verify.add_argument("--steps", type=_positive, default=5,
                        help="training steps to compare (default: 5)")
    verify.add_argument("--seed", type=seed_number, default=0)
    verify.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write the checks as Markdown, with the command and machine")
    _add_backend(verify)
    _add_verbose(verify)

    convert = commands.add_parser("convert-checkpoint",
                                  help="turn a TF1 port's checkpoint into Keras weights")
    convert.add_argument("example", metavar="ID", help="the example whose TF1 port saved it")
    convert.add_argument("checkpoint", metavar="CKPT", help="the checkpoint's path prefix")
    convert.add_argument("out", metavar="OUT", type=Path, help="the Keras weights, *.weights.h5")
    convert.add_argument("--profile", choices=ALL_PROFILE_NAMES, default="article",
                         help="the profile the checkpoint was trained with (default: article)")
    _add_verbose(convert)

    bert = commands.add_parser(
        "bert-checkpoint", help="write the BERT example's pretrained checkpoint in "
                                "google-research/bert's layout (what the TF1 port loads)")
    bert.add_argument("folder", metavar="DIR", type=Path,
                      help="where to write bert_config.json, vocab.txt and bert_model.ckpt.*")
    _add_verbose(bert)

    bench = commands.add_parser("bench", help="time every variant of the ports, interleaved")
    bench.add_argument("examples", metavar="ID", nargs="*",
                       help="example ids (default: cnn_sparse mlp_gd)")
    bench.add_argument("--profile", choices=ALL_PROFILE_NAMES, default="article",
                       help="whose data, batch size and learning rate (default: article; "
                            "bert_classifier: finetune too)")
    bench.add_argument("--repeat", type=_positive, default=5,
                       help="runs of each variant, interleaved (default: 5)")
    bench.add_argument("--epochs", type=_positive, default=None,
                       help="time at most N epochs of a mini-batch example (default: all)")
    bench.add_argument("--steps", type=_positive, default=100,
                       help="time at most N steps of a full-batch example (default: 100)")
    bench.add_argument("--seed", type=seed_number, default=0)
    bench.add_argument("--backend", nargs="+", choices=BACKENDS, default=["tensorflow"],
                       metavar="B", help="the Keras backends to time the Keras variants on, of "
                                         f"{', '.join(BACKENDS)} (default: tensorflow); the "
                                         "TF1 port is the baseline on each")
    bench.add_argument("--out", type=Path, default=Path("runs/bench"),
                       help="where the Markdown, JSON and PNG go (default: runs/bench)")
    bench.add_argument("--quiet", action="store_true", help="no progress lines")
    bench.add_argument("--rewrite", metavar="JSON", type=Path, default=None,
                       help="run nothing: render the Markdown and plot again from a report's JSON")
    _add_verbose(bench)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed_number(text: str) -> int:
    """A --seed value (argparse's `type`): a whole number NumPy and Keras take as a seed."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"a seed is a whole number from 0 to {SEED_LIMIT - 1}, "
                                         f"got {value}")
    return value


def _add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND,
                        help="the Keras 3 backend the Keras ports run on (default: "
                             f"{DEFAULT_BACKEND}; another one runs in a child process)")


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's start-up lines and warnings")


def _add_common(parser: argparse.ArgumentParser, out: bool = True, backend: bool = True) -> None:
    parser.add_argument("--profile", choices=ALL_PROFILE_NAMES, default="quick",
                        help="quick: a subset, seconds; article: the article's settings "
                             "(bert_classifier: article-intent, article-finance and "
                             "article-recommendation too, its article's other runs; "
                             "default: quick)")
    parser.add_argument("--seed", type=seed_number, default=0)
    if backend:
        _add_backend(parser)
    if out:
        parser.add_argument("--out", type=Path, default=Path("runs"),
                            help="where the JSON records and plots go (default: ./runs)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_verbose(parser)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "list":
        return _list()
    try:
        _check_inputs(args)
        if args.command in ("run", "compare", "verify"):
            from tfport.backends import in_child

            # Keras takes its backend when first imported: another one needs a new process.
            code = in_child(args.backend, sys.argv[1:] if argv is None else list(argv))
            if code is not None:
                return code
        from tfport import runtime

        runtime.quiet_start(args.verbose)
        if args.command in ("run", "compare", "audit", "verify") and not getattr(args, "no_run", False):
            _find_bert_checkpoint([e for e in [getattr(args, "example", None),
                                               *getattr(args, "examples", [])] if e]
                                  or list(EXAMPLES))
        return _COMMANDS[args.command](args, argv)
    except TfportError as error:
        print(f"tfport: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tfport: interrupted", file=sys.stderr)
        return 130


def _check_inputs(args: argparse.Namespace) -> None:
    """Everything a command needs, checked before TensorFlow is even imported."""
    from tfport.examples import check_example

    examples = [getattr(args, "example", None), *getattr(args, "examples", [])]
    for example_id in examples:
        if example_id is not None:
            check_example(example_id)
    if args.command == "run" and args.save_checkpoint and args.api == "keras":
        raise UnknownChoice("--save-checkpoint saves the TF1 port's trained graph: use it "
                            "with --api tf1 or both")
    chosen_backends = getattr(args, "backend", None) or []
    if isinstance(chosen_backends, str):
        chosen_backends = [chosen_backends]
    if args.command == "run" and args.api == "tf1" and chosen_backends != [DEFAULT_BACKEND]:
        raise UnknownChoice("--backend picks the Keras 3 backend of the Keras port; the TF1 "
                            "port runs on TensorFlow: use it with --api keras or both")
    for backend in chosen_backends:
        _check_backend_installed(backend)
    needs_tensorflow = args.command in ("compare", "audit", "verify", "bench") or (
        args.command == "run" and (args.api != "keras" or DEFAULT_BACKEND in chosen_backends
                                   or args.example == "bert_classifier"))
    if needs_tensorflow and not (args.command == "bench" and args.rewrite):
        import importlib.util

        if importlib.util.find_spec("tensorflow") is None:
            raise UnknownChoice("TensorFlow is not installed: the TF1 ports, the Keras "
                                "ports' default backend and bert_classifier (a TF1 checkpoint, "
                                "tf.data batches) need it (pip install -e .); without it, run "
                                "another Keras port on another backend: tfport run ID "
                                "--api keras --backend jax")
    records = None if getattr(args, "no_run", False) else getattr(args, "records", None)
    for folder in (getattr(args, "out", None), records):
        if folder is not None and args.command != "convert-checkpoint" \
                and not getattr(args, "rewrite", None):
            writable_folder(folder)
    if getattr(args, "report", None) is not None:
        writable_folder(args.report.parent)
    if args.command == "convert-checkpoint":
        if not args.out.name.endswith(".weights.h5"):
            raise OutputError(f"the output {args.out} must end in .weights.h5, the file "
                              f"Keras 3's `model.load_weights` reads")
        writable_folder(args.out.parent)
        if args.profile not in PROFILES[args.example]:
            raise UnknownChoice(f"{args.example} has no profile {args.profile!r}; choose "
                                f"one of {', '.join(PROFILES[args.example])}")
    if args.command == "bench" and args.rewrite is not None and not args.rewrite.is_file():
        raise OutputError(f"no benchmark report at {args.rewrite}; give the .json that "
                          f"`tfport bench` wrote")
    if args.command == "bert-checkpoint":
        if args.folder.exists() and any(args.folder.iterdir()):
            raise OutputError(f"{args.folder} is not empty; give a new or empty folder")
        writable_folder(args.folder)
    trains = not (args.command in ("convert-checkpoint", "bert-checkpoint")
                  or getattr(args, "rewrite", None) or getattr(args, "no_run", False))
    if trains:
        default = ["cnn_sparse", "mlp_gd"] if args.command == "bench" else list(EXAMPLES)
        chosen = [e for e in examples if e] or default
        if args.command in ("compare", "audit") and args.profile not in PROFILE_NAMES:
            raise UnknownChoice(f"{args.command} runs every example: choose --profile "
                                f"{' or '.join(PROFILE_NAMES)}")
        if args.command in ("run", "bench"):
            for example_id in chosen:
                if args.profile not in PROFILES[example_id]:
                    raise UnknownChoice(f"{example_id} has no profile {args.profile!r}; choose "
                                        f"one of {', '.join(PROFILES[example_id])}")
        _check_data(args, chosen)


def _check_backend_installed(backend: str) -> None:
    import importlib.util

    if backend != DEFAULT_BACKEND and importlib.util.find_spec(backend) is None:
        raise UnknownChoice(f"the {backend} backend needs {backend} installed: "
                            f"pip install -e \".[backends]\" (JAX and PyTorch, CPU builds)")


def _check_data(args: argparse.Namespace, examples: list[str]) -> None:
    """The MNIST file loads and holds what each profile to be run needs; the movie-review
    sentences load where a profile trains on them."""
    from tfport import data, polarity

    name = getattr(args, "profile", "quick")
    profiles = [PROFILES[e][name] for e in examples if name in PROFILES[e]]
    mnist_profiles = [PROFILES[e][name] for e in examples
                      if EXAMPLES[e].uses_mnist and name in PROFILES[e]]
    if mnist_profiles:
        mnist = data.load_mnist()
        for profile in mnist_profiles:
            data.subset(mnist, profile.train_size, profile.test_size)
    if "bert_classifier" in examples:
        if any(profile.data == "mr" for profile in profiles) or args.command == "verify":
            polarity.load_polarity()


def bert_checkpoint_name() -> str:
    """The BERT checkpoint the ports load, as a record names it."""
    from tfport.results import weights_loaded

    return weights_loaded("bert_classifier")["checkpoint"]


def _find_bert_checkpoint(examples: list[str]) -> None:
    """The BERT example's checkpoint, found (downloaded the first time, where no folder is
    named) and converted to each API's layout before any training starts."""
    from tfport import bert_checkpoint

    if "bert_classifier" in examples:
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


def _list() -> int:
    from tfport.tables import markdown_table

    rows = [[e.id, f"{e.article} lines {e.lines}", e.summary, ", ".join(PROFILES[e.id])]
            for e in EXAMPLES.values()]
    print(markdown_table(["id", "article", "what it shows", "profiles"], rows))
    return 0


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport import plots
    from tfport.examples import run_example
    from tfport.tables import side_by_side

    apis = APIS if args.api == "both" else (args.api,)
    stem = f"{args.example}-{args.profile}-seed{args.seed}{_on_backend(args)}"
    checkpoint = args.out / f"{args.example}-tf1-{args.profile}-seed{args.seed}.ckpt" \
        if args.save_checkpoint else None
    results = []
    for api in apis:
        if not args.quiet:
            print(f"== {args.example} / {api} / {args.profile} profile / seed {args.seed}")
        results.append(run_example(args.example, api, args.profile, args.seed, args.out,
                                   verbose=0 if args.quiet else 1,
                                   checkpoint=checkpoint if api == "tf1" else None))
    print()
    print(side_by_side(results))
    if args.example == "bert_classifier" and PROFILES[args.example][args.profile].data == "mr":
        from tfport import polarity

        baseline = polarity.bag_of_words_baseline(polarity.load_polarity())
        print(f"\nFor comparison, a bag-of-words logistic regression on the same split: test "
              f"accuracy {baseline:.4f} (tfport.polarity.bag_of_words_baseline)")
    written = [_save(result, args.out) for result in results]
    if checkpoint is not None:
        written.append(f"{checkpoint} (a TF1 checkpoint: `tfport convert-checkpoint "
                       f"{args.example} {checkpoint} OUT.weights.h5` makes Keras weights of it)")
    written.append(args.out / loss_plot_name(stem, apis))
    plots.loss_curves(results, written[-1], x_label=_x_label(args.example, args.profile))
    print("\nwrote " + ", ".join(str(path) for path in written))
    return 0


def _on_backend(args: argparse.Namespace) -> str:
    """What a file name adds for a Keras backend other than TensorFlow: "-jax", "-torch"."""
    return "" if args.backend == DEFAULT_BACKEND else f"-{args.backend}"


def loss_plot_name(stem: str, apis: Sequence[str]) -> str:
    """Both APIs' curves go to STEM-loss.png; one API's alone to STEM-API-loss.png, so that
    a one-API run never replaces the two-curve plot."""
    return f"{stem}-loss.png" if tuple(apis) == APIS else f"{stem}-{'-'.join(apis)}-loss.png"


def _compare(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport import plots
    from tfport.examples import run_example
    from tfport.tables import one_row_each

    results = []
    table_path = args.out / f"compare-{args.profile}-seed{args.seed}{_on_backend(args)}.md"
    try:
        for example_id in EXAMPLES:
            pair = []
            for api in APIS:
                if not args.quiet:
                    print(f"== {example_id} / {api} / {args.profile} profile / seed {args.seed}")
                pair.append(run_example(example_id, api, args.profile, args.seed, args.out,
                                        verbose=0 if args.quiet else 1))
                _save(pair[-1], args.out)
                results.append(pair[-1])
            plots.loss_curves(pair, args.out / loss_plot_name(
                f"{example_id}-{args.profile}-seed{args.seed}{_on_backend(args)}", APIS),
                x_label=_x_label(example_id, args.profile))
    except KeyboardInterrupt:
        if results:
            _write_table(one_row_each(results), table_path)
            print(f"\nwrote {table_path} with the {len(results)} runs that finished",
                  file=sys.stderr)
        raise
    table = one_row_each(results)
    print()
    print(table)
    _write_table(table, table_path)
    print(f"\nwrote {table_path}, the records and the loss plots to {args.out}")
    return 0


def _write_table(table: str, path: Path) -> None:
    try:
        path.write_text(table + "\n")
    except OSError as error:
        raise OutputError(f"cannot write {path} ({error.strerror or error})") from None


def _save(result, out: Path) -> Path:
    try:
        return result.save(out)
    except OSError as error:
        raise OutputError(f"cannot write the record into {out} ({error.strerror or error})") from None


def _audit(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport.audit import audit
    from tfport.tables import markdown_table

    records = args.records or Path(f"runs/audit-{args.profile}")
    report = args.report or Path(f"runs/audit-{args.profile}.md")
    if not args.no_run:
        writable_folder(records)
    writable_folder(report.parent)
    command = "tfport " + " ".join(sys.argv[1:] if argv is None else argv)
    rows = audit(args.profile, args.seed, records, report, reuse=not args.rerun,
                 verbose=0 if args.quiet else 1, command=command, run_missing=not args.no_run)
    print(markdown_table(["example", "claim", "tf1", "keras", "verdict"],
                         [[r.example, r.claim, r.tf1, r.keras, r.verdict] for r in rows]))
    print(f"\nwrote {report} and {report.with_suffix('.json')}")
    return 0


def _verify(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport.verify import passed, table, verify

    failed, sections = [], []
    for example_id in args.examples or EXAMPLES:
        print(f"== {example_id}: TF1 and Keras, same weights, same batches")
        checks = verify(example_id, steps=args.steps, seed=args.seed)
        verdict = f"{example_id}: {'equivalent' if passed(checks) else 'NOT equivalent'}"
        print(table(checks))
        print(f"{verdict}\n")
        sections += [f"## {example_id}", "", table(checks), "", verdict, ""]
        if not passed(checks):
            failed.append(example_id)
    if args.report is not None:
        from tfport.report import write_report
        from tfport.results import environment

        command = "tfport " + " ".join(sys.argv[1:] if argv is None else argv)
        checkpoint = ({"checkpoint": f"BERT checkpoint: {bert_checkpoint_name()}"}
                      if "bert_classifier" in (args.examples or EXAMPLES) else {})
        body = ["", *(f"- {line}" for line in checkpoint.values()), "", *sections]
        write_report(args.report, "tfport verify: the two ports, number by number", command,
                     environment(), body)
        print(f"wrote {args.report}")
    if failed:
        print(f"tfport: {len(failed)} not equivalent: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _bench(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport.bench import bench, rewrite, table

    if args.rewrite is not None:
        print(table(rewrite(args.rewrite)))
        print(f"\nwrote {args.rewrite.with_suffix('.md')} and {args.rewrite.with_suffix('.png')}")
        return 0
    command = "tfport " + " ".join(sys.argv[1:] if argv is None else argv)
    summaries = bench(args.examples or ["cnn_sparse", "mlp_gd"], profile=args.profile,
                      repeat=args.repeat, max_epochs=args.epochs, max_steps=args.steps,
                      out=args.out, seed=args.seed, command=command, verbose=not args.quiet,
                      backends=args.backend)
    print(table(summaries))
    stem = args.out / f"bench-{args.profile}"
    print(f"\nwrote {stem}.md, {stem}.json and {stem}.png")
    return 0


def _convert(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport.transfer import convert_checkpoint

    out = convert_checkpoint(args.example, args.checkpoint, args.out, args.profile)
    print(f"wrote {out}: load it with keras_models.{args.example}.build_model("
          f"get_profile({args.example!r}, {args.profile!r})).load_weights({str(out)!r})")
    return 0


def _x_label(example_id: str, profile: str) -> str:
    return "full-batch step" if PROFILES[example_id][profile].full_batch else "epoch"


def _bert_checkpoint(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    import shutil

    from tfport import bert_checkpoint

    checkpoint = bert_checkpoint.pretrained_bert()
    folder = Path(checkpoint.google_checkpoint).parent
    shutil.copytree(folder, args.folder, dirs_exist_ok=True)
    print(f"wrote {args.folder}: bert_config.json, vocab.txt, bert_model.ckpt.* of "
          f"{checkpoint.source} in google-research/bert's layout")
    return 0


_COMMANDS = {"run": _run, "compare": _compare, "audit": _audit, "verify": _verify,
             "bench": _bench, "convert-checkpoint": _convert, "bert-checkpoint": _bert_checkpoint}


if __name__ == "__main__":
    sys.exit(main())
