"""How a tfport process starts TensorFlow: quietly, and with the legacy-Keras switch set (why
each: docs/migration-notes.md, "Running TF1 code in TensorFlow 2.21").
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from typing import Iterator


def use_legacy_keras() -> None:
    """Make `tf.compat.v1.layers` load on tf-keras; a no-op once set."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    # Every TF1 layer call would warn that `tf.layers` is deprecated: using that API is the
    # point of the TF1 ports, so the warning is silenced; this comment is the warning.
    warnings.filterwarnings("ignore", message=r"`tf\.layers\.\w+` is deprecated",
                            category=UserWarning)


@contextlib.contextmanager
def _stderr_caught() -> Iterator[tempfile.SpooledTemporaryFile]:
    """Point file descriptor 2 (C++ and Python stderr alike) at a temporary file."""
    sys.stderr.flush()
    caught = tempfile.TemporaryFile(mode="w+b")
    saved = os.dup(2)
    os.dup2(caught.fileno(), 2)
    try:
        yield caught
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def quiet_start(verbose: bool = False) -> None:
    """Import TensorFlow and find its devices without its start-up lines (unless `verbose`),
    and keep its Python-side warnings (such as `tf.function` retracing) out of normal output."""
    # 3: TensorFlow's C++ logging keeps its errors too (a failing op raises in Python all
    # the same); KerasHub's int64 ops log a harmless oneDNN "error" on some CPUs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "3")
    import importlib.util

    if importlib.util.find_spec("tensorflow") is None:
        return  # a machine with JAX or PyTorch only: the Keras ports run without TensorFlow
    if verbose or "tensorflow" in sys.modules:
        import tensorflow  # noqa: F401
        return
    with _stderr_caught() as caught:
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # CUDA's probe prints here, once per process
        except BaseException:
            caught.seek(0)
            sys.__stderr__.write(caught.read().decode(errors="replace"))
            raise
    tf.get_logger().setLevel("ERROR")  # retracing warnings and other notes
    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
