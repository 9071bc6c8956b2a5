"""Why is `keras jax scan` slower than `fit` on a CPU? One JAX training step, looped two ways.

    python benchmarks/jax_scan_cpu.py [--steps 200] [--repeats 5] [--out docs/bench/jax-scan]

cnn_sparse's whole training step written in plain JAX (forward, backward and Adam on one
batch of 32: `jax_training_step` of benchmarks/backend_kernels.py), run STEPS times, each
step's weights and moments fed to the next:

- as one jitted function called from Python once per step, as Keras's `fit` runs its jitted
  training step on JAX (with or without `steps_per_execution`);
- as one jitted `jax.lax.scan` over the STEPS steps, as `keras jax scan` (tfport/measure.py)
  and the plain-JAX reference of benchmarks/gpu_records.py run an epoch.

The same computation on the same batch, so the two differ only in the loop around it.
Milliseconds per step: the median over REPEATS runs of the STEPS steps, each way, after one
warm-up run (which compiles); results waited for (`block_until_ready`).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def per_step_ms(steps: int, repeats: int) -> dict[str, float]:
    """Milliseconds per step of each loop (median over `repeats` runs of `steps` steps)."""
    import jax

    from benchmarks.backend_kernels import arrays, jax_training_step

    step, (q, m, s, t) = jax_training_step(arrays())
    one_step = jax.jit(step)

    def called_from_python():
        weights, first, second = q, m, s
        for _ in range(steps):
            weights, first, second = one_step(weights, first, second, t)
        return jax.block_until_ready(weights)

    scanned = jax.jit(lambda weights, first, second: jax.lax.scan(
        lambda carry, _: (step(*carry, t), None), (weights, first, second), None, length=steps)[0])

    def in_one_scan():
        return jax.block_until_ready(scanned(q, m, s))

    found = {}
    for name, run in (("jitted step called from Python", called_from_python),
                      ("one jitted lax.scan over the steps", in_one_scan)):
        run()  # compiles
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        found[name] = 1000 * statistics.median(times) / steps
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", help="folder for scan-vs-loop.md (default: print only)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.repeats < 1:
        print(f"jax_scan_cpu.py: --steps and --repeats must be at least 1, got {args.steps} "
              f"and {args.repeats}", file=sys.stderr)
        return 2
    from tfport import runtime

    runtime.quiet_start()
    import jax

    from tfport.backends import cpu_model
    from tfport.report import script_report
    from tfport.tables import markdown_table

    found = per_step_ms(args.steps, args.repeats)
    loop = found["jitted step called from Python"]
    rows = [[name, f"{ms:.2f}", f"{ms / loop:.2f}"] for name, ms in found.items()]
    table = markdown_table(["loop", "ms per step", "/ called from Python"], rows)
    what = (f"JAX {jax.__version__} on {jax.devices()[0].platform.upper()}, CPU: {cpu_model()}; "
            f"{args.steps} steps, {args.repeats} runs each way. "
            f"{__doc__.split(chr(10) + chr(10), 2)[2]}")
    path = Path(args.out) / "scan-vs-loop.md" if args.out else None
    script_report("cnn_sparse's JAX step, called from Python or scanned (CPU)",
                  "benchmarks/jax_scan_cpu.py", argv if argv is not None else sys.argv[1:],
                  what, table, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
