"""What each `tfport` command does once its inputs are checked (tfport/inputs.py): `COMMANDS`
maps a command's name to its function, `f(args, argv) -> exit code`."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Sequence

from tfport import polarity
from tfport.audit import audit
from tfport.backends import DEFAULT as DEFAULT_BACKEND
from tfport.errors import OutputError
from tfport.examples import APIS, EXAMPLES
from tfport.inputs import BENCH_DEFAULT, writable_folder
from tfport.profiles import PROFILES
from tfport.report import write_report
from tfport.results import environment, weights_loaded
from tfport.tables import markdown_table, one_row_each, side_by_side


def list_examples() -> int:
    rows = [[e.id, f"{e.article} lines {e.lines}", e.summary, ", ".join(PROFILES[e.id])]
            for e in EXAMPLES.values()]
    print(markdown_table(["id", "article", "what it shows", "profiles"], rows))
    return 0


def _run(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    apis = APIS if args.api == "both" else (args.api,)
    checkpoint = args.out / f"{args.example}-tf1-{args.profile}-seed{args.seed}.ckpt" \
        if args.save_checkpoint else None
    results = [_train(args, args.example, api, checkpoint if api == "tf1" else None)
               for api in apis]
    print(f"\n{side_by_side(results)}")
    if EXAMPLES[args.example].text and PROFILES[args.example][args.profile].data == "mr":
        baseline = polarity.bag_of_words_baseline(polarity.load_polarity())
        print(f"\nFor comparison, a bag-of-words logistic regression on the same split: test "
              f"accuracy {baseline:.4f} (tfport.polarity.bag_of_words_baseline)")
    written = [_save(result, args.out) for result in results]
    if checkpoint is not None:
        written.append(f"{checkpoint} (a TF1 checkpoint: `tfport convert-checkpoint "
                       f"{args.example} {checkpoint} OUT.weights.h5` makes Keras weights of it)")
    written.append(_plot(args, args.example, results, apis))
    print("\nwrote " + ", ".join(str(path) for path in written))
    return 0


def _compare(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    results = []
    table_path = args.out / f"compare-{args.profile}-seed{args.seed}{_on_backend(args)}.md"
    try:
        for example_id in EXAMPLES:
            for api in APIS:
                result = _train(args, example_id, api)
                _save(result, args.out)
                results.append(result)
            _plot(args, example_id, results[-len(APIS):], APIS)
    except KeyboardInterrupt:
        if results:
            _write_table(one_row_each(results), table_path)
            print(f"\nwrote {table_path} with the {len(results)} runs that finished",
                  file=sys.stderr)
        raise
    table = one_row_each(results)
    print(f"\n{table}")
    _write_table(table, table_path)
    print(f"\nwrote {table_path}, the records and the loss plots to {args.out}")
    return 0


def _train(args: argparse.Namespace, example_id: str, api: str, checkpoint: Path | None = None):
    from tfport.examples import run_example  # looked up at each call: tests replace it

    if not args.quiet:
        print(f"== {example_id} / {api} / {args.profile} profile / seed {args.seed}")
    return run_example(example_id, api, args.profile, args.seed, args.out,
                       verbose=0 if args.quiet else 1, checkpoint=checkpoint)


def _plot(args: argparse.Namespace, example_id: str, results: list, apis: Sequence[str]) -> Path:
    from tfport import plots

    stem = f"{example_id}-{args.profile}-seed{args.seed}{_on_backend(args)}"
    path = args.out / loss_plot_name(stem, apis)
    full_batch = PROFILES[example_id][args.profile].full_batch
    plots.loss_curves(results, path, x_label="full-batch step" if full_batch else "epoch")
    return path


def _audit(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    records = args.records or Path(f"runs/audit-{args.profile}")
    report = args.report or Path(f"runs/audit-{args.profile}.md")
    if not args.no_run:
        writable_folder(records)
    writable_folder(report.parent)
    rows = audit(args.profile, args.seed, records, report, reuse=not args.rerun,
                 verbose=0 if args.quiet else 1, command=_command_line(argv),
                 run_missing=not args.no_run)
    print(markdown_table(["example", "claim", "tf1", "keras", "verdict"],
                         [[r.example, r.claim, r.tf1, r.keras, r.verdict] for r in rows]))
    print(f"\nwrote {report} and {report.with_suffix('.json')}")
    return 0


def _verify(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport.verify import verify
    from tfport.verify_checks import passed, table

    failed, sections = [], []
    for example_id in args.examples or EXAMPLES:
        print(f"== {example_id}: TF1 and Keras, same weights, same batches")
        checks = verify(example_id, steps=args.steps, seed=args.seed)
        verdict = f"{example_id}: {'equivalent' if passed(checks) else 'NOT equivalent'}"
        print(f"{table(checks)}\n{verdict}\n")
        sections += [f"## {example_id}", "", table(checks), "", verdict, ""]
        if not passed(checks):
            failed.append(example_id)
    if args.report is not None:
        checkpoint = [f"- BERT checkpoint: {weights_loaded(example_id)['checkpoint']}"
                      for example_id in args.examples or EXAMPLES
                      if EXAMPLES[example_id].pretrained][:1]
        write_report(args.report, "tfport verify: the two ports, number by number",
                     _command_line(argv), environment(), ["", *checkpoint, "", *sections])
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
    summaries = bench(args.examples or BENCH_DEFAULT, profile=args.profile,
                      repeat=args.repeat, max_epochs=args.epochs, max_steps=args.steps,
                      out=args.out, seed=args.seed, command=_command_line(argv),
                      verbose=not args.quiet, backends=args.backend)
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


def _bert_checkpoint(args: argparse.Namespace, argv: Sequence[str] | None) -> int:
    from tfport import bert_checkpoint

    checkpoint = bert_checkpoint.pretrained_bert()
    folder = Path(checkpoint.google_checkpoint).parent
    shutil.copytree(folder, args.folder, dirs_exist_ok=True)
    print(f"wrote {args.folder}: bert_config.json, vocab.txt, bert_model.ckpt.* of "
          f"{checkpoint.source} in google-research/bert's layout")
    return 0


COMMANDS = {"run": _run, "compare": _compare, "audit": _audit, "verify": _verify,
            "bench": _bench, "convert-checkpoint": _convert, "bert-checkpoint": _bert_checkpoint}


def loss_plot_name(stem: str, apis: Sequence[str]) -> str:
    """STEM-loss.png for both APIs' curves, STEM-API-loss.png for one API's, so that a one-API
    run never replaces the two-curve plot."""
    return f"{stem}-loss.png" if tuple(apis) == APIS else f"{stem}-{'-'.join(apis)}-loss.png"


def _on_backend(args: argparse.Namespace) -> str:
    """What a file name adds for a Keras backend other than TensorFlow: "-jax", "-torch"."""
    return "" if args.backend == DEFAULT_BACKEND else f"-{args.backend}"


def _command_line(argv: Sequence[str] | None) -> str:
    """The command as typed, for a report's header."""
    return "tfport " + " ".join(sys.argv[1:] if argv is None else argv)


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
