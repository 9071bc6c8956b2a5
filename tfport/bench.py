"""`tfport bench`: how fast each port trains, measured the same way on the same machine.

Every run is a fresh child process (`tfport.measure`, which also names the variants), the
variants interleaved (A, B, C, A, B, C, ...) so that a slow minute of the machine hits each
alike; the parent times each child from start to exit. Here the runs become summaries (steady
time per epoch, the Keras / TF1 ratio repeat by repeat, start-up, time to bar, memory, the
share of the machine's GEMM rate), a report and a plot: docs/bench.md says what each means.
Also the child-process and date helpers the scripts in benchmarks/ share.
"""

from __future__ import annotations

import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from tfport.errors import BenchError, BenchRunError
from tfport.examples import EXAMPLES
from tfport.measure import FAITHFUL_TF1, VARIANTS, label, variants_of

# Examples with a training loop to time (their records' `benchmarked`; sigmoid_step is one
# step of one neuron).
BENCHMARKED = tuple(example.id for example in EXAMPLES.values() if example.benchmarked)
GEMM_SIZES = (1024, 2048, 4096)  # the reference is the best rate of any of them


def measure_in_child(spec: dict, timeout_s: float) -> dict:
    """`python -m tfport.measure SPEC` in a fresh process: its JSON and its seconds."""
    found, process_s = child_json(
        [sys.executable, "-m", "tfport.measure", json.dumps(spec)],
        {"KERAS_BACKEND": spec.get("backend", "tensorflow")}, timeout_s,
        what=f"a benchmark run [run: {json.dumps(spec)}]")
    return {**found, "process_s": process_s}


# --- child processes and dates: shared with the scripts in benchmarks/ -----------

class ChildFailed(BenchRunError):
    """A child process that exited with an error or printed no JSON; `stderr` holds the end
    of its error output (the message has its last line)."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


def run_child(argv: Sequence[str], environment: dict[str, str] | None = None,
              timeout_s: float | None = None, cwd: str | Path | None = None,
              what: str = "a benchmark run") -> tuple[subprocess.CompletedProcess, float]:
    """Run `argv` in a fresh process, its environment this one's with `environment`'s
    variables set, its output captured: the finished process and its seconds from start to
    exit. BenchRunError when it cannot start or runs past `timeout_s`."""
    try:
        started = time.perf_counter()
        completed = subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd,
                                   env={**os.environ, **(environment or {})}, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BenchRunError(f"{what} took over {timeout_s:.0f} s and was stopped") from None
    except OSError as error:
        raise BenchRunError(f"could not start {what} ({error})") from None
    return completed, time.perf_counter() - started


def child_json(argv: Sequence[str], environment: dict[str, str] | None = None,
               timeout_s: float | None = None, cwd: str | Path | None = None,
               what: str = "a benchmark run") -> tuple[dict, float]:
    """`run_child`, read: the last line of its output that is a JSON object, and the
    process's seconds. ChildFailed when it exited with an error or printed no such line."""
    completed, seconds = run_child(argv, environment, timeout_s, cwd, what)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = completed.stderr.strip().splitlines()[-1:] or ["(no error output)"]
        raise ChildFailed(f"{what} failed (exit {completed.returncode}): {tail[0]}",
                          completed.stderr[-2000:])
    return json.loads(lines[-1]), seconds


def utc_now() -> str:
    """The time now as the reports write it: 2026-11-27 05:57 UTC."""
    import datetime

    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def this_machine() -> str:
    """This machine as the scripts' JSON names it: its architecture and CPU cores."""
    import platform

    return f"{platform.machine()}, {os.cpu_count()} CPU cores"


@dataclasses.dataclass
class Summary:
    example: str
    variant: str
    unit: str  # "epoch" or "step"
    steady_s: float  # median over repeats of each run's median steady chunk time per unit
    steady_spread: tuple[float, float]
    samples_per_s: float
    startup_s: float
    import_s: float
    time_to_bar_s: float | None  # None: not reached in the measured units
    bar: float | None
    final_accuracy: float
    peak_rss_mb: float
    rss_above_import_mb: float
    flop_fraction: float  # training FLOP/s over the GEMM rate
    ratio_vs_tf1: float | None  # median of per-repeat steady-time ratios against tf1 feed_dict
    ratio_spread: tuple[float, float] | None
    repeats: int
    process_s: float  # the whole child process, start to exit
    process_spread: tuple[float, float]
    process_ratio: float | None  # median of per-repeat ratios against tf1 feed_dict
    process_ratio_spread: tuple[float, float] | None
    phases: dict[str, float]  # median seconds of each part of a run, whole process split


