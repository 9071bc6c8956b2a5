"""Measure the spread of the quick profiles over seeds: where the tests' bars come from.

    python benchmarks/quick_spread.py [--seeds 0 1 2 3 4] [IDS ...]

For every example and API it prints the test accuracy at each seed, the minimum and the
mean, and the largest |keras - tf1| accuracy gap at the same seed. The accuracy bars and
tolerances in tests/test_examples.py were set from this output (see the comments there).
"""

from __future__ import annotations

import argparse
import statistics

from tfport import runtime  # noqa: E402

runtime.quiet_start()
from tfport.examples import APIS, EXAMPLES, run_example  # noqa: E402
from tfport.tables import markdown_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", default=list(EXAMPLES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--profile", default="quick")
    args = parser.parse_args()

    rows = []
    for example_id in args.ids:
        accuracy = {api: [] for api in APIS}
        for seed in args.seeds:
            for api in APIS:
                result = run_example(example_id, api, args.profile, seed, verbose=0)
                accuracy[api].append(result.test_accuracy)
                print(f"{example_id} {api} seed {seed}: {result.test_accuracy:.4f} "
                      f"({result.wall_time_s:.1f} s)", flush=True)
        gaps = [abs(k - t) for k, t in zip(accuracy["keras"], accuracy["tf1"])]
        for api in APIS:
            rows.append([example_id, api, " ".join(f"{a:.4f}" for a in accuracy[api]),
                         f"{min(accuracy[api]):.4f}", f"{statistics.mean(accuracy[api]):.4f}",
                         f"{max(gaps):.4f}"])
    print()
    print(markdown_table(["example", "api", f"accuracy at seeds {args.seeds}", "min", "mean",
                          "max |keras-tf1| same seed"], rows))


if __name__ == "__main__":
    main()
