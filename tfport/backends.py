"""The one place where Keras 3's three backends differ, for the Keras ports and the tools.

Keras 3 runs the same model code on TensorFlow, JAX and PyTorch, and picks the backend once,
when `keras` is first imported (`KERAS_BACKEND`). The Keras ports use Keras layers and
`keras.ops` only; the few things that exist in another form on each backend, or on some
backends only, are chosen here:

- `value_and_grad`: the gradient of a function of tensors, for the ports whose gradients are
  written by hand and checked against autodiff (`tf.GradientTape`, `jax.value_and_grad`,
  `torch.autograd.grad`). Keras 3 has no backend-neutral gradient function.
- `text_batches`: shuffled batches of sentences for KerasHub. Its tokenizers run in `tf.data`
  on every backend (TensorFlow Text), and its `fit` ignores `shuffle=True` for arrays.
- `steps_per_execution_allowed`: the PyTorch backend refuses `steps_per_execution` above 1.
- `fast_fit_input`: the fastest plain-Keras way this project found to feed `fit` on each
  backend (the benchmark's `keras fast` variant): a `tf.data` pipeline on TensorFlow, the
  arrays elsewhere, and one call of the training function per epoch where allowed.
- `without_autotune`: every `tf.data` pipeline this project builds runs with `tf.data`'s
  autotuning off, which otherwise can hold up the end of an epoch by seconds.
- `device`: what a backend computes on, for every record (GPU name or CPU model).
- `in_child`: running a command again in a child process on another backend, since a
  process that has imported Keras cannot change its backend.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT = "tensorflow"
ENV_VAR = "KERAS_BACKEND"


def current() -> str:
    """The backend Keras runs on in this process (importing Keras if it is not yet)."""
    import keras

    return keras.backend.backend()


def value_and_grad(fn: Callable[..., Any], values: Sequence[Any]) -> tuple[Any, list[Any]]:
    """`fn(*values)` (a scalar) and its gradient with respect to each value, by the backend's
    own autodiff. `values` are tensors or `keras.Variable`s; the gradients are tensors."""
    import keras

    # A variable's current value, as a plain tensor of the backend (not the variable).
    tensors = [keras.ops.convert_to_tensor(value.value if isinstance(value, keras.Variable)
                                           else value) for value in values]
    backend = current()
    if backend == "tensorflow":
        import tensorflow as tf

        tensors = [tf.convert_to_tensor(tensor) for tensor in tensors]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            value = fn(*tensors)
        return value, list(tape.gradient(value, tensors))
    if backend == "jax":
        import jax

        value, gradients = jax.value_and_grad(lambda args: fn(*args))(tensors)
        return value, list(gradients)
    if backend == "torch":
        import torch

        leaves = [tensor.detach().requires_grad_(True) for tensor in tensors]
        value = fn(*leaves)
        gradients = torch.autograd.grad(value, leaves)
        return value.detach(), [gradient.detach() for gradient in gradients]
    raise ValueError(f"no gradient function for the Keras backend {backend!r}")


def text_batches(sentences: Any, labels: Any, batch_size: int, shuffle: bool = True) -> Any:
    """Sentences and labels in batches, shuffled anew every epoch from Keras's seed (in order
    when `shuffle` is off), as the dataset KerasHub's `fit` preprocesses (a
    `tf.data.Dataset`, on every backend)."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((sentences, labels))
    if shuffle:
        dataset = dataset.shuffle(len(sentences), reshuffle_each_iteration=True)
    return without_autotune(dataset.batch(batch_size))


def without_autotune(dataset: Any) -> Any:
    """`dataset` (a `tf.data.Dataset`) with `tf.data`'s autotuning off; the same elements in
    the same order.

    With autotuning on (the default), a background loop re-tunes the pipeline at times that
    double from 10 ms after an iterator starts, and releasing an exhausted iterator at the
    end of an epoch sometimes waits for that loop's next wake-up (10 ms x (2^k - 1): 5.11,
    10.23, 20.47 s...): about 2 s lost at the end of 4-5 of 20 one-epoch `fit` calls on a
    2-core CPU, none with autotuning off (`docs/bench/iterator-stall.md`). Its tuning buys
    nothing for these in-memory pipelines. Keras's own pipeline for NumPy arrays
    cannot be given options; it keeps the stall."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def steps_per_execution_allowed(steps: int, backend: str | None = None) -> bool:
    """Whether `model.steps_per_execution = steps` runs on `backend` (default: Keras's)."""
    return steps == 1 or (backend or current()) != "torch"


def fast_fit_input(model: Any, x: Any, y: Any, batch_size: int | None,
                   seed: int) -> tuple[tuple, dict[str, Any]]:
    """`fit`'s data arguments and keyword arguments for the fastest plain-Keras training of
    `model` on (x, y) on this backend; sets `model.steps_per_execution` to an epoch's steps
    (one call of the training function per epoch) where the backend allows it.

    TensorFlow: a `tf.data` pipeline, reshuffled every epoch and prefetched (full batch: the
    whole set as its one batch, held in memory, so that no step copies it), autotuning off
    (`without_autotune`); Keras's own
    adapter for NumPy arrays slices and copies every batch on the Python side. JAX and
    PyTorch: the arrays, as Keras feeds them there."""
    steps = 1 if batch_size is None else -(-len(x) // batch_size)
    if steps_per_execution_allowed(steps):
        model.steps_per_execution = steps
    if current() != "tensorflow":
        return (x, y), {"batch_size": batch_size or len(x), "shuffle": batch_size is not None}
    import tensorflow as tf

    if batch_size is None:
        return (without_autotune(tf.data.Dataset.from_tensors((x, y)).cache()),), {"shuffle": False}
    dataset = (tf.data.Dataset.from_tensor_slices((x, y))
               .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
               .batch(batch_size).prefetch(tf.data.AUTOTUNE))
    return (without_autotune(dataset),), {"shuffle": False}  # shuffled by the pipeline


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo), else what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device(backend: str | None = None) -> str:
    """What `backend` (default: Keras's) computes on: the first GPU's name, else the CPU."""
    backend = backend or current()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return f"GPU: {details.get('device_name', gpus[0].name)}"
        elif backend == "jax":
            import jax

            first = jax.devices()[0]
            if first.platform == "gpu":
                return f"GPU: {first.device_kind}"
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return f"GPU: {torch.cuda.get_device_name(0)}"
    except (ImportError, RuntimeError):
        pass
    return f"CPU: {cpu_model()}"


def in_child(backend: str, argv: Sequence[str]) -> int | None:
    """Make this process's Keras run on `backend`: set $KERAS_BACKEND if Keras is not yet
    imported and return None; if it is, on another backend, run `tfport ARGV` again in a
    child process with $KERAS_BACKEND set and return its exit status."""
    if "keras" not in sys.modules:
        os.environ[ENV_VAR] = backend
        return None
    if current() == backend:
        return None
    environment = {**os.environ, ENV_VAR: backend}
    return subprocess.call([sys.executable, "-m", "tfport.cli", *argv], env=environment)
