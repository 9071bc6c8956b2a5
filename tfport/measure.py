"""One measured run of `tfport bench`, in a child process of its own: `python -m tfport.measure SPEC`.

The child imports TensorFlow and Keras (timed), builds one variant of one port, trains it in
timed chunks, evaluates after each, times one prediction and its own end, and prints one line
of JSON: times, accuracies, memory. With `{"reference": true}` it measures the machine instead
(the float32 matmul rate, the devices, each example's training FLOPs per sample). The variants
are named here, and only here (`VARIANTS`); docs/bench.md says what each is. Every `tf.data`
pipeline built here runs with autotuning off (`tfport.backends.without_autotune`: see
docs/bench/iterator-stall.md).
"""

from __future__ import annotations

import time

_PROCESS_START = time.perf_counter()  # as early as this module is imported in a child

import dataclasses  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

VARIANTS: dict[str, tuple[str, str]] = {  # name -> (api, what it is)
    "tf1 feed_dict": ("tf1", "the TF1 port as written: one feed_dict per step"),
    "tf1 tf.data": ("tf1", "the same graph on a tf.data iterator, fed the arrays once; no feed_dict per step"),
    "keras fit": ("keras", "the Keras port as written: its own train function (fit; for "
                           "mlp_gd, one train_on_batch a step)"),
    "keras fit, 100 steps/call": ("keras", "the same with model.steps_per_execution = 100"),
    "keras tf.data": ("keras", "the same model fed by a tf.data pipeline with prefetch"),
    "keras fit, tokenized once": ("keras", "the same model, its preprocessor run once over the "
                                           "sentences before training, fit on the token ids"),
    "keras fast": ("keras", "the same model, one call of the training function per epoch "
                            "(steps_per_execution) on the input the backend reads fastest "
                            "(TensorFlow: tf.data; text: tokenized once)"),
    "keras xla+tf.data": ("keras", "keras fast with jit_compile=True (XLA); timed on a GPU only"),
}
FAITHFUL_TF1 = "tf1 feed_dict"
# Which variants an example is timed in follows from its record (tfport/examples/<id>.py):
# the tf.data variants need a graph whose one train_op takes one step on the batch it is
# given (`bench_tf_data`: not cnn_mse_sgd, whose `train` runs chunks, nor cnn_onehot, which
# validates inside `train`); the tokenized-once ones a text example (`text`: its Keras model
# tokenizes inside fit).
FULL_BATCH_CHUNKS = 10  # evaluation points after the first step, at most
MIN_CHUNK = 25  # steps per call of a training loop, at least: each `fit` call costs set-up
STEPS_PER_EXECUTION = 100


def variants_of(example_id: str, backend: str = "tensorflow", gpu: bool = False,
                profile: str = "article") -> list[str]:
    """The variants an example is timed in on `profile` and `backend` (XLA only with `gpu`).
    Full batch (one step an epoch): not 100 steps/call nor `keras tf.data` (there the port
    and `keras fast`)."""
    from tfport import backends
    from tfport.examples import check_example
    from tfport.profiles import get_profile

    example = check_example(example_id)
    full_batch = get_profile(example_id, profile).full_batch
    tensorflow = backend == "tensorflow"
    multi_step = backends.steps_per_execution_allowed(STEPS_PER_EXECUTION, backend)  # torch: no
    timed = {
        "tf1 feed_dict": tensorflow,
        "tf1 tf.data": tensorflow and example.bench_tf_data,
        "keras fit": True,
        "keras fit, 100 steps/call": multi_step and not full_batch,
        "keras tf.data": tensorflow and example.bench_tf_data and not full_batch,
        "keras fit, tokenized once": example.text,
        "keras fast": multi_step and (example.bench_tf_data or example.text),
        "keras xla+tf.data": tensorflow and gpu and (example.bench_tf_data or example.text),
    }
    return [name for name in VARIANTS if timed[name]]


def label(run: dict) -> str:
    """A run's variant as the report names it: with its Keras backend unless TensorFlow."""
    backend = run.get("backend", "tensorflow")
    return run["variant"] if backend == "tensorflow" else f"{run['variant']} [{backend}]"


