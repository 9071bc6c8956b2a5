"""Shared test set-up: small profiles, and TensorFlow started as the CLI starts it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tfport import runtime
from tfport.profiles import Profile

runtime.quiet_start()  # TensorFlow's start-up lines stay out of the test output
runtime.use_legacy_keras()  # for tests that build TF1 graphs without the ports' scaffold

# Tiny profiles: enough to exercise every code path in a second or two, not to learn.
TINY = {
    "mlp_gd": Profile("tiny", epochs=3, batch_size=None, learning_rate=0.01,
                      train_size=500, test_size=200),
    "cnn_sparse": Profile("tiny", epochs=1, batch_size=32, learning_rate=0.001,
                          train_size=320, test_size=200),
    "cnn_onehot": Profile("tiny", epochs=1, batch_size=64, learning_rate=0.001,
                          train_size=384, test_size=200),
    "cnn_mse_sgd": Profile("tiny", epochs=2, batch_size=None, learning_rate=0.001,
                           train_size=500, test_size=200),
    "backprop": Profile("tiny", epochs=1, batch_size=32, learning_rate=0.5,
                        train_size=320, test_size=200),
    "binary_mlp": Profile("tiny", epochs=1, batch_size=32, learning_rate=0.001,
                          train_size=320, test_size=200),
    "sigmoid_step": Profile("tiny", epochs=1, batch_size=None, learning_rate=0.1),
    "bert_classifier": Profile("tiny", epochs=1, batch_size=16, learning_rate=5e-4,
                               train_size=64, test_size=32, data="mr", sequence_length=32),
}

# Examples with nothing random in them (fixed weights, no data order): a seed changes nothing.
DETERMINISTIC = {"sigmoid_step"}


@pytest.fixture
def tiny_profile():
    return TINY


@pytest.fixture(scope="session")
def tiny_compare(tmp_path_factory):
    """`tfport compare --quiet --out DIR` on the tiny profiles, run once for the session: its
    printed output and DIR, whose records (every example, both APIs) the audit test reuses
    rather than training all of them again."""
    import contextlib
    import io

    from tfport import cli
    from tfport.profiles import PROFILES

    out = tmp_path_factory.mktemp("compare")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        for example_id, profile in TINY.items():
            patch.setitem(PROFILES[example_id], "quick", profile)
        assert cli.main(["compare", "--quiet", "--out", str(out)]) == 0
    return printed.getvalue(), out


# The movie-review sentences beside this clone, where no path is set (.ci/run sets one).
SHARED_POLARITY = Path(__file__).resolve().parents[2] / "shared" / "data" / "rt-polaritydata.tar.gz"
if not os.environ.get("TFPORT_POLARITY_PATH") and SHARED_POLARITY.exists():
    os.environ["TFPORT_POLARITY_PATH"] = str(SHARED_POLARITY)


# The BERT folder the session fixture below wrote with legacy_tf1/bert/checkpoint.py, if it
# wrote one (tests/test_bert.py checks that folder's layout rather than write a second).
WRITTEN_BERT_FOLDERS: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def bert_checkpoint_folder(tmp_path_factory):
    """The BERT example's checkpoint folder, written once for the whole run (20-25 s on two
    cores, most of it learning the vocabulary), as `tfport bert-checkpoint` writes it, unless
    $TFPORT_BERT_DIR names one already."""
    from tfport import bert_checkpoint

    if os.environ.get(bert_checkpoint.ENV_VAR):
        yield Path(os.environ[bert_checkpoint.ENV_VAR])
        return
    folder = tmp_path_factory.mktemp("bert") / "uncased_L-2_H-128_A-2"
    bert_checkpoint.make_folder(folder, verbose=False)
    WRITTEN_BERT_FOLDERS.append(folder)
    os.environ[bert_checkpoint.ENV_VAR] = str(folder)
    yield folder
    del os.environ[bert_checkpoint.ENV_VAR]
