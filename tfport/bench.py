"""`tfport bench`: how fast each port trains, measured the same way on the same machine.

Every run is a fresh child process (`tfport.measure`, which also names the variants), the
variants interleaved (A, B, C, A, B, C, ...) so that a slow minute of the machine hits each
alike; the parent times each child from start to exit. Here the runs become summaries (steady
time per epoch, the Keras / TF1 ratio repeat by repeat, the whole process, start-up, memory,
the test accuracy), a report and a plot: docs/bench.md says what each means.
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
    steady_s: float  # median over repeats of each run's steady time per unit
    steady_spread: tuple[float, float]
    samples_per_s: float
    startup_s: float
    import_s: float
    final_accuracy: float  # median over repeats of the test accuracy after training
    peak_rss_mb: float
    rss_above_import_mb: float
    ratio_vs_tf1: float | None  # median of per-repeat steady-time ratios against tf1 feed_dict
    ratio_spread: tuple[float, float] | None
    repeats: int
    process_s: float  # the whole child process, start to exit
    process_spread: tuple[float, float]
    process_ratio: float | None  # median of per-repeat ratios against tf1 feed_dict
    process_ratio_spread: tuple[float, float] | None


def steady_time(run: dict) -> float:
    """A run's steady time per epoch (full batch: per step): its last chunk's, the epochs
    after the first (the first's alone where there is one)."""
    return run["chunk_s"][-1] / run["chunks"][-1]


def _median_range(values: list[float]) -> tuple[Any, Any]:
    """The median of `values` and their (lowest, highest); (None, None) when there are none."""
    if not values:
        return None, None
    return statistics.median(values), (min(values), max(values))


def summarise(runs: list[dict]) -> list[Summary]:
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
        summaries.append(Summary(
            example=example_id, variant=variant, unit="step" if first["full_batch"] else "epoch",
            steady_s=steady, steady_spread=steady_spread, samples_per_s=samples_per_unit / steady,
            startup_s=statistics.median(r["build_s"] + r["chunk_s"][0] / r["chunks"][0] - steady_time(r)
                                        for r in mine),
            import_s=statistics.median(r["import_s"] for r in mine),
            final_accuracy=statistics.median(r["accuracy"] for r in mine),
            peak_rss_mb=statistics.median(r["peak_rss_mb"] for r in mine),
            rss_above_import_mb=statistics.median(r["peak_rss_mb"] - r["rss_after_import_mb"] for r in mine),
            ratio_vs_tf1=ratio, ratio_spread=ratio_spread, repeats=len(mine),
            process_s=process, process_spread=process_spread,
            process_ratio=process_ratio, process_ratio_spread=process_ratio_spread,
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
        rows.append([s.example, s.variant, f"{seconds(s.steady_s)} / {s.unit}",
                     f"{seconds(s.steady_spread[0])}-{seconds(s.steady_spread[1])}",
                     f"{s.samples_per_s:,.0f}",
                     ranged(s.ratio_vs_tf1, s.ratio_spread, "{:.2f}".format),
                     ranged(s.process_s, s.process_spread, seconds),
                     ranged(s.process_ratio, s.process_ratio_spread, "{:.2f}".format),
                     seconds(s.startup_s), seconds(s.import_s),
                     f"{s.final_accuracy:.4f}",
                     f"{s.peak_rss_mb:,.0f} (+{s.rss_above_import_mb:,.0f})"])
    return markdown_table(
        ["example", "variant", "steady time (median)", "spread over repeats",
         "train samples/s", "time / tf1 feed_dict (median, range)",
         "whole process s (median, range)", "whole process / tf1 (median, range)",
         "start-up s", "import s",
         "test accuracy (median)", "peak RSS MB (+ above imports)"], rows)


RETIRED_AT = "a6f216b"  # the last code to time the tf1 tf.data variant, GEMM, phases and bar
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
    runs = []
    for index in range(repeat):
        for example_id in examples:
            timed = [(variant, backend) for backend in dict.fromkeys(["tensorflow", *backends])
                     for variant in variants_of(example_id, backend, profile)
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
    summaries = summarise(runs)
    _write(summaries, runs, Path(out), profile, repeat, (max_epochs, max_steps), command)
    return summaries


def rewrite(json_path: str | Path) -> list[Summary]:
    """Render the Markdown and the plot again from a report's JSON, without running anything
    (the summaries computed again from the recorded runs)."""
    path = Path(json_path)
    try:
        payload = json.loads(path.read_text())
        older = "reference" in payload  # the GEMM reference went with the figures retired
        summaries = [] if older else summarise(payload["runs"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BenchError(f"{path} is not a `tfport bench` JSON report ({error})") from None
    if older:
        raise BenchError(f"{path} was made by an older `tfport bench`, whose figures are "
                         f"retired (docs/bench.md); render it with commit {RETIRED_AT}'s code")
    _write(summaries, payload["runs"], path.parent, payload["profile"],
           payload["repeat"], (payload["max_epochs"], payload["max_steps"]), payload["command"],
           payload["environment"])
    return summaries


def _write(summaries: list[Summary], runs: list[dict], out: Path,
           profile: str, repeat: int, caps: tuple[int | None, int | None], command: str,
           env: dict[str, str] | None = None) -> None:
    from tfport import plots
    from tfport.report import write_report
    from tfport.results import environment

    # the device the runs recorded: the CPU's model or the GPU's name
    env = {**(env or environment()), "device": ", ".join(sorted({run["device"] for run in runs}))}
    stem = out / f"bench-{profile}"
    measured = (f"{'every epoch' if caps[0] is None else f'at most {caps[0]} epochs'} of a "
                f"mini-batch example, {'every step' if caps[1] is None else f'at most {caps[1]} steps'}"
                f" of a full-batch one")
    body = [
        f"- {repeat} repeat(s), variants interleaved, each run in a fresh process; {measured}",
        "",
        table(summaries),
        "",
        "Steady time: the median over repeats of each run's time per epoch (full-batch: per "
        "step) after the first. Ratio: that time over the faithful TF1 port's in the same repeat. "
        "Whole process: the child process from its start to its exit, as the parent timed it "
        "(Python, imports, building, the measured training, tearing down; the training capped as "
        "the line above says), and its ratio to the TF1 port's in the same repeat. Start-up: "
        "building the graph or model plus what the first epoch (step) took beyond a steady one "
        "(below zero when the first epoch happened to run faster than the later ones: machine "
        "noise). Import: starting Python and importing TensorFlow and Keras. Peak RSS: the "
        "process's peak resident memory, TensorFlow included; in brackets, what the run added "
        "after the imports. Test accuracy: evaluated once, after the training (capped as above).",
        "",
        "Variants:",
        "",
        *[f"- `{name}`: {what}" for name, (_, what) in VARIANTS.items()],
    ]
    write_report(stem.with_suffix(".md"), f"Benchmark: the `{profile}` profile",
                 command or "tfport bench", env, body, payload={
                     "command": command, "profile": profile, "repeat": repeat,
                     "max_epochs": caps[0], "max_steps": caps[1],
                     "environment": env,
                     "summaries": [dataclasses.asdict(s) for s in summaries], "runs": runs})
    plots.bench_bars(summaries, stem.with_suffix(".png"))
