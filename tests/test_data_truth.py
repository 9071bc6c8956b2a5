"""Every port trains and tests on what its profile says: the loader's rows, split as loaded.

A port that tests on training images (`x_train[:n]` as its test set) or a subset that mixes
the splits passes every accuracy test (it scores higher, not lower) and `tfport verify` too,
which compares the two ports with each other. These tests compare each port's `load_data`
with the loader itself: the test images are the loader's first test images in order, the
training images its first training images, the labels say the same digits, the sizes are the
profile's, and no test image is also a training image.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from tests.conftest import TINY
from tfport import data, polarity
from tfport.examples import EXAMPLES, keras_port, tf1_port

MNIST_EXAMPLES = [e for e in EXAMPLES if EXAMPLES[e].uses_mnist]


def _pixels(images: np.ndarray) -> np.ndarray:
    """A port's images back as the loader's uint8 pixels, one row per image."""
    return np.rint(np.asarray(images, dtype="float64").reshape(len(images), -1) * 255).astype(np.uint8)


def _digits(example_id: str, labels: np.ndarray) -> np.ndarray:
    """What a port's labels say of each image: the digit, or for binary_mlp its parity."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] > 1:  # one-hot
        return labels.argmax(axis=1)
    return labels.reshape(-1).astype(np.int64)


def _row_hashes(rows: np.ndarray) -> set[bytes]:
    return {hashlib.sha1(row.tobytes()).digest() for row in rows}


@pytest.mark.parametrize("api", ["tf1", "keras"])
@pytest.mark.parametrize("example_id", MNIST_EXAMPLES)
def test_each_port_loads_the_profiles_rows_of_each_split(example_id, api):
    profile = TINY[example_id]
    port = tf1_port(example_id) if api == "tf1" else keras_port(example_id)
    x_train, y_train, x_test, y_test = port.load_data(profile)
    mnist = data.load_mnist()
    assert len(x_train) == len(y_train) == profile.train_size
    assert len(x_test) == len(y_test) == profile.test_size
    np.testing.assert_array_equal(_pixels(x_train), mnist.x_train[:profile.train_size].reshape(profile.train_size, -1))
    np.testing.assert_array_equal(_pixels(x_test), mnist.x_test[:profile.test_size].reshape(profile.test_size, -1))
    parity = example_id == "binary_mlp"
    expected_train = mnist.y_train[:profile.train_size] % (2 if parity else 10)
    expected_test = mnist.y_test[:profile.test_size] % (2 if parity else 10)
    np.testing.assert_array_equal(_digits(example_id, y_train), expected_train)
    np.testing.assert_array_equal(_digits(example_id, y_test), expected_test)
    assert not _row_hashes(_pixels(x_test)) & _row_hashes(_pixels(x_train)), \
        f"{example_id}/{api}: a test image is also a training image"


@pytest.mark.parametrize("api", ["tf1", "keras"])
def test_bert_tests_on_the_held_out_sentences(api):
    profile = TINY["bert_classifier"]
    mr = polarity.load_polarity()
    port = tf1_port("bert_classifier") if api == "tf1" else keras_port("bert_classifier")
    x_train, y_train, x_test, y_test = port.load_data(profile)
    assert len(x_train) == profile.train_size and len(x_test) == profile.test_size
    np.testing.assert_array_equal(y_train, mr.train_labels[:profile.train_size])
    np.testing.assert_array_equal(y_test, mr.test_labels[:profile.test_size])
    if api == "keras":  # the sentences themselves, lower-cased
        assert list(x_test) == [s.lower() for s in mr.test_sentences[:profile.test_size]]
    assert not set(mr.test_sentences) & set(mr.train_sentences)


def test_subset_keeps_each_split_apart():
    # Distinct, non-zero splits: every training image is filled with its index + 1, every
    # test image with 101 + its index, so a subset that mixed them would show.
    mnist = data.Mnist(
        x_train=np.stack([np.full((28, 28), i + 1, np.uint8) for i in range(6)]),
        y_train=np.arange(6, dtype=np.uint8),
        x_test=np.stack([np.full((28, 28), 101 + i, np.uint8) for i in range(4)]),
        y_test=np.arange(4, dtype=np.uint8) + 5)
    kept = data.subset(mnist, 3, 2)
    assert [int(image[0, 0]) for image in kept.x_train] == [1, 2, 3]
    assert [int(image[0, 0]) for image in kept.x_test] == [101, 102]
    assert list(kept.y_test) == [5, 6]
