"""One measured run of `tfport bench`, in a child process of its own: `python -m tfport.measure SPEC`.

The child imports TensorFlow and Keras (timed), builds one variant of one port, trains it in
timed chunks, evaluates once at the end and prints one line of JSON: times, the test
accuracy, memory. The variants are named here, and only here (`VARIANTS`); docs/bench.md says
what each is. Every `tf.data` pipeline built here runs with autotuning off
(`tfport.backends.without_autotune`: see docs/bench/iterator-stall.md).
"""

from __future__ import annotations

import time

_PROCESS_START = time.perf_counter()  # as early as this module is imported in a child

import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

VARIANTS: dict[str, tuple[str, str]] = {  # name -> (api, what it is)
    "tf1 feed_dict": ("tf1", "the TF1 port as written: one feed_dict per step"),
    "keras fit": ("keras", "the Keras port as written: its own train function (fit; for "
                           "mlp_gd, one train_on_batch a step)"),
    "keras fit, 100 steps/call": ("keras", "the same with model.steps_per_execution = 100"),
    "keras fit, tokenized once": ("keras", "the same model, its preprocessor run once over the "
                                           "sentences before training, fit on the token ids"),
    "keras fast": ("keras", "the same model, one call of the training function per epoch "
                            "(steps_per_execution) on the input the backend reads fastest "
                            "(TensorFlow: tf.data; text: tokenized once)"),
}
FAITHFUL_TF1 = "tf1 feed_dict"
# Which variants an example is timed in follows from its record (tfport/examples/<id>.py):
# `keras fast` needs a model whose one training step takes the batch it is given
# (`bench_tf_data`: not cnn_mse_sgd, whose `train` runs chunks, nor cnn_onehot, which
# validates inside `train`) or a text example (`text`: its Keras model tokenizes inside fit).
STEPS_PER_EXECUTION = 100


def variants_of(example_id: str, backend: str = "tensorflow",
                profile: str = "article") -> list[str]:
    """The variants an example is timed in on `profile` and `backend`; at one step an epoch
    (full batch) not 100 steps/call."""
    from tfport import backends
    from tfport.examples import check_example
    from tfport.profiles import get_profile

    example = check_example(example_id)
    full_batch = get_profile(example_id, profile).full_batch
    multi_step = backends.steps_per_execution_allowed(STEPS_PER_EXECUTION, backend)  # torch: no
    timed = {
        "tf1 feed_dict": backend == "tensorflow",
        "keras fit": True,
        "keras fit, 100 steps/call": multi_step and not full_batch,
        "keras fit, tokenized once": example.text,
        "keras fast": multi_step and (example.bench_tf_data or example.text),
    }
    return [name for name in VARIANTS if timed[name]]


def label(run: dict) -> str:
    """A run's variant as the report names it: with its Keras backend unless TensorFlow."""
    backend = run.get("backend", "tensorflow")
    return run["variant"] if backend == "tensorflow" else f"{run['variant']} [{backend}]"


def chunks(profile: Any, max_epochs: int | None, max_steps: int | None) -> list[int]:
    """Epochs (full batch: steps) per timed chunk: the first alone (start-up), then the rest
    in one call."""
    cap = max_steps if profile.full_batch else max_epochs
    units = profile.epochs if cap is None else min(profile.epochs, cap)
    return [1] + ([units - 1] if units > 1 else [])


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


def _train_tf1(spec: dict, profile: Any, port: Any, arrays: tuple) -> dict:
    import importlib

    import tensorflow as tf

    x_train, y_train, x_test, y_test = arrays
    session = importlib.import_module("legacy_tf1.session")  # the ports' own scaffold
    feeding = importlib.import_module("legacy_tf1.feeding")
    build_start = time.perf_counter()
    with session.new_session(spec["seed"]) as sess:
        graph = port.build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())
        build_s = time.perf_counter() - build_start
        times = []
        for index, units in enumerate(spec["chunks"]):
            start = time.perf_counter()
            sess.graph.seed = spec["seed"] + index  # each chunk's order drawn anew
            port.train(sess, graph, x_train, y_train,
                       dataclasses.replace(profile, epochs=units), verbose=0)
            times.append(time.perf_counter() - start)
        accuracy = feeding.evaluate_in_batches(sess, graph, x_test, y_test)[1]
    return {"build_s": build_s, "chunk_s": times, "accuracy": float(accuracy)}


