"""A twin run as the article's script: `python legacy_tf1/ID.py`, `python keras_models/ID.py`
(each twin's script block ends with `raise SystemExit(run_as_script("ID", run))`)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Callable, Sequence

from tfport import runtime
from tfport.cli import OneLineParser, seed_number
from tfport.errors import TfportError
from tfport.profiles import PROFILES
from tfport.results import RunResult
from tfport.tables import side_by_side

DEFAULT_PROFILE = "article"  # a script runs the article's program as the article ran it
API_OF_FOLDER = {"legacy_tf1": "tf1", "keras_models": "keras"}


def run_as_script(example_id: str, run: Callable[..., RunResult],
                  argv: Sequence[str] | None = None) -> int:
    """Run a twin's own `run` as `argv` asks and print its result; return the exit code."""
    folder = Path(inspect.getfile(run)).resolve().parent
    if folder.name not in API_OF_FOLDER or example_id not in PROFILES:
        raise ValueError(f"run_as_script runs a port's own run, from legacy_tf1/ or "
                         f"keras_models/, of an example in tfport/examples/; got "
                         f"{example_id!r} and {run.__qualname__} from {folder}")
    api = API_OF_FOLDER[folder.name]
    prog = f"python {folder.name}/{example_id}.py"
    parser = OneLineParser(prog=prog, description=f"Train {example_id} as its article did, "
                                                  f"and print what the article printed.")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, metavar="NAME",
                        help=f"one of {', '.join(PROFILES[example_id])} "
                             f"(tfport/examples/{example_id}.py; default: {DEFAULT_PROFILE}, "
                             f"the article's settings)")
    parser.add_argument("--seed", type=seed_number, default=0, metavar="N",
                        help="the seed of the weights and the batch order (default: 0)")
    args = parser.parse_args(argv)
    if args.profile not in PROFILES[example_id]:
        parser.error(f"{example_id} has no profile {args.profile!r}; choose one of "
                     f"{', '.join(PROFILES[example_id])}")
    # `python legacy_tf1/ID.py` puts legacy_tf1/ first on sys.path, where `session`,
    # `program` and `bert` would pass for top-level modules.
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == folder:
        del sys.path[0]
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
    print(f"\n{result.example} ({result.api}), {result.profile} profile, seed {result.seed}:")
    print(side_by_side([result]))
    return 0


def _quiet_tensorflow() -> None:
    """TensorFlow as quiet as `tfport` keeps it, as far as it can be once imported."""
    imported_before = "tensorflow" in sys.modules
    runtime.quiet_start()
    if not imported_before:
        return  # (a Keras port on another backend) quiet_start imported it, quietly
    # quiet_start leaves an imported TensorFlow as it is: hide CUDA's device probe here.
    import absl.logging
    import tensorflow as tf

    with runtime._stderr_caught():
        tf.config.list_physical_devices()
    tf.get_logger().setLevel("ERROR")
    absl.logging.set_verbosity(absl.logging.ERROR)
