"""The sentence polarity loader: the archive as its home page gives it, and every way it can be wrong."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from tfport import polarity
from tfport.errors import DataError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "rt-polaritydata.tar.gz"


def _archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def _sentences(prefix: str, n: int) -> bytes:
    return "\n".join(f"{prefix} sentence {i} , caf\u00e9 \u2014 fine ." for i in range(n)).encode("cp1252")


@pytest.fixture(autouse=True)
def _fresh_cache():
    polarity._read.cache_clear()
    yield
    polarity._read.cache_clear()


@pytest.fixture
def small(tmp_path) -> Path:
    return _archive(tmp_path / "rt-polaritydata.tar.gz", {
        polarity.MEMBERS[1]: _sentences("good", 30), polarity.MEMBERS[0]: _sentences("bad", 20)})


def test_reads_both_members_as_windows_1252_and_splits_80_20(small):
    data = polarity.load_polarity(small)
    assert len(data.train_sentences) == 40 and len(data.test_sentences) == 10
    everything = data.train_sentences + data.test_sentences
    assert sorted(everything) == sorted(_sentences("good", 30).decode("cp1252").splitlines()
                                        + _sentences("bad", 20).decode("cp1252").splitlines())
    assert "caf\u00e9 \u2014" in everything[0]
    # Labels follow the member: 1 for .pos, 0 for .neg.
    for sentences, labels in ((data.train_sentences, data.train_labels),
                              (data.test_sentences, data.test_labels)):
        assert labels.dtype == np.int64
        assert all((label == 1) == sentence.startswith("good")
                   for sentence, label in zip(sentences, labels))
    # No test sentence is a training sentence, and the split is the same every time.
    assert not set(data.test_sentences) & set(data.train_sentences)
    polarity._read.cache_clear()
    assert polarity.load_polarity(small).test_sentences == data.test_sentences


def test_reads_the_path_from_the_environment(small, monkeypatch):
    monkeypatch.setenv(polarity.ENV_VAR, str(small))
    assert len(polarity.load_polarity().test_sentences) == 10


@pytest.mark.parametrize("members, message", [
    ({polarity.MEMBERS[1]: b"good ."}, "has no member rt-polaritydata/rt-polarity.neg"),
    ({polarity.MEMBERS[1]: b"good .", polarity.MEMBERS[0]: b"\n \n"},
     "rt-polarity.neg in .* holds no sentence"),
    ({polarity.MEMBERS[1]: b"bad byte \x81 .", polarity.MEMBERS[0]: b"bad ."},
     "is not Windows-1252 text \\(byte 0x81"),
])
def test_a_wrong_archive_is_one_clear_error(tmp_path, members, message):
    with pytest.raises(DataError, match=message):
        polarity.load_polarity(_archive(tmp_path / "x.tar.gz", members))


def test_a_missing_file_a_folder_or_not_a_tar_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv(polarity.ENV_VAR, str(tmp_path / "gone.tar.gz"))
    with pytest.raises(DataError, match=r"not found: .*gone\.tar\.gz \(from \$TFPORT_POLARITY_PATH\)"):
        polarity.load_polarity()
    with pytest.raises(DataError, match="is a folder, not a file"):
        polarity.load_polarity(tmp_path)
    text = tmp_path / "text.tar.gz"
    text.write_text("not an archive")
    with pytest.raises(DataError, match="is not a readable .tar.gz"):
        polarity.load_polarity(text)


@pytest.mark.skipif(not SHARED.exists() and not os.environ.get(polarity.ENV_VAR),
                    reason="no sentence polarity archive beside this clone")
def test_the_shared_archive_is_4000_balanced_sentences():
    data = polarity.load_polarity(os.environ.get(polarity.ENV_VAR) or SHARED)
    assert (len(data.train_sentences), len(data.test_sentences)) == (3200, 800)
    labels = np.concatenate([data.train_labels, data.test_labels])
    assert labels.sum() == 2000


def test_the_bag_of_words_baseline_learns_words_and_nothing_else(tmp_path):
    # Sentences whose label is in one word: the baseline gets them all; the same sentences
    # with labels that no word predicts: it cannot do better than chance.
    good = "\n".join(f"a fine film number{i} ." for i in range(60)).encode("cp1252")
    bad = "\n".join(f"a dull film number{i} ." for i in range(60)).encode("cp1252")
    data = polarity.load_polarity(_archive(tmp_path / "words.tar.gz", {
        polarity.MEMBERS[1]: good, polarity.MEMBERS[0]: bad}))
    assert polarity.bag_of_words_baseline(data) == 1.0
    rng = np.random.default_rng(0)
    shuffled = data._replace(train_labels=rng.permutation(data.train_labels))
    assert polarity.bag_of_words_baseline(shuffled) < 0.8
