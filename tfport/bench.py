"""`tfport bench`: how fast each port trains, measured the same way on the same machine.

Every measurement runs in a fresh Python process, so that its start-up and its peak memory
are its own, and the variants run interleaved (A, B, C, D, A, B, C, D, ...) so that a slow
minute of the machine hits every variant alike. For each run the child process records:

- import: seconds from the interpreter's start until TensorFlow and Keras are imported;
- build: seconds to build the graph and session (TF1) or the compiled model (Keras);
- the training time of each chunk of training, each chunk one call of the port's own
  training function (for Keras, one `fit`): the first epoch alone, then the other epochs in
  one call; for full-batch examples the first step alone, then the other steps in up to ten
  chunks of at least 25 steps. A call's set-up (Keras builds its data pipeline in every
  `fit`) is thus spread over many steps, as in the ports' own runs;
  after each chunk (outside the timing) the test accuracy;
- peak resident memory (ru_maxrss) and the resident memory right after the imports.

From those: the steady time per epoch (or step) is the median over the chunks after the
first, per epoch (step); start-up is the build time plus what the first epoch (step) took beyond a steady one
(graph optimisation, `tf.function` tracing); time to bar is the training time until the test
accuracy first reached the profile's bar. The Keras / TF1 ratio is taken repeat by repeat
(run i of a variant against run i of the faithful TF1 port) and its median reported.

The reference is the machine itself: a float32 matrix multiply through TensorFlow gives the
rate the hardware reaches, and each run's training FLOP/s (`training_flops`, counted from
the layer shapes) is reported as a fraction of it.

Variants (the faithful ports stay as they are; the faster ones are separate and named):

- `tf1 feed_dict`: the TF1 port as written, a `feed_dict` per step;
- `tf1 tf.data`: the same graph built on a `tf.data` iterator (shuffled batches,
  prefetched; for full-batch training the whole training set, cached), fed the NumPy arrays
  once through placeholders, so that no step needs a `feed_dict`;
- `keras fit`: the Keras port as written, its own `fit` call;
- `keras tf.data`: the same model fed by a `tf.data` pipeline with prefetch;
- `keras xla+tf.data`: the same, with `jit_compile=True`.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

_PROCESS_START = time.perf_counter()  # as early as this module is imported in a child

VARIANTS: dict[str, tuple[str, str]] = {  # name -> (api, what it is)
    "tf1 feed_dict": ("tf1", "the TF1 port as written: one feed_dict per step"),
    "tf1 tf.data": ("tf1", "the same graph on a tf.data iterator, fed the arrays once; no feed_dict per step"),
    "keras fit": ("keras", "the Keras port as written: its own fit call"),
    "keras tf.data": ("keras", "the same model fed by a tf.data pipeline with prefetch"),
    "keras xla+tf.data": ("keras", "the same, with jit_compile=True (XLA)"),
}
FAITHFUL_TF1 = "tf1 feed_dict"
# Examples with a training loop on MNIST; sigmoid_step is one step of one neuron.
BENCHMARKED = ("mlp_gd", "cnn_sparse", "cnn_onehot", "cnn_mse_sgd", "binary_mlp", "backprop")
FULL_BATCH_CHUNKS = 10  # evaluation points after the first step, at most
MIN_CHUNK = 25  # steps per call of a training loop, at least: each `fit` call costs set-up
GEMM_SIZES = (1024, 2048, 4096)  # the reference is the best rate of any of them


class BenchError(ValueError):
    """An example or option the benchmark cannot measure."""


class BenchRunError(BenchError):
    """A measured run that failed or hung (the machine, not the command line)."""


def variants_of(example_id: str) -> list[str]:
    """The variants an example has: the faster ones where the TF1 port's `build_model` can
    be built on tf.data tensors (`inputs=`)."""
    from tfport.examples import modules

    tf1_port, _ = modules(example_id)
    fast = "inputs" in inspect.signature(tf1_port.build_model).parameters
    return [name for name in VARIANTS if fast or name in (FAITHFUL_TF1, "keras fit")]


# --------------------------------------------------------------------------------------
# The child process: one measured run, or the machine's reference rate.
# --------------------------------------------------------------------------------------

def _rss_mb() -> float:
    """Resident memory now, from /proc (Linux); NaN elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return math.nan


