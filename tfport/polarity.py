"""The one loader of the movie-review sentence polarity data set ("MR"), for the BERT example:
read in memory, checked and split once 80/20 by a fixed seed (docs/data.md); failures: `DataError`.
"""

from __future__ import annotations

import collections
import functools
import os
import tarfile
from typing import NamedTuple

import numpy as np

from tfport.errors import DataError

ENV_VAR = "TFPORT_POLARITY_PATH"
ORIGIN = "https://www.cs.cornell.edu/people/pabo/movie-review-data/rt-polaritydata.tar.gz"
MEMBERS = {1: "rt-polaritydata/rt-polarity.pos", 0: "rt-polaritydata/rt-polarity.neg"}
ENCODING = "cp1252"  # the archive's text is Windows-1252, not UTF-8
TEST_FRACTION = 0.2
SPLIT_SEED = 2005  # fixed: the split is part of the data set, not of a run


class Polarity(NamedTuple):
    train_sentences: list[str]
    train_labels: np.ndarray  # int64, 1 positive, 0 negative
    test_sentences: list[str]
    test_labels: np.ndarray


def load_polarity(path: str | os.PathLike | None = None) -> Polarity:
    """The sentences and labels, split 80/20; from `path`, $TFPORT_POLARITY_PATH, or a download."""
    from_env = path is None and bool(os.environ.get(ENV_VAR))
    if from_env:
        path = os.environ[ENV_VAR]
    if path is None:
        return _read(_download(), "the downloaded archive", "delete it and try again")
    where = f"{os.path.abspath(path)} (from ${ENV_VAR})" if from_env else os.path.abspath(path)
    fix = (f"point ${ENV_VAR} at rt-polaritydata.tar.gz as the data set's home page gives it, "
           f"or unset it to download the archive")
    return _read(os.path.abspath(os.fspath(path)), where, fix)


def split(sentences: list[str], labels: np.ndarray) -> Polarity:
    """The fixed split: a permutation drawn with SPLIT_SEED, its first 20% for testing."""
    order = np.random.default_rng(SPLIT_SEED).permutation(len(sentences))
    test_size = int(round(len(sentences) * TEST_FRACTION))
    test, train = order[:test_size], order[test_size:]
    return Polarity([sentences[i] for i in train], labels[train],
                    [sentences[i] for i in test], labels[test])


def _download() -> str:
    import keras

    try:
        return keras.utils.get_file("rt-polaritydata.tar.gz", origin=ORIGIN)
    except Exception as error:  # no network, a broken cache, ...
        raise DataError(f"could not download the sentence polarity data from {ORIGIN} "
                        f"({error}); without internet access, set ${ENV_VAR} to a local "
                        f"rt-polaritydata.tar.gz.") from None


@functools.lru_cache(maxsize=2)
def _read(path: str, where: str, fix: str) -> Polarity:
    if os.path.isdir(path):
        raise DataError(f"sentence polarity path {where} is a folder, not a file; {fix}.")
    if not os.path.isfile(path):
        raise DataError(f"sentence polarity archive not found: {where}; {fix}.")
    sentences: list[str] = []
    labels: list[int] = []
    try:
        with tarfile.open(path, "r:*") as archive:
            names = set(archive.getnames())
            for label, member in MEMBERS.items():
                if member not in names:
                    raise DataError(f"sentence polarity archive {where} has no member {member} "
                                    f"(it has {len(names)} others); {fix}.")
                raw = archive.extractfile(member).read()
                try:
                    text = raw.decode(ENCODING)
                except UnicodeDecodeError as error:
                    raise DataError(f"{member} in {where} is not Windows-1252 text (byte "
                                    f"{raw[error.start]:#04x} at {error.start}); {fix}.") from None
                lines = [line.strip() for line in text.splitlines() if line.strip()]
                if not lines:
                    raise DataError(f"{member} in {where} holds no sentence; {fix}.")
                sentences += lines
                labels += [label] * len(lines)
    except DataError:
        raise
    except (tarfile.TarError, OSError, EOFError) as error:
        raise DataError(f"sentence polarity archive {where} is not a readable .tar.gz "
                        f"({error}); {fix}.") from None
    return split(sentences, np.array(labels, dtype="int64"))


def bag_of_words_baseline(data: Polarity, min_count: int = 2, steps: int = 1000,
                          learning_rate: float = 2.0, l2: float = 1e-3) -> float:
    """Test accuracy of a logistic regression on the same split, to place BERT's numbers: 0/1
    features for each training word (between spaces) seen `min_count` times, full-batch
    gradient descent with an L2 penalty from zeros (nothing random)."""
    counts = collections.Counter(word for sentence in data.train_sentences
                                 for word in set(sentence.split()))
    index = {word: i for i, word in enumerate(sorted(w for w, c in counts.items() if c >= min_count))}

    def features(sentences: list[str]) -> np.ndarray:
        x = np.zeros((len(sentences), len(index) + 1), dtype="float32")
        x[:, -1] = 1.0  # the bias
        for row, sentence in enumerate(sentences):
            for word in sentence.split():
                if word in index:
                    x[row, index[word]] = 1.0
        return x

    x_train, x_test = features(data.train_sentences), features(data.test_sentences)
    y_train = data.train_labels.astype("float32")
    weights = np.zeros(x_train.shape[1], dtype="float32")
    for _ in range(steps):
        predictions = 1.0 / (1.0 + np.exp(-(x_train @ weights)))
        gradient = x_train.T @ (predictions - y_train) / len(y_train) + l2 * weights
        weights -= learning_rate * gradient
    return float(np.mean(((x_test @ weights) > 0) == (data.test_labels == 1)))