def steady_time(run: dict) -> float:
    """A run's steady time per epoch (full batch: per step): the median over the chunks
    after the first."""
    later = [seconds / units for seconds, units in zip(run["chunk_s"][1:], run["chunks"][1:])]
    return statistics.median(later) if later else run["chunk_s"][0] / run["chunks"][0]


PHASES = ("import", "loading data", "build", "first unit", "other units", "evaluate", "predict",
          "Python start and exit")


def _phases(run: dict) -> dict[str, float]:
    """A run's whole process split into parts (seconds) that add up to it: "loading data" is
    the child's time less its timed parts, "Python start and exit" the parent's time less the
    child's own."""
    timed = {"import": run["import_s"], "build": run["build_s"], "first unit": run["chunk_s"][0],
             "other units": sum(run["chunk_s"][1:]), "evaluate": sum(run["evaluate_s"]),
             "predict": run["predict_s"], "Python start and exit": run["process_s"] - run["end_s"]}
    rest = run["end_s"] - sum(timed.values()) + timed["Python start and exit"]
    return {phase: timed.get(phase, rest) for phase in PHASES}


def _time_to_bar(run: dict) -> float | None:
    if run["bar"] is None:
        return None
    elapsed = 0.0
    for seconds, accuracy in zip(run["chunk_s"], run["accuracy"]):
        elapsed += seconds
        if accuracy >= run["bar"]:
            return elapsed
    return None


def _median_range(values: list[float]) -> tuple[Any, Any]:
    """The median of `values` and their (lowest, highest); (None, None) when there are none."""
    if not values:
        return None, None
    return statistics.median(values), (min(values), max(values))


def summarise(runs: list[dict], reference: dict) -> list[Summary]:
    """One summary per (example, variant), in the order the runs were made."""
    summaries = []
    keys = list(dict.fromkeys((run["example"], label(run)) for run in runs))
    for example_id, variant in keys:
        mine = [r for r in runs if (r["example"], label(r)) == (example_id, variant)]
        baseline = {r["repeat"]: r for r in runs
                    if (r["example"], r["variant"]) == (example_id, FAITHFUL_TF1)}
        first = mine[0]
        samples_per_unit = first["train_samples"]
        steady, steady_spread = _median_range([steady_time(r) for r in mine])
        compared = variant != FAITHFUL_TF1
        ratio, ratio_spread = _median_range(
            [steady_time(r) / steady_time(baseline[r["repeat"]]) for r in mine
             if r["repeat"] in baseline and compared])
        process, process_spread = _median_range([r["process_s"] for r in mine])
        process_ratio, process_ratio_spread = _median_range(
            [r["process_s"] / baseline[r["repeat"]]["process_s"] for r in mine
             if r["repeat"] in baseline and compared])
        reached = [_time_to_bar(r) for r in mine]
        split = [_phases(r) for r in mine]
        flops_per_s = reference["training_flops"][example_id] * samples_per_unit / steady
        summaries.append(Summary(
            example=example_id, variant=variant, unit="step" if first["full_batch"] else "epoch",
            steady_s=steady, steady_spread=steady_spread, samples_per_s=samples_per_unit / steady,
            startup_s=statistics.median(r["build_s"] + r["chunk_s"][0] / r["chunks"][0] - steady_time(r)
                                        for r in mine),
            import_s=statistics.median(r["import_s"] for r in mine),
            time_to_bar_s=(statistics.median(reached) if all(t is not None for t in reached) else None),
            bar=first["bar"],
            final_accuracy=statistics.median(r["accuracy"][-1] for r in mine),
            peak_rss_mb=statistics.median(r["peak_rss_mb"] for r in mine),
            rss_above_import_mb=statistics.median(r["peak_rss_mb"] - r["rss_after_import_mb"] for r in mine),
            flop_fraction=flops_per_s / reference["gemm_flops_per_s"],
            ratio_vs_tf1=ratio, ratio_spread=ratio_spread, repeats=len(mine),
            process_s=process, process_spread=process_spread,
            process_ratio=process_ratio, process_ratio_spread=process_ratio_spread,
            phases={phase: statistics.median(p[phase] for p in split) for phase in PHASES},
        ))
    return summaries