def chunks(profile: Any, max_epochs: int | None, max_steps: int | None) -> list[int]:
    """Epochs (or full-batch steps) per timed chunk: 1 first, then the rest."""
    cap = max_steps if profile.full_batch else max_epochs
    units = profile.epochs if cap is None else min(profile.epochs, cap)
    if not profile.full_batch:  # the first epoch alone, then the others in one call
        return [1] + ([units - 1] if units > 1 else [])
    rest, parts_of = units - 1, [1]
    parts = max(1, min(FULL_BATCH_CHUNKS, rest // MIN_CHUNK)) if rest else 0
    for index in range(parts):
        parts_of.append(rest // parts + (index < rest % parts))
    return parts_of


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


def _tf_data_graph(port: Any, profile: Any, x_train: Any, y_train: Any, seed: int) -> tuple:
    """The port's graph rebuilt on a tf.data iterator: (graph record, initializer op, its
    feed). Placeholders fed once into an initializable iterator, as the TF1 guide consumes
    NumPy arrays (as graph constants they would bloat the graph)."""
    import tensorflow as tf

    from tfport import backends
    from tfport.contract import TF1Graph

    with tf.Graph().as_default():
        built = port.build_model(profile)
        meta_graph = tf.compat.v1.train.export_meta_graph()
    x_source = tf.compat.v1.placeholder(x_train.dtype, x_train.shape)
    y_source = tf.compat.v1.placeholder(y_train.dtype, y_train.shape)
    if profile.full_batch:  # the whole training set, held in the graph's memory
        dataset = tf.data.Dataset.from_tensors((x_source, y_source)).cache().repeat()
    else:
        dataset = (tf.data.Dataset.from_tensor_slices((x_source, y_source))
                   .shuffle(len(x_train), seed=seed).repeat()
                   .batch(profile.batch_size).prefetch(tf.data.AUTOTUNE))
    iterator = tf.compat.v1.data.make_initializable_iterator(backends.without_autotune(dataset))
    next_x, next_y = iterator.get_next()
    # Evaluation still feeds the test set, of another size than a training batch.
    x_in = tf.compat.v1.placeholder_with_default(next_x, [None, *x_train.shape[1:]])
    y_in = tf.compat.v1.placeholder_with_default(next_y, [None, *y_train.shape[1:]])
    tf.compat.v1.train.import_meta_graph(meta_graph, input_map={built.X.name: x_in,
                                                                built.Y.name: y_in},
                                         import_scope="port")
    graph = tf.compat.v1.get_default_graph()

    def imported(tensor: Any) -> Any:
        return graph.as_graph_element(f"port/{tensor.name}")

    record = TF1Graph(X=x_in, Y=y_in, output=imported(built.output), loss=imported(built.loss),
                      train_op=imported(built.train_op), accuracy=imported(built.accuracy))
    return record, iterator.initializer, {x_source: x_train, y_source: y_train}


def _train_tf1(spec: dict, profile: Any, port: Any, arrays: tuple) -> dict:
    import importlib

    import tensorflow as tf

    x_train, y_train, x_test, y_test = arrays
    session = importlib.import_module("legacy_tf1.session")  # the ports' own scaffold
    feeding = importlib.import_module("legacy_tf1.feeding")
    build_start = time.perf_counter()
    with session.new_session(spec["seed"]) as sess:
        if spec["variant"] == "tf1 tf.data":
            graph, initializer, feed = _tf_data_graph(port, profile, x_train, y_train,
                                                      spec["seed"])
            sess.run(initializer, feed_dict=feed)
        else:
            graph = port.build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())
        build_s = time.perf_counter() - build_start
        steps_per_epoch = 1 if profile.full_batch else -(-len(x_train) // profile.batch_size)
        times, accuracies, evaluations = [], [], []
        for index, units in enumerate(spec["chunks"]):
            start = time.perf_counter()
            if spec["variant"] == "tf1 tf.data":
                for _ in range(units * steps_per_epoch):
                    sess.run([graph.train_op, graph.loss])
            else:
                sess.graph.seed = spec["seed"] + index  # each chunk's order drawn anew
                port.train(sess, graph, x_train, y_train,
                           dataclasses.replace(profile, epochs=units), verbose=0)
            times.append(time.perf_counter() - start)
            accuracies.append(feeding.evaluate_in_batches(sess, graph, x_test, y_test)[1])
            evaluations.append(time.perf_counter() - start - times[-1])
        start = time.perf_counter()
        feeding.predict_in_batches(sess, graph, x_test)
        predict_s = time.perf_counter() - start
    return {"build_s": build_s, "chunk_s": times, "accuracy": accuracies,
            "evaluate_s": evaluations, "predict_s": predict_s}


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
    fast = variant in ("keras fast", "keras xla+tf.data")
    if text and (fast or variant == "keras fit, tokenized once"):
        fed, x_test = _tokenized_once(model, x_train, y_train, x_test, profile, spec["seed"])
        steps = -(-len(x_train) // (profile.batch_size or len(x_train)))
        if fast and backends.steps_per_execution_allowed(steps):
            model.steps_per_execution = steps  # one call of the training function per epoch
    elif fast or variant == "keras tf.data":  # on TensorFlow, both a shuffled tf.data pipeline
        fed = backends.fast_fit_input(model, x_train, y_train, profile.batch_size, spec["seed"])
        if variant == "keras tf.data":
            model.steps_per_execution = 1  # fast_fit_input's one call an epoch undone
    else:
        fed = None
    if variant == "keras xla+tf.data":
        model.jit_compile = True
    build_s = time.perf_counter() - build_start
    times, accuracies, evaluations = [], [], []
    for units in spec["chunks"]:
        start = time.perf_counter()
        if fed is not None:
            data, fit_arguments = fed
            model.fit(*data, epochs=units, verbose=0, **fit_arguments)
        else:
            port.train(model, x_train, y_train, dataclasses.replace(profile, epochs=units),
                       verbose=0)
        times.append(time.perf_counter() - start)
        accuracies.append(float(model.evaluate(x_test, y_test, batch_size=1000, verbose=0)[1]))
        evaluations.append(time.perf_counter() - start - times[-1])
    start = time.perf_counter()
    model.predict(x_test, batch_size=1000, verbose=0)
    return {"build_s": build_s, "chunk_s": times, "accuracy": accuracies,
            "evaluate_s": evaluations, "predict_s": time.perf_counter() - start}


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
            "bar": profile.accuracy_bar, "rss_after_import_mb": rss_after_import,
            "device": backends.device(spec["backend"]),
            "peak_rss_mb": _peak_rss_mb(),
            "end_s": time.perf_counter() - _PROCESS_START}  # the parent adds Python's exit


def training_flops(model: Any) -> int:
    """Floating-point operations to train on one sample, counted from the layer shapes:
    forward Dense 2 * inputs * units, Conv2D 2 * kh * kw * channels * filters * out_h * out_w
    (pooling, activations, biases and loss left out: a few per cent); backward twice that,
    less the first layer's input gradient, never computed: 3 * forward - first layer's."""
    import keras

    backbone = getattr(model, "backbone", None)  # a KerasHub task: BERT
    if backbone is not None:
        return bert_training_flops(backbone, model.num_classes, model.preprocessor.sequence_length)
    per_layer = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            per_layer.append(2 * int(layer.kernel.shape[0]) * int(layer.kernel.shape[1]))
        elif isinstance(layer, keras.layers.Conv2D):
            kernel_h, kernel_w, channels, filters = (int(d) for d in layer.kernel.shape)
            _, out_h, out_w, _ = layer.output.shape  # a Sequential model's layers know it
            per_layer.append(2 * kernel_h * kernel_w * channels * filters * int(out_h) * int(out_w))
    return 3 * sum(per_layer) - (per_layer[0] if per_layer else 0)


def bert_training_flops(backbone: Any, num_classes: int, tokens: int) -> int:
    """Floating-point operations to train a BERT classifier on one sentence of `tokens`: per
    layer of width H, feed-forward I, over L tokens, projections 8LHH, attention 4LLH,
    feed-forward 4LHI; pooler 2HH, head 2H * classes (look-ups, softmax, LayerNorm, GELU left
    out); backward twice the forward."""
    width = backbone.hidden_dim
    per_layer = (8 * tokens * width * width + 4 * tokens * tokens * width
                 + 4 * tokens * width * backbone.intermediate_dim)
    forward = backbone.num_layers * per_layer + 2 * width * width + 2 * width * num_classes
    return 3 * forward


def reference(spec: dict) -> dict:
    """The float32 matmul rate, the devices, and each example's FLOPs per training sample."""
    from tfport import runtime

    runtime.quiet_start()
    import keras
    import tensorflow as tf

    from tfport.examples import keras_port
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
        keras.utils.set_random_seed(0)
        per_sample[example_id] = training_flops(
            keras_port(example_id).build_model(get_profile(example_id, spec["profile"])))
    return {"gemm_size": best, "gemm_flops_per_s": rates[best][0],
            "gemm_median_flops_per_s": rates[best][1],
            "gemm_by_size": {str(size): rate for size, (rate, _) in rates.items()},
            "devices": devices, "gpus": names, "training_flops": per_sample}


if __name__ == "__main__":
    _spec = json.loads(sys.argv[1])
    print(json.dumps(reference(_spec) if _spec.get("reference") else measure(_spec)), flush=True)
