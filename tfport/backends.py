"""The one place where Keras 3's three backends differ, for the Keras ports and the tools.

Keras picks its backend once, when first imported (`KERAS_BACKEND`); what exists in another
form on each backend, or on some only, is chosen here (docs/backends.md, docs/bench.md).
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
    """Sentences and labels as the `tf.data.Dataset` KerasHub's `fit` preprocesses on every
    backend, reshuffled every epoch from Keras's seed unless `shuffle` is off."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((sentences, labels))
    if shuffle:
        dataset = dataset.shuffle(len(sentences), reshuffle_each_iteration=True)
    return without_autotune(dataset.batch(batch_size))


def without_autotune(dataset: Any) -> Any:
    """`dataset` with `tf.data`'s autotuning off: its tuner can stall an epoch's end by
    seconds (docs/migration-notes.md, `docs/bench/iterator-stall.md`) and buys nothing for
    these in-memory pipelines."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def steps_per_execution_allowed(steps: int, backend: str | None = None) -> bool:
    """Whether `model.steps_per_execution = steps` runs on `backend` (default: Keras's)."""
    return steps == 1 or (backend or current()) != "torch"


def fast_fit_input(model: Any, x: Any, y: Any, batch_size: int | None,
                   seed: int) -> tuple[tuple, dict[str, Any]]:
    """`fit`'s positional and keyword data arguments for the fastest plain-Keras training on
    this backend (`keras fast`, docs/bench.md), with one call of the training function per
    epoch where allowed. TensorFlow: a `tf.data` pipeline (Keras's adapter for arrays copies
    every batch in Python); JAX and PyTorch: the arrays."""
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


def device(backend: str | None = None) -> str:
    """What `backend` (default: Keras's) computes on: the first GPU's name, else the CPU's
    model name (Linux /proc/cpuinfo, else what `platform` knows)."""
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
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"CPU: {line.split(':', 1)[1].strip()}"
    except OSError:
        pass
    return f"CPU: {platform.processor() or platform.machine()}"


def in_child(backend: str, argv: Sequence[str]) -> int | None:
    """Make Keras run on `backend`: set $KERAS_BACKEND before Keras is imported (None), or
    run `tfport ARGV` again in a child process on it (its exit status)."""
    if "keras" not in sys.modules:
        os.environ[ENV_VAR] = backend
        return None
    if current() == backend:
        return None
    environment = {**os.environ, ENV_VAR: backend}
    return subprocess.call([sys.executable, "-m", "tfport.cli", *argv], env=environment)