def table(summaries: Sequence[Summary]) -> str:
    from tfport.tables import markdown_table

    def seconds(value: float) -> str:
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"

    def ranged(value: float | None, spread: tuple[float, float] | None, show: Any) -> str:
        return "" if value is None else f"{show(value)} ({show(spread[0])}-{show(spread[1])})"

    rows = []
    for s in summaries:
        bar = "no bar" if s.bar is None else (
            f"not reached in every repeat (bar {s.bar:.3f}; final accuracy, median "
            f"{s.final_accuracy:.3f})" if s.time_to_bar_s is None
            else f"{seconds(s.time_to_bar_s)} (bar {s.bar:.3f})")
        rows.append([s.example, s.variant, f"{seconds(s.steady_s)} / {s.unit}",
                     f"{seconds(s.steady_spread[0])}-{seconds(s.steady_spread[1])}",
                     f"{s.samples_per_s:,.0f}",
                     ranged(s.ratio_vs_tf1, s.ratio_spread, "{:.2f}".format),
                     ranged(s.process_s, s.process_spread, seconds),
                     ranged(s.process_ratio, s.process_ratio_spread, "{:.2f}".format),
                     seconds(s.startup_s), seconds(s.import_s),
                     bar, f"{s.peak_rss_mb:,.0f} (+{s.rss_above_import_mb:,.0f})",
                     f"{s.flop_fraction:.1%}"])
    return markdown_table(
        ["example", "variant", "steady time (median)", "spread over repeats",
         "train samples/s", "time / tf1 feed_dict (median, range)",
         "whole process s (median, range)", "whole process / tf1 (median, range)",
         "start-up s", "import s",
         "time to bar s", "peak RSS MB (+ above imports)", "of GEMM rate"], rows)


def phase_table(summaries: Sequence[Summary]) -> str:
    """Where each variant's whole process goes: the median seconds of each part."""
    from tfport.tables import markdown_table

    units = {s.unit for s in summaries}
    unit = units.pop() if len(units) == 1 else "epoch (step)"
    others = "other epochs (steps)" if unit == "epoch (step)" else f"other {unit}s"
    headers = ["import", "loading data and the rest", "build", f"first {unit}", others,
               "evaluate", "predict", "Python start and exit", "whole process"]
    rows = [[s.example, s.variant, *(f"{s.phases[phase]:.2f}" for phase in PHASES),
             f"{s.process_s:.2f}"] for s in summaries]
    return markdown_table(["example", "variant", *headers], rows)


REPEATS = 5  # the default: a median and a range need more than three


def bench(examples: Sequence[str], profile: str = "article", repeat: int = REPEATS,
          max_epochs: int | None = None, max_steps: int | None = 100,
          out: str | Path = "runs/bench", seed: int = 0,
          command: str = "", timeout_s: float = 3600, verbose: bool = True,
          backends: Sequence[str] = ("tensorflow",)) -> list[Summary]:
    """Measure every variant of every example `repeat` times, interleaved, the Keras ones on
    each of `backends` (the TF1 port, the baseline, on TensorFlow); write the report."""
    for example_id in examples:  # the rest of the inputs: tfport.inputs.check_inputs
        if example_id not in BENCHMARKED:
            raise BenchError(f"{example_id} has no training loop to time; benchmarked: "
                             f"{', '.join(BENCHMARKED)}")
    reference = measure_in_child({"reference": True, "gemm_sizes": GEMM_SIZES, "gemm_repeats": 10,
                        "examples": list(examples), "profile": profile}, timeout_s)
    if verbose:
        size = reference["gemm_size"]
        print(f"float32 GEMM: {reference['gemm_flops_per_s'] / 1e9:.1f} GFLOP/s "
              f"(best of 10 at {size}x{size})", file=sys.stderr, flush=True)
    runs = []
    for index in range(repeat):
        for example_id in examples:
            timed = [(variant, backend) for backend in dict.fromkeys(["tensorflow", *backends])
                     for variant in variants_of(example_id, backend, bool(reference["gpus"]),
                                                profile)
                     if backend in backends or variant == FAITHFUL_TF1]
            for variant, backend in timed:
                spec = {"example": example_id, "variant": variant, "profile": profile,
                        "seed": seed, "repeat": index, "max_epochs": max_epochs,
                        "max_steps": max_steps, "backend": backend}
                if verbose:
                    print(f"repeat {index + 1}/{repeat}: {example_id} / {label(spec)} ...",
                          end="", file=sys.stderr, flush=True)
                run = measure_in_child(spec, timeout_s)
                runs.append(run)
                if verbose:
                    print(f" {steady_time(run):.3f} s per {'step' if run['full_batch'] else 'epoch'}",
                          file=sys.stderr, flush=True)
    summaries = summarise(runs, reference)
    _write(summaries, runs, reference, Path(out), profile, repeat, (max_epochs, max_steps), command)
    return summaries


