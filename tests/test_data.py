"""The MNIST loader: the real file when configured, and every way a file can be wrong."""

from __future__ import annotations

import numpy as np
import pytest

from tfport import data


def _images(values) -> np.ndarray:
    """One 28x28 image per value, every pixel that value: each image says which it is."""
    return np.stack([np.full((28, 28), value, np.uint8) for value in values])


def _write(path, **overrides):
    # Distinct, non-zero splits: training images 1-6 labelled 0-5, test images 101-104
    # labelled 9-6, so that a loader or subset mixing the splits, or taking other rows,
    # shows in every array.
    arrays = {
        "x_train": _images(range(1, 7)),
        "y_train": np.arange(6, dtype=np.uint8),
        "x_test": _images(range(101, 105)),
        "y_test": np.array([9, 8, 7, 6], np.uint8),
    }
    arrays.update(overrides)
    np.savez(path, **{key: value for key, value in arrays.items() if value is not None})
    return path


@pytest.fixture(autouse=True)
def _fresh_cache():
    data._load_npz.cache_clear()
    yield
    data._load_npz.cache_clear()


def test_configured_file_is_full_mnist():
    mnist = data.load_mnist()
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_test.shape == (10000, 28, 28)
    assert mnist.x_train.dtype == np.uint8 and mnist.y_train.dtype == np.uint8
    assert sorted(np.unique(mnist.y_test)) == list(range(10))


def test_reads_path_from_environment_variable(tmp_path, monkeypatch):
    path = _write(tmp_path / "small.npz")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    mnist = data.load_mnist()
    assert mnist.x_train.shape == (6, 28, 28) and list(mnist.y_test) == [9, 8, 7, 6]


def test_subset_takes_the_first_samples(tmp_path):
    mnist = data.subset(data.load_mnist(_write(tmp_path / "s.npz")), 2, 3)
    assert list(mnist.x_train[:, 0, 0]) == [1, 2] and list(mnist.y_train) == [0, 1]
    assert list(mnist.x_test[:, 0, 0]) == [101, 102, 103] and list(mnist.y_test) == [9, 8, 7]


def test_subset_refuses_a_file_smaller_than_the_profile(tmp_path):
    # A 6-image file must not train silently as if it were the profile's 6,000 images.
    small = data.load_mnist(_write(tmp_path / "s.npz"))
    with pytest.raises(data.DataError, match="holds 6 training images, but this profile needs 7"):
        data.subset(small, 7, 3)
    with pytest.raises(data.DataError, match="holds 4 test images, but this profile needs 60"):
        data.subset(small, 6, 60)
    with pytest.raises(data.DataError, match="needs 60,000"):  # None: all of MNIST
        data.subset(small, None, None)


def test_a_folder_or_a_zip_of_other_things_is_a_clear_error(tmp_path):
    import zipfile

    with pytest.raises(data.DataError, match="is a folder, not a file"):
        data.load_mnist(tmp_path)
    path = tmp_path / "members.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(key, b"not an array")
    with pytest.raises(data.DataError, match="member x_train is not a .npy array"):
        data.load_mnist(path)


def test_missing_file_names_path_and_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "nope.npz"))
    with pytest.raises(data.DataError, match=r"not found: .*nope\.npz \(from \$TFPORT_MNIST_PATH\)"):
        data.load_mnist()


def test_file_that_is_not_an_archive(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("x_train,y_train\n1,2\n")
    with pytest.raises(data.DataError, match=r"text\.npz is not an \.npz archive"):
        data.load_mnist(path)


def test_explicit_path_is_not_blamed_on_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "other.npz"))
    with pytest.raises(data.DataError) as error:
        data.load_mnist(tmp_path / "given.npz")
    assert "given.npz;" in str(error.value) and "(from $" not in str(error.value)


def test_corrupt_member(tmp_path):
    path = tmp_path / "corrupt.npz"
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(f"{key}.npy", b"\x93NUMPY garbage")
    with pytest.raises(data.DataError, match="not a readable .npz"):
        data.load_mnist(path)


def test_truncated_file(tmp_path):
    path = _write(tmp_path / "full.npz")
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(data.DataError, match=r"full\.npz is not an \.npz archive"):
        data.load_mnist(path)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"y_test": None}, "lacks key"),
        ({"x_train": np.zeros((6, 28, 28), np.float32)}, "dtypes float32/uint8"),
        ({"x_train": np.zeros((6, 784), np.uint8)}, r"x_train has shape \(6, 784\)"),
        ({"y_train": np.arange(5, dtype=np.uint8)}, r"y_train has shape \(5,\), expected \(6,\)"),
        ({"y_test": np.array([0, 1, 2, 10], np.uint8)}, "label 10"),
    ],
)
def test_malformed_file(tmp_path, overrides, message):
    path = _write(tmp_path / "bad.npz", **overrides)
    with pytest.raises(data.DataError, match=message):
        data.load_mnist(path)
