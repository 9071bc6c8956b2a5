"""The one MNIST loader that both ports use: $TFPORT_MNIST_PATH's `.npz` or Keras's download
(docs/data.md), checked before any model sees it; every failure is a one-line `DataError`.
"""

from __future__ import annotations

import functools
import os
import zipfile
from typing import NamedTuple

import numpy as np

from tfport.errors import DataError  # noqa: F401  (raised here; tfport.data.DataError too)

ENV_VAR = "TFPORT_MNIST_PATH"
MNIST_TRAIN_SIZE, MNIST_TEST_SIZE = 60_000, 10_000  # what a whole MNIST file holds


class Mnist(NamedTuple):
    x_train: np.ndarray  # uint8, (n_train, 28, 28)
    y_train: np.ndarray  # uint8, (n_train,), digits 0-9
    x_test: np.ndarray  # uint8, (n_test, 28, 28)
    y_test: np.ndarray  # uint8, (n_test,)


def load_mnist(path: str | os.PathLike | None = None) -> Mnist:
    """Return MNIST from `path`, else from $TFPORT_MNIST_PATH, else from Keras's download."""
    from_env = path is None and bool(os.environ.get(ENV_VAR))
    if from_env:
        path = os.environ[ENV_VAR]
    if path is None:
        return _download_with_keras()
    return _load_npz(os.path.abspath(os.fspath(path)), from_env)


def subset(mnist: Mnist, train_size: int | None, test_size: int | None) -> Mnist:
    """The first `train_size` training and `test_size` test samples (None: all of MNIST's);
    a DataError if the file holds fewer, since a profile must not train on less than it says."""
    for split, have, want, whole in (("training", len(mnist.x_train), train_size, MNIST_TRAIN_SIZE),
                                     ("test", len(mnist.x_test), test_size, MNIST_TEST_SIZE)):
        if have < (want or whole):
            raise DataError(
                f"the MNIST file holds {have:,} {split} images, but this profile needs "
                f"{want or whole:,}; point ${ENV_VAR} at the full MNIST .npz (60,000 training "
                f"and 10,000 test images), or unset it to download MNIST.")
    return Mnist(mnist.x_train[:train_size], mnist.y_train[:train_size],
                 mnist.x_test[:test_size], mnist.y_test[:test_size])


def scaled_mnist(profile, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The profile's MNIST subset as most ports prepare it: x_train, digits_train, x_test,
    digits_test, the images float32 in [0, 1] of `shape` each, the digits int64."""
    mnist = subset(load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.reshape(-1, *shape).astype("float32") / 255.0
    x_test = mnist.x_test.reshape(-1, *shape).astype("float32") / 255.0
    return x_train, mnist.y_train.astype("int64"), x_test, mnist.y_test.astype("int64")


@functools.lru_cache(maxsize=2)
def _load_npz(path: str, from_env: bool) -> Mnist:
    where = f"{path} (from ${ENV_VAR})" if from_env else path
    fix = f"point ${ENV_VAR} at an MNIST .npz in the Keras layout, or unset it to download MNIST"
    if os.path.isdir(path):
        raise DataError(f"MNIST path {where} is a folder, not a file; {fix}.")
    if not os.path.isfile(path):
        raise DataError(f"MNIST file not found: {where}; {fix}.")
    if not zipfile.is_zipfile(path):
        raise DataError(f"MNIST file {where} is not an .npz archive (a zip of .npy arrays); {fix}.")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [key for key in Mnist._fields if key not in npz.files]
            if missing:
                raise DataError(f"MNIST file {where} lacks key(s) {', '.join(missing)} "
                                f"(found {', '.join(npz.files) or 'none'}); {fix}.")
            arrays = Mnist(*(npz[key] for key in Mnist._fields))
            for key, array in zip(Mnist._fields, arrays):
                if not isinstance(array, np.ndarray):  # numpy hands back a non-.npy member as bytes
                    raise DataError(f"MNIST file {where}: member {key} is not a .npy array; {fix}.")
    except DataError:
        raise
    except Exception as error:  # anything numpy meets in a zip that is no .npz
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataError(f"MNIST file {where} is not a readable .npz ({reason}); {fix}.") from None
    _check(arrays, where, fix)
    for array in arrays:
        array.setflags(write=False)  # cached: nobody may change it in place
    return arrays


def _download_with_keras() -> Mnist:
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # no network, a broken cache, ...
        raise DataError(f"could not download MNIST with keras.datasets.mnist.load_data() "
                        f"({error}); without internet access, set ${ENV_VAR} to a local "
                        f"MNIST .npz.") from None
    arrays = Mnist(x_train, y_train, x_test, y_test)
    _check(arrays, "keras.datasets.mnist", "delete ~/.keras/datasets/mnist.npz and try again")
    return arrays


def _check(arrays: Mnist, where: str, fix: str) -> None:
    for split in ("train", "test"):
        images, labels = getattr(arrays, f"x_{split}"), getattr(arrays, f"y_{split}")
        if images.dtype != np.uint8 or labels.dtype != np.uint8:
            raise DataError(f"MNIST file {where}: x_{split}/y_{split} have dtypes {images.dtype}/"
                            f"{labels.dtype}, expected uint8/uint8; {fix}.")
        if images.ndim != 3 or images.shape[1:] != (28, 28) or images.shape[0] == 0:
            raise DataError(f"MNIST file {where}: x_{split} has shape {images.shape}, expected "
                            f"(n, 28, 28); {fix}.")
        if labels.shape != (images.shape[0],):
            raise DataError(f"MNIST file {where}: y_{split} has shape {labels.shape}, expected "
                            f"({images.shape[0]},) to match x_{split}; {fix}.")
        if labels.max() > 9:
            raise DataError(f"MNIST file {where}: y_{split} holds label {labels.max()}, expected "
                            f"digits 0-9; {fix}.")
