"""Measure the spread of the quick profiles over seeds: where the tests' bars come from.

    python benchmarks/quick_spread.py [--seeds 0 1 2 3 4] [--out docs/spread/quick.json] [IDS ...]
    python benchmarks/quick_spread.py --table docs/spread/quick.json   (the .md beside it, again)

For every example and API: the test accuracy and loss at each seed, and the largest
|keras - tf1| gap at the same seed. `--out` adds or replaces the examples run in that JSON
(with command, date, machine, versions); tests/test_examples.py reads docs/spread/quick.json
(docs/testing.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from tfport import bench, runtime  # noqa: E402

runtime.quiet_start()
from tfport.examples import APIS, EXAMPLES, run_example  # noqa: E402
from tfport.tables import markdown_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", default=list(EXAMPLES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--out", type=Path, help="write (or update) the spread as JSON here")
    parser.add_argument("--table", type=Path, help="run nothing: write FILE's table beside it")
    args = parser.parse_args()
    if args.table:
        write(args.table, json.loads(args.table.read_text())["profile"], {}, {})
        return

    measured, environment = {}, {}
    for example_id in args.ids:
        figures = {api: {"accuracy": [], "loss": []} for api in APIS}
        for seed in args.seeds:
            for api in APIS:
                result = run_example(example_id, api, args.profile, seed, verbose=0)
                environment = result.environment
                figures[api]["accuracy"].append(result.test_accuracy)
                figures[api]["loss"].append(result.test_loss)
                print(f"{example_id} {api} seed {seed}: accuracy {result.test_accuracy:.4f}, "
                      f"loss {result.test_loss:.4f} ({result.wall_time_s:.1f} s)", flush=True)
        gaps = {f"max_{measure}_gap": max(abs(k - t) for k, t in zip(figures["keras"][measure],
                                                                      figures["tf1"][measure]))
                for measure in ("accuracy", "loss")}
        measured[example_id] = {**figures, **gaps, "seeds": args.seeds}
    print()
    print(table(measured))
    if args.out:
        write(args.out, args.profile, measured, environment)


def table(examples: dict) -> str:
    """The spread of each example and API: accuracy and test loss at every seed, the lowest
    and mean accuracy, and the largest same-seed gaps between the APIs."""
    rows = []
    for example_id, figures in examples.items():
        for api in APIS:
            accuracy, loss = figures[api]["accuracy"], figures[api]["loss"]
            rows.append([example_id, api, " ".join(f"{a:.4f}" for a in accuracy),
                         f"{min(accuracy):.4f}", f"{statistics.mean(accuracy):.4f}",
                         f"{figures['max_accuracy_gap']:.4f}", " ".join(f"{v:.4f}" for v in loss),
                         f"{figures['max_loss_gap']:.4f}"])
    seeds = next(iter(examples.values()))["seeds"] if examples else []
    return markdown_table(["example", "api", f"accuracy at seeds {seeds}", "min", "mean",
                           "max |keras-tf1| same seed", "test loss", "max loss gap"], rows)


def write(path: Path, profile: str, measured: dict, environment: dict) -> None:
    spread = json.loads(path.read_text()) if path.exists() else {"examples": {}}
    when = bench.utc_now()
    for example_id, figures in measured.items():
        spread["examples"][example_id] = {
            **figures, "measured": when,
            "command": "python benchmarks/quick_spread.py " + " ".join(sys.argv[1:]),
            "machine": f"{bench.this_machine()}, {environment.get('device', '?')}",
            "versions": {key: environment.get(key) for key in ("tensorflow", "keras", "python")},
        }
    spread["profile"] = profile
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spread, indent=2) + "\n")
    # and the table of every example in the file, beside it, for the docs pages to show
    machines = sorted({entry["machine"] for entry in spread["examples"].values()})
    path.with_suffix(".md").write_text(
        f"Measured by `python benchmarks/quick_spread.py` ({spread['profile']} profile) on "
        f"{'; '.join(machines)}; each example's command and date are in {path.name}.\n\n"
        + table(spread["examples"]) + "\n")
    print(f"wrote {path} and {path.with_suffix('.md')}")


if __name__ == "__main__":
    main()