def _train_keras(spec: dict, profile: Any, port: Any, arrays: tuple) -> dict:
    import keras

    from tfport import backends
    from tfport.examples import check_example

    x_train, y_train, x_test, y_test = arrays
    variant = spec["variant"]
    text = check_example(spec["example"]).text  # its Keras model tokenizes inside fit
    keras.utils.set_random_seed(spec["seed"])
    build_start = time.perf_counter()
    model = port.build_model(profile)
    if variant == "keras fit, 100 steps/call":
        model.steps_per_execution = STEPS_PER_EXECUTION
    fast = variant == "keras fast"
    if text and (fast or variant == "keras fit, tokenized once"):
        fed, x_test = _tokenized_once(model, x_train, y_train, x_test, profile, spec["seed"])
        steps = -(-len(x_train) // (profile.batch_size or len(x_train)))
        if fast and backends.steps_per_execution_allowed(steps):
            model.steps_per_execution = steps  # one call of the training function per epoch
    elif fast:  # on TensorFlow, a shuffled tf.data pipeline
        fed = backends.fast_fit_input(model, x_train, y_train, profile.batch_size, spec["seed"])
    else:
        fed = None
    build_s = time.perf_counter() - build_start
    times = []
    for units in spec["chunks"]:
        start = time.perf_counter()
        if fed is not None:
            data, fit_arguments = fed
            model.fit(*data, epochs=units, verbose=0, **fit_arguments)
        else:
            port.train(model, x_train, y_train, dataclasses.replace(profile, epochs=units),
                       verbose=0)
        times.append(time.perf_counter() - start)
    accuracy = model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]
    return {"build_s": build_s, "chunk_s": times, "accuracy": float(accuracy)}


def _tokenized_once(model: Any, x_train: Any, y_train: Any, x_test: Any, profile: Any,
                    seed: int) -> tuple[tuple, Any]:
    """A KerasHub classifier's preprocessor taken out and run once over the sentences:
    `fit`'s input (a shuffled `tf.data` pipeline of token ids) and the tokenized test set."""
    import tensorflow as tf

    from tfport import backends

    preprocessor, model.preprocessor = model.preprocessor, None
    dataset = backends.without_autotune(
        tf.data.Dataset.from_tensor_slices((preprocessor(x_train), y_train))
        .shuffle(len(x_train), seed=seed)
        .batch(profile.batch_size or len(x_train)).prefetch(tf.data.AUTOTUNE))
    # the test set as token ids, padding mask and segment ids
    return ((dataset,), {"shuffle": False}), preprocessor(x_test)


def measure(spec: dict) -> dict:
    """One run of one variant of one example."""
    from tfport import backends, runtime

    runtime.quiet_start()
    import keras  # (the import time is part of what is measured)

    from tfport.examples import keras_port, tf1_port
    from tfport.profiles import get_profile

    import_s = time.perf_counter() - _PROCESS_START
    rss_after_import = _rss_mb()
    profile = get_profile(spec["example"], spec["profile"])
    api = VARIANTS[spec["variant"]][0]
    port = tf1_port(spec["example"]) if api == "tf1" else keras_port(spec["example"])
    spec = {**spec, "chunks": chunks(profile, spec["max_epochs"], spec["max_steps"]),
            "backend": "tensorflow" if api == "tf1" else keras.backend.backend()}
    arrays = port.load_data(profile)
    trained = (_train_tf1 if api == "tf1" else _train_keras)(spec, profile, port, arrays)
    return {**spec, **trained, "import_s": import_s, "train_samples": len(arrays[0]),
            "batch_size": profile.batch_size, "full_batch": profile.full_batch,
            "rss_after_import_mb": rss_after_import, "peak_rss_mb": _peak_rss_mb(),
            "device": backends.device(spec["backend"])}


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))), flush=True)