def _peak_rss_mb() -> float:
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _chunks(profile, max_epochs: int | None, max_steps: int | None) -> list[int]:
    """Epochs (or full-batch steps) per timed chunk: 1 first, then the rest."""
    cap = max_steps if profile.full_batch else max_epochs
    units = profile.epochs if cap is None else min(profile.epochs, cap)
    if not profile.full_batch:  # the first epoch alone, then the others in one call
        return [1] + ([units - 1] if units > 1 else [])
    rest, chunks = units - 1, [1]
    parts = max(1, min(FULL_BATCH_CHUNKS, rest // MIN_CHUNK)) if rest else 0
    for index in range(parts):
        chunks.append(rest // parts + (index < rest % parts))
    return chunks


def _call(function, **available):
    """Call a port's function with the arguments its signature asks for."""
    names = inspect.signature(function).parameters
    return function(**{name: value for name, value in available.items() if name in names})


def _train_tf1(spec: dict, profile, tf1_port, arrays: dict) -> dict:
    import random

    import tensorflow as tf

    x_train, y_train = arrays["x_train"], arrays["y_train"]
    chunks = _chunks(profile, spec["max_epochs"], spec["max_steps"])
    graph = tf.Graph()
    build_start = time.perf_counter()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(spec["seed"])
        random.seed(spec["seed"])
        if spec["variant"] == "tf1 tf.data":
            # The TF1 guide's way to consume NumPy arrays: placeholders fed once into an
            # initializable iterator (as graph constants they would bloat the graph).
            x_source = tf.compat.v1.placeholder(x_train.dtype, x_train.shape)
            y_source = tf.compat.v1.placeholder(y_train.dtype, y_train.shape)
            if profile.full_batch:  # the whole training set, held in the graph's memory
                dataset = tf.data.Dataset.from_tensors((x_source, y_source)).cache().repeat()
            else:
                dataset = (tf.data.Dataset.from_tensor_slices((x_source, y_source))
                           .shuffle(len(x_train), seed=spec["seed"]).repeat()
                           .batch(profile.batch_size).prefetch(tf.data.AUTOTUNE))
            iterator = tf.compat.v1.data.make_initializable_iterator(dataset)
            next_x, next_y = iterator.get_next()
            # Evaluation still feeds the test set, of another size than a training batch.
            inputs = (tf.compat.v1.placeholder_with_default(next_x, [None, *x_train.shape[1:]]),
                      tf.compat.v1.placeholder_with_default(next_y, [None, *y_train.shape[1:]]))
            model = tf1_port.build_model(profile.learning_rate, inputs=inputs)
            sess.run(iterator.initializer, feed_dict={x_source: x_train, y_source: y_train})
        else:
            model = _call(tf1_port.build_model, learning_rate=profile.learning_rate,
                          train_size=len(x_train))
        sess.run(tf.compat.v1.global_variables_initializer())
        build_s = time.perf_counter() - build_start
        steps_per_epoch = 1 if profile.full_batch else -(-len(x_train) // profile.batch_size)
        times, accuracies = [], []
        for index, units in enumerate(chunks):
            chunk_profile = dataclasses.replace(profile, epochs=units)
            start = time.perf_counter()
            if spec["variant"] == "tf1 tf.data":
                for _ in range(units * steps_per_epoch):
                    sess.run([model["optimizer"], model["loss"]])
            else:
                _call(tf1_port.train, sess=sess, model=model, **arrays, profile=chunk_profile,
                      seed=spec["seed"] + index, verbose=0, epochs=units,
                      batch_size=profile.batch_size)
            times.append(time.perf_counter() - start)
            accuracies.append(float(tf1_port.evaluate(sess, model, arrays["x_test"],
                                                      arrays["y_test"])[1]))
    return {"build_s": build_s, "chunk_s": times, "accuracy": accuracies}


def _train_keras(spec: dict, profile, keras_port, arrays: dict) -> dict:
    import keras
    import tensorflow as tf

    x_train, y_train = arrays["x_train"], arrays["y_train"]
    chunks = _chunks(profile, spec["max_epochs"], spec["max_steps"])
    keras.utils.set_random_seed(spec["seed"])
    build_start = time.perf_counter()
    model = _call(keras_port.build_model, learning_rate=profile.learning_rate,
                  train_size=len(x_train))
    fast = spec["variant"] != "keras fit"
    if fast:
        model.jit_compile = spec["variant"] == "keras xla+tf.data"
        batch = len(x_train) if profile.full_batch else profile.batch_size
        dataset = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
                   .shuffle(len(x_train), seed=spec["seed"]).batch(batch)
                   .prefetch(tf.data.AUTOTUNE))
        if profile.full_batch:  # one batch of everything, kept in memory between epochs
            dataset = tf.data.Dataset.from_tensors((x_train, y_train)).cache()
    build_s = time.perf_counter() - build_start
    times, accuracies = [], []
    for units in chunks:
        chunk_profile = dataclasses.replace(profile, epochs=units)
        start = time.perf_counter()
        if fast:
            model.fit(dataset, epochs=units, shuffle=False, verbose=0)  # shuffled in tf.data
        else:
            _call(keras_port.train, model=model, **arrays, profile=chunk_profile, verbose=0,
                  epochs=units, batch_size=profile.batch_size)
        times.append(time.perf_counter() - start)
        accuracies.append(float(keras_port.evaluate(model, arrays["x_test"], arrays["y_test"])[1]))
    return {"build_s": build_s, "chunk_s": times, "accuracy": accuracies}


def _measure(spec: dict) -> dict:
    """In the child: one run of one variant of one example."""
    import keras  # noqa: F401  (the import time is part of what is measured)
    import tensorflow as tf  # noqa: F401

    import legacy_tf1  # noqa: F401
    from tfport.examples import modules
    from tfport.profiles import get_profile

    import_s = time.perf_counter() - _PROCESS_START
    rss_after_import = _rss_mb()
    profile = get_profile(spec["example"], spec["profile"])
    tf1_port, keras_port = modules(spec["example"])
    api = VARIANTS[spec["variant"]][0]
    port = tf1_port if api == "tf1" else keras_port
    loaded = port.load_data(profile)
    names = ("x_train", "y_train", "x_test", "y_test") if len(loaded) == 4 else (
        "x_train", "y_train", "x_val", "y_val", "x_test", "y_test")  # cnn_onehot validates
    arrays = dict(zip(names, loaded))
    trained = (_train_tf1 if api == "tf1" else _train_keras)(spec, profile, port, arrays)
    return {**spec, **trained, "import_s": import_s, "train_samples": len(arrays["x_train"]),
            "batch_size": profile.batch_size, "full_batch": profile.full_batch,
            "chunks": _chunks(profile, spec["max_epochs"], spec["max_steps"]), "bar": profile.accuracy_bar,
            "rss_after_import_mb": rss_after_import, "peak_rss_mb": _peak_rss_mb()}


def training_flops(model) -> int:
    """Floating-point operations to train on one sample, counted from the layer shapes.

    Forward, per layer: Dense 2 * inputs * units; Conv2D 2 * kernel height * kernel width *
    input channels * filters * output height * output width. Pooling, activations, biases
    and the loss are left out (a few per cent of these networks' work). Backward costs twice
    the forward (the gradients of the weights and of the layer's input), except that the
    first layer's input gradient is never computed: 3 * forward - first layer's forward.
    """
    import keras

    per_layer = []
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Dense):
            per_layer.append(2 * int(layer.kernel.shape[0]) * int(layer.kernel.shape[1]))
        elif isinstance(layer, keras.layers.Conv2D):
            kernel_h, kernel_w, channels, filters = (int(d) for d in layer.kernel.shape)
            _, out_h, out_w, _ = layer.output.shape  # a Sequential model's layers know it
            per_layer.append(2 * kernel_h * kernel_w * channels * filters * int(out_h) * int(out_w))
    return 3 * sum(per_layer) - (per_layer[0] if per_layer else 0)


def _reference(spec: dict) -> dict:
    """In the child: the float32 matmul rate, the devices, and each example's FLOPs."""
    import keras
    import tensorflow as tf

    import legacy_tf1  # noqa: F401
    from tfport.examples import modules
    from tfport.profiles import get_profile

    rates = {}
    for size in spec["gemm_sizes"]:
        a = tf.random.normal((size, size), seed=1)
        b = tf.random.normal((size, size), seed=2)
        product = tf.function(lambda: tf.linalg.matmul(a, b))
        product().numpy()  # warm-up: thread pools, kernel choice
        times = []
        for _ in range(spec["gemm_repeats"]):
            start = time.perf_counter()
            product().numpy()
            times.append(time.perf_counter() - start)
        rates[size] = (2 * size**3 / min(times), 2 * size**3 / statistics.median(times))
    best = max(rates, key=lambda size: rates[size][0])
    devices = [f"{d.device_type}" for d in tf.config.list_physical_devices()]
    gpus = tf.config.list_physical_devices("GPU")
    names = [tf.config.experimental.get_device_details(g).get("device_name", "GPU") for g in gpus]
    per_sample = {}
    for example_id in spec["examples"]:
        _, keras_port = modules(example_id)
        keras.utils.set_random_seed(0)
        model = keras_port.build_model(get_profile(example_id, "quick").learning_rate)
        per_sample[example_id] = training_flops(model)
    return {"gemm_size": best, "gemm_flops_per_s": rates[best][0],
            "gemm_median_flops_per_s": rates[best][1],
            "gemm_by_size": {str(size): rate for size, (rate, _) in rates.items()},
            "devices": devices, "gpus": names, "training_flops": per_sample}


def _child(spec: dict, timeout_s: float) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    try:
        completed = subprocess.run([sys.executable, "-m", "tfport.bench", json.dumps(spec)],
                                   capture_output=True, text=True, env=env, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BenchRunError(f"a benchmark run took over {timeout_s:.0f} s and was stopped: {spec}") from None
    except OSError as error:
        raise BenchRunError(f"could not start a benchmark run ({error})") from None
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    if completed.returncode != 0 or not lines:
        tail = completed.stderr.strip().splitlines()[-1:] or ["(no error output)"]
        raise BenchRunError(f"a benchmark run failed (exit {completed.returncode}): {tail[0]} "
                         f"[run: {json.dumps(spec)}]")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------------------
# The parent: interleave the runs, then summarise.
# --------------------------------------------------------------------------------------

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


def _per_unit(run: dict) -> list[float]:
    """Steady seconds per unit (epoch or step) of each chunk after the first."""
    return [seconds / units for seconds, units in zip(run["chunk_s"][1:], run["chunks"][1:])]


def _steady(run: dict) -> float:
    later = _per_unit(run)
    return statistics.median(later) if later else run["chunk_s"][0] / run["chunks"][0]


def _time_to_bar(run: dict) -> float | None:
    if run["bar"] is None:
        return None
    elapsed = 0.0
    for seconds, accuracy in zip(run["chunk_s"], run["accuracy"]):
        elapsed += seconds
        if accuracy >= run["bar"]:
            return elapsed
    return None


def summarise(runs: list[dict], reference: dict) -> list[Summary]:
    """One summary per (example, variant), in the order the runs were made."""
    summaries = []
    keys = list(dict.fromkeys((run["example"], run["variant"]) for run in runs))
    for example_id, variant in keys:
        mine = [r for r in runs if (r["example"], r["variant"]) == (example_id, variant)]
        baseline = {r["repeat"]: r for r in runs
                    if (r["example"], r["variant"]) == (example_id, FAITHFUL_TF1)}
        steadies = [_steady(r) for r in mine]
        steady = statistics.median(steadies)
        first = mine[0]
        samples_per_unit = first["train_samples"]
        ratios = [_steady(r) / _steady(baseline[r["repeat"]]) for r in mine if r["repeat"] in baseline]
        reached = [_time_to_bar(r) for r in mine]
        flops_per_s = reference["training_flops"][example_id] * samples_per_unit / steady
        summaries.append(Summary(
            example=example_id, variant=variant, unit="step" if first["full_batch"] else "epoch",
            steady_s=steady, steady_spread=(min(steadies), max(steadies)),
            samples_per_s=samples_per_unit / steady,
            startup_s=statistics.median(r["build_s"] + r["chunk_s"][0] / r["chunks"][0] - _steady(r)
                                        for r in mine),
            import_s=statistics.median(r["import_s"] for r in mine),
            time_to_bar_s=(statistics.median(reached) if all(t is not None for t in reached) else None),
            bar=first["bar"],
            final_accuracy=statistics.median(r["accuracy"][-1] for r in mine),
            peak_rss_mb=statistics.median(r["peak_rss_mb"] for r in mine),
            rss_above_import_mb=statistics.median(r["peak_rss_mb"] - r["rss_after_import_mb"] for r in mine),
            flop_fraction=flops_per_s / reference["gemm_flops_per_s"],
            ratio_vs_tf1=statistics.median(ratios) if ratios and variant != FAITHFUL_TF1 else None,
            ratio_spread=(min(ratios), max(ratios)) if ratios and variant != FAITHFUL_TF1 else None,
            repeats=len(mine),
        ))
    return summaries


def table(summaries: Sequence[Summary]) -> str:
    from tfport.compare import markdown_table

    def seconds(value: float) -> str:
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"

    rows = []
    for s in summaries:
        ratio = "" if s.ratio_vs_tf1 is None else (
            f"{s.ratio_vs_tf1:.2f} ({s.ratio_spread[0]:.2f}-{s.ratio_spread[1]:.2f})")
        bar = "no bar" if s.bar is None else (
            f"not reached ({s.final_accuracy:.3f} < {s.bar:.3f})" if s.time_to_bar_s is None
            else f"{seconds(s.time_to_bar_s)} (bar {s.bar:.3f})")
        rows.append([s.example, s.variant, f"{seconds(s.steady_s)} / {s.unit}",
                     f"{seconds(s.steady_spread[0])}-{seconds(s.steady_spread[1])}",
                     f"{s.samples_per_s:,.0f}", ratio, seconds(s.startup_s), seconds(s.import_s),
                     bar, f"{s.peak_rss_mb:,.0f} (+{s.rss_above_import_mb:,.0f})",
                     f"{s.flop_fraction:.1%}"])
    return markdown_table(
        ["example", "variant", "steady time (median)", "spread over repeats",
         "train samples/s", "time / tf1 feed_dict (median, range)", "start-up s", "import s",
         "time to bar s", "peak RSS MB (+ above imports)", "of GEMM rate"], rows)


def bench(examples: Sequence[str], profile: str = "article", repeat: int = 3,
          max_epochs: int | None = None, max_steps: int | None = 100,
          out: str | Path = "runs/bench", seed: int = 0,
          command: str = "", timeout_s: float = 3600, verbose: bool = True) -> list[Summary]:
    """Measure every variant of every example `repeat` times, interleaved; write the report."""
    from tfport.examples import check_example
    from tfport.profiles import get_profile

    for example_id in examples:
        check_example(example_id)
        if example_id not in BENCHMARKED:
            raise BenchError(f"{example_id} has no training loop to time; benchmarked: "
                             f"{', '.join(BENCHMARKED)}")
        get_profile(example_id, profile)
    if repeat < 1:
        raise BenchError(f"--repeat must be at least 1, got {repeat}")
    reference = _child({"reference": True, "gemm_sizes": GEMM_SIZES, "gemm_repeats": 10,
                        "examples": list(examples)}, timeout_s)
    if verbose:
        size = reference["gemm_size"]
        print(f"float32 GEMM: {reference['gemm_flops_per_s'] / 1e9:.1f} GFLOP/s "
              f"(best of 10 at {size}x{size})", file=sys.stderr, flush=True)
    runs = []
    for index in range(repeat):
        for example_id in examples:
            for variant in variants_of(example_id):
                spec = {"example": example_id, "variant": variant, "profile": profile,
                        "seed": seed, "repeat": index, "max_epochs": max_epochs,
                        "max_steps": max_steps}
                if verbose:
                    print(f"repeat {index + 1}/{repeat}: {example_id} / {variant} ...",
                          end="", file=sys.stderr, flush=True)
                run = _child(spec, timeout_s)
                runs.append(run)
                if verbose:
                    print(f" {_steady(run):.3f} s per {'step' if run['full_batch'] else 'epoch'}",
                          file=sys.stderr, flush=True)
    summaries = summarise(runs, reference)
    _write(summaries, runs, reference, Path(out), profile, repeat, (max_epochs, max_steps), command)
    return summaries


def rewrite(json_path: str | Path) -> list[Summary]:
    """Render the Markdown and the plot again from a report's JSON, without running anything
    (the figures are the recorded ones; only the wording can change)."""
    path = Path(json_path)
    try:
        payload = json.loads(path.read_text())
        summaries = [Summary(**{**row, "steady_spread": tuple(row["steady_spread"]),
                                "ratio_spread": None if row["ratio_spread"] is None
                                else tuple(row["ratio_spread"])})
                     for row in payload["summaries"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BenchError(f"{path} is not a `tfport bench` JSON report ({error})") from None
    _write(summaries, payload["runs"], payload["reference"], path.parent, payload["profile"],
           payload["repeat"], (payload["max_epochs"], payload["max_steps"]), payload["command"],
           payload["environment"])
    return summaries


def _environment(reference: dict) -> dict[str, str]:
    from tfport.results import environment

    env = environment()
    env["device"] = ", ".join(reference["gpus"]) if reference["gpus"] else "CPU only"
    return env


def _write(summaries: list[Summary], runs: list[dict], reference: dict, out: Path,
           profile: str, repeat: int, caps: tuple[int | None, int | None], command: str,
           env: dict[str, str] | None = None) -> None:
    from tfport import plots

    out.mkdir(parents=True, exist_ok=True)
    env = env or _environment(reference)
    stem = out / f"bench-{profile}"
    measured = (f"{'every epoch' if caps[0] is None else f'at most {caps[0]} epochs'} of a "
                f"mini-batch example, {'every step' if caps[1] is None else f'at most {caps[1]} steps'}"
                f" of a full-batch one")
    lines = [
        f"# Benchmark: the `{profile}` profile",
        "",
        f"Generated by `{command or 'tfport bench'}` on {env['finished']}; do not edit by hand.",
        "",
        f"- TensorFlow {env['tensorflow']}, Keras {env['keras']}, Python {env['python']}, "
        f"{env['machine']}, device: {env['device']}",
        f"- float32 GEMM through TensorFlow (`tf.linalg.matmul`, square, sizes "
        f"{', '.join(reference['gemm_by_size'])}): best {reference['gemm_flops_per_s'] / 1e9:.1f} "
        f"GFLOP/s at {reference['gemm_size']} (best of 10; median "
        f"{reference['gemm_median_flops_per_s'] / 1e9:.1f})",
        f"- {repeat} repeat(s), variants interleaved, each run in a fresh process; {measured}",
        "",
        table(summaries),
        "",
        "Steady time: the median over repeats of each run's median time per epoch (full-batch: "
        "per step) after the first. Ratio: that time over the faithful TF1 port's in the same "
        "repeat. Start-up: building the graph or model plus what the first epoch (step) took "
        "beyond a steady one (below zero when the first epoch happened to run faster than "
        "the later ones: machine noise). Import: starting Python and importing TensorFlow "
        "and Keras. Peak RSS: the process's peak resident memory, TensorFlow included; in "
        "brackets, what the run added after the imports. Of GEMM rate: training FLOPs per sample (from the layer shapes, "
        "`tfport.bench.training_flops`) x samples per second, over the GEMM rate above. "
        "Time to bar: training time until the test accuracy, measured after each chunk (the "
        "first epoch, then the end; full-batch: the first step, then up to ten chunks of "
        "steps), first reached the profile's bar.",
        "",
        "Variants:",
        "",
        *[f"- `{name}`: {what}" for name, (_, what) in VARIANTS.items()],
        "",
    ]
    stem.with_suffix(".md").write_text("\n".join(lines))
    stem.with_suffix(".json").write_text(json.dumps({
        "command": command, "profile": profile, "repeat": repeat,
        "max_epochs": caps[0], "max_steps": caps[1],
        "environment": env, "reference": reference,
        "summaries": [dataclasses.asdict(s) for s in summaries], "runs": runs,
    }, indent=2) + "\n")
    plots.bench_bars(summaries, stem.with_suffix(".png"))


if __name__ == "__main__":
    _spec = json.loads(sys.argv[1])
    print(json.dumps(_reference(_spec) if _spec.get("reference") else _measure(_spec)), flush=True)
