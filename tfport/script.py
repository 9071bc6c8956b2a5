"""A twin run as the article's script: `python legacy_tf1/ID.py`, `python keras_models/ID.py`.

The articles' programs were scripts: run, they trained, printed their progress and the test
figures. Each twin ends the same way, so that it runs as one too:

    if __name__ == "__main__":
        from tfport.script import run_as_script
        raise SystemExit(run_as_script("cnn_sparse", run))

Everything else a command line needs lives here, not in the file a learner diffs: the
options, `--profile NAME` (the `article` profile unless told; any profile the example's
record has, tfport/examples/<id>.py) and `--seed N`; their checks, as `tfport` makes them
(a mistake is one line on stderr and exit 2, before anything trains); TensorFlow's warnings
kept quiet; and, after the port's own output (its progress, then the test loss and
accuracy), the run's record as `tfport run` prints it.

    python keras_models/mlp_gd.py --profile quick --seed 1

A port file run this way is the module `__main__`; what it imports (`legacy_tf1.session`,
`tfport.data`, a twin it borrows from) comes from the installed project (`pip install -e .`).
TensorFlow's own start-up lines (oneDNN, CPU features, CUDA drivers) are written while the
port file's first lines import TensorFlow, before this module is reached, and TensorFlow
reads its C++ log level then too: those lines show, and its later C++ notes (such as "MLIR
V1 optimization pass is not enabled"), where `tfport run`, which imports TensorFlow itself
after setting the level, hides them. Hiding them here would take a line above each port
file's `import tensorflow` (or `import keras`).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path
from typing import Callable, Sequence

from tfport.cli import OneLineParser, seed_number
from tfport.errors import TfportError
from tfport.profiles import PROFILES
from tfport.results import RunResult
from tfport.tables import side_by_side

DEFAULT_PROFILE = "article"  # a script runs the article's program as the article ran it
API_OF_FOLDER = {"legacy_tf1": "tf1", "keras_models": "keras"}


def run_as_script(example_id: str, run: Callable[..., RunResult],
                  argv: Sequence[str] | None = None) -> int:
    """Train `run`, a twin's own `run` function, as the command line asks (`argv`, default
    `sys.argv[1:]`): check the options, print the port's output and then the result table;
    return the exit code (0 done, 1 a TfportError such as missing data, 2 a bad option,
    130 interrupted). A bad option exits through argparse (SystemExit 2), as `tfport` does."""
    folder = Path(inspect.getfile(run)).resolve().parent
    if folder.name not in API_OF_FOLDER or example_id not in PROFILES:
        raise ValueError(f"run_as_script runs a port's own run, from legacy_tf1/ or "
                         f"keras_models/, of an example in tfport/examples/; got "
                         f"{example_id!r} and {run.__qualname__} from {folder}")
    api = API_OF_FOLDER[folder.name]
    prog = f"python {folder.name}/{example_id}.py"
    parser = _parser(prog, example_id)
    args = parser.parse_args(argv)
    if args.profile not in PROFILES[example_id]:
        parser.error(f"{example_id} has no profile {args.profile!r}; choose one of "
                     f"{', '.join(PROFILES[example_id])}")
    _forget_the_port_folder(folder)
    # The TF1 scaffold (legacy_tf1/session.py) switches tf.compat.v1's layers to tf-keras
    # itself, as it does under `tfport run`.
    _quiet_tensorflow()
    profile = PROFILES[example_id][args.profile]
    print(f"== {example_id} / {api} / {profile.name} profile / seed {args.seed}")
    try:
        result = run(profile, seed=args.seed, verbose=1)
    except TfportError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    # What the run's record says it ran (the port records the profile and seed it was given).
    print(f"\n{result.example} ({result.api}), {result.profile} profile, seed {result.seed}:")
    print(side_by_side([result]))
    return 0


def _parser(prog: str, example_id: str) -> argparse.ArgumentParser:
    profiles = ", ".join(PROFILES[example_id])
    parser = OneLineParser(prog=prog, description=f"Train {example_id} as its article did, "
                                                  f"and print what the article printed.")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="NAME",
                        help=f"one of {profiles} (tfport/examples/{example_id}.py; default: "
                             f"{DEFAULT_PROFILE}, the article's settings)")
    parser.add_argument("--seed", type=seed_number, default=0, metavar="N",
                        help="the seed of the weights and the batch order (default: 0)")
    return parser


def _quiet_tensorflow() -> None:
    """TensorFlow as quiet as `tfport` keeps it (`runtime.quiet_start`), as far as it can be
    once the port file has imported it."""
    from tfport import runtime

    imported_before = "tensorflow" in sys.modules
    runtime.quiet_start()
    if not imported_before:
        return  # (a Keras port on another backend) quiet_start imported it, quietly
    # quiet_start leaves a TensorFlow imported before it as it is: what it does after its own
    # import is done here. The device search writes CUDA's probe ("failed call to cuInit" on
    # a machine without a GPU), once per process; TensorFlow's Python loggers keep notes such
    # as retracing warnings.
    import absl.logging
    import tensorflow as tf

    with runtime._stderr_caught():
        tf.config.list_physical_devices()
    tf.get_logger().setLevel("ERROR")
    absl.logging.set_verbosity(absl.logging.ERROR)


def _forget_the_port_folder(folder: Path) -> None:
    """`python legacy_tf1/ID.py` puts legacy_tf1/ first on sys.path, where its files would
    pass for top-level modules (`session`, `program`, `bert`) to anything imported while
    the port runs; the port's own imports name their package, which the install provides."""
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == folder:
        del sys.path[0]
