"""The `tfport` command: list the examples, run one in both APIs, or compare them all.

The options, and `main`, which checks the inputs (tfport/inputs.py) and runs the command
(tfport/commands.py). Every error is one line on stderr; README.md lists the exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from tfport import runtime
from tfport.backends import BACKENDS, in_child
from tfport.backends import DEFAULT as DEFAULT_BACKEND
from tfport.commands import COMMANDS, list_examples
from tfport.errors import TfportError
from tfport.examples import APIS
from tfport.inputs import check_inputs, find_bert_checkpoint
from tfport.profiles import PROFILES

# Every profile name of any example; inputs.py checks the examples run have the one asked for.
ALL_PROFILE_NAMES = tuple(dict.fromkeys(name for profiles in PROFILES.values() for name in profiles))

SEED_LIMIT = 2**32  # NumPy's and Keras's seeds are 0 <= seed < 2**32
BACKEND_HELP = (f"the Keras 3 backend the Keras ports run on (default: {DEFAULT_BACKEND}; "
                "another one runs in a child process)")


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (and exit 2), not a usage dump."""

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
    _add_common(commands.add_parser("compare", help="run every example in both APIs, one table"))

    audit = commands.add_parser("audit", help="measure every claim the articles make")
    _add_common(audit, out=False)
    audit.add_argument("--records", type=Path, default=None,
                       help="where run records are kept and reused (default: runs/audit-PROFILE)")
    audit.add_argument("--report", type=Path, default=None, help="the Markdown report; JSON "
                       "goes beside it (default: runs/audit-PROFILE.md)")
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
    verify.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND,
                        help=BACKEND_HELP)
    _add_verbose(verify)

    convert = commands.add_parser("convert-checkpoint",
                                  help="turn a TF1 port's checkpoint into Keras weights")
    convert.add_argument("example", metavar="ID", help="the example whose TF1 port saved it")
    convert.add_argument("checkpoint", metavar="CKPT", help="the checkpoint's path prefix")
    convert.add_argument("out", metavar="OUT", type=Path, help="the Keras weights, *.weights.h5")
    convert.add_argument("--profile", choices=ALL_PROFILE_NAMES, default="article",
                         help="the profile the checkpoint was trained with (default: article)")
    _add_verbose(convert)

    bert = commands.add_parser("bert-checkpoint", help="write the BERT example's pretrained "
                               "checkpoint in google-research/bert's layout (what the TF1 "
                               "port loads)")
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
                       metavar="B", help=f"the Keras backends to time, of {', '.join(BACKENDS)} "
                       "(default: tensorflow); the TF1 port is the baseline on each")
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
    """A --seed value: a whole number NumPy and Keras take as a seed."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(
            f"a seed is a whole number from 0 to {SEED_LIMIT - 1}, got {value}")
    return value


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's start-up lines and warnings")


def _add_common(parser: argparse.ArgumentParser, out: bool = True) -> None:
    """`run`'s, `compare`'s and `audit`'s options (`audit` has no --out and no --backend)."""
    parser.add_argument("--profile", choices=ALL_PROFILE_NAMES, default="quick",
                        help="quick: a subset, seconds; article: the article's settings "
                             "(bert_classifier: article-intent, article-finance and "
                             "article-recommendation too, its article's other runs; "
                             "default: quick)")
    parser.add_argument("--seed", type=seed_number, default=0)
    if out:
        parser.add_argument("--backend", choices=BACKENDS, default=DEFAULT_BACKEND,
                            help=BACKEND_HELP)
        parser.add_argument("--out", type=Path, default=Path("runs"),
                            help="where the JSON records and plots go (default: ./runs)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    _add_verbose(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, check its inputs, then run the command (tfport/commands.py)."""
    args = _parser().parse_args(argv)
    if args.command == "list":
        return list_examples()
    try:
        check_inputs(args)
        if args.command in ("run", "compare", "verify"):
            # Keras takes its backend when first imported: another one needs a new process.
            code = in_child(args.backend, sys.argv[1:] if argv is None else list(argv))
            if code is not None:
                return code
        runtime.quiet_start(args.verbose)
        find_bert_checkpoint(args)
        return COMMANDS[args.command](args, argv)
    except TfportError as error:
        print(f"tfport: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("tfport: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