def rewrite(json_path: str | Path) -> list[Summary]:
    """Render the Markdown and the plot again from a report's JSON, without running anything
    (the summaries computed again from the recorded runs)."""
    path = Path(json_path)
    try:
        payload = json.loads(path.read_text())
        summaries = summarise(payload["runs"], payload["reference"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BenchError(f"{path} is not a `tfport bench` JSON report ({error})") from None
    _write(summaries, payload["runs"], payload["reference"], path.parent, payload["profile"],
           payload["repeat"], (payload["max_epochs"], payload["max_steps"]), payload["command"],
           payload["environment"])
    return summaries


def _write(summaries: list[Summary], runs: list[dict], reference: dict, out: Path,
           profile: str, repeat: int, caps: tuple[int | None, int | None], command: str,
           env: dict[str, str] | None = None) -> None:
    from tfport import plots
    from tfport.report import write_report
    from tfport.results import environment

    if not env:
        env = environment()
        env["device"] = ", ".join(reference["gpus"]) if reference["gpus"] else "CPU only"
    env = dict(env)
    # The device the runs themselves recorded (the CPU's model or the GPU's name), which
    # reports made before it was read from the runs give as "CPU only".
    devices = sorted({run["device"] for run in runs if run.get("device")})
    if devices:
        env["device"] = ", ".join(devices)
    stem = out / f"bench-{profile}"
    measured = (f"{'every epoch' if caps[0] is None else f'at most {caps[0]} epochs'} of a "
                f"mini-batch example, {'every step' if caps[1] is None else f'at most {caps[1]} steps'}"
                f" of a full-batch one")
    body = [
        f"- float32 GEMM through TensorFlow (`tf.linalg.matmul`, square, sizes "
        f"{', '.join(reference['gemm_by_size'])}): best {reference['gemm_flops_per_s'] / 1e9:.1f} "
        f"GFLOP/s at {reference['gemm_size']} (best of 10; median "
        f"{reference['gemm_median_flops_per_s'] / 1e9:.1f})",
        f"- {repeat} repeat(s), variants interleaved, each run in a fresh process; {measured}",
        "",
        table(summaries),
        "",
        "Where the whole process goes (median seconds over repeats; the training capped as "
        "above):", "", phase_table(summaries), "",
        "Steady time: the median over repeats of each run's median time per epoch (full-batch: per "
        "step) after the first. Ratio: that time over the faithful TF1 port's in the same repeat. "
        "Whole process: the child process from its start to its exit, as the parent timed it "
        "(Python, imports, building, the measured training, tearing down; the training capped as "
        "the line above says), and its ratio to the TF1 port's in the same repeat. Start-up: "
        "building the graph or model plus what the first epoch (step) took beyond a steady one "
        "(below zero when the first epoch happened to run faster than the later ones: machine "
        "noise). Import: starting Python and importing TensorFlow and Keras. Peak RSS: the "
        "process's peak resident memory, TensorFlow included; in brackets, what the run added "
        "after the imports. Of GEMM rate: training FLOPs per sample (from the layer shapes, "
        "`tfport.measure.training_flops`) x samples per second, over the GEMM rate above. Time to "
        "bar: training time until the test accuracy, measured after each chunk (the first epoch, "
        "then the end; full-batch: the first step, then up to ten chunks of steps), first reached "
        "the profile's bar.",
        "",
        "Variants:",
        "",
        *[f"- `{name}`: {what}" for name, (_, what) in VARIANTS.items()],
    ]
    write_report(stem.with_suffix(".md"), f"Benchmark: the `{profile}` profile",
                 command or "tfport bench", env, body, payload={
                     "command": command, "profile": profile, "repeat": repeat,
                     "max_epochs": caps[0], "max_steps": caps[1],
                     "environment": env, "reference": reference,
                     "summaries": [dataclasses.asdict(s) for s in summaries], "runs": runs})
    plots.bench_bars(summaries, stem.with_suffix(".png"))
