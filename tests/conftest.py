"""Shared test set-up: small profiles, and TensorFlow started as the CLI starts it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest


def _one_share_of_the_cores() -> None:
    """Each of README's `pytest -n 2` workers, and every process it starts (notebook kernels,
    the backends' children), computes on its share of the cores. Left at their defaults,
    TensorFlow's thread pools and PyTorch's OpenMP threads each take every core, so two
    workers ask for twice the machine and wait on each other: measured on 2 cores, the
    PyTorch child of tests/test_backends.py took 23 s alone and 84 s beside one busy
    TensorFlow process (31 s with one thread). Set before TensorFlow starts; a variable
    already set is kept."""
    if "PYTEST_XDIST_WORKER_COUNT" not in os.environ:  # one process (or xdist's controller)
        return
    workers = int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    share = str(max(1, (cores or 1) // workers))
    for name in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(name, share)


_one_share_of_the_cores()

from tfport import runtime  # noqa: E402  (TensorFlow starts with the threads set above)
from tfport.profiles import Profile  # noqa: E402

runtime.quiet_start()  # TensorFlow's start-up lines stay out of the test output
runtime.use_legacy_keras()  # for tests that build TF1 graphs without the ports' scaffold

# README runs the suite as `pytest -n 2 --dist loadfile`: each file goes to one worker, in
# the order collected. The notebooks' file is the longest (notebook 003 fine-tunes the
# pretrained BERT in both APIs); started first, the other worker runs every other file
# beside it, instead of the suite ending with the notebooks alone on one worker.
LONGEST_FIRST = ("test_notebooks.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)  # stable: the rest in order


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
def tiny_compare(tmp_path_factory, tiny_bert_dir):
    """`tfport compare --quiet --out DIR` on the tiny profiles, run once for the session: its
    printed output and DIR, whose records (every example, both APIs) the audit test reuses
    rather than training all of them again. bert_classifier runs on the random BERT-Tiny
    (below): what is checked is the table and the records, not what BERT learns."""
    import contextlib
    import io

    from tfport import cli
    from tfport.profiles import PROFILES

    out = tmp_path_factory.mktemp("compare")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        for example_id, profile in TINY.items():
            patch.setitem(PROFILES[example_id], "quick", profile)
        patch.setenv("TFPORT_BERT_DIR", str(tiny_bert_dir))
        assert cli.main(["compare", "--quiet", "--out", str(out)]) == 0
    return printed.getvalue(), out


# The movie-review sentences beside this clone, where no path is set (.ci/run sets one).
SHARED_POLARITY = Path(__file__).resolve().parents[2] / "shared" / "data" / "rt-polaritydata.tar.gz"
if not os.environ.get("TFPORT_POLARITY_PATH") and SHARED_POLARITY.exists():
    os.environ["TFPORT_POLARITY_PATH"] = str(SHARED_POLARITY)


# The pretrained BERT beside this clone, where no folder is named (.ci/run names it); with
# neither, the loader downloads it (tfport/bert_checkpoint.py).
SHARED_BERT = Path(__file__).resolve().parents[2] / "shared" / "data" / "all-MiniLM-L6-v2"
if not os.environ.get("TFPORT_BERT_DIR") and SHARED_BERT.is_dir():
    os.environ["TFPORT_BERT_DIR"] = str(SHARED_BERT)


@pytest.fixture(scope="session", autouse=True)
def bert_cache(tmp_path_factory):
    """The BERT checkpoints converted for this run (a second or two each) go into a folder
    of the run's own, not into the user's ~/.cache/tfport."""
    from tfport import bert_checkpoint

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(bert_checkpoint.CACHE_VAR, str(tmp_path_factory.mktemp("cache")))
        yield


def write_random_folder(out: Path, vocab: Path, seed: int = 0, hidden_size: int = 128,
                        layers: int = 2, heads: int = 2, intermediate_size: int = 512) -> Path:
    """A Hugging Face BERT folder of random weights, as BERT initializes them, BERT-Tiny's
    sizes by default: for tests of code paths."""
    import numpy as np
    from safetensors.numpy import save_file

    size = sum(1 for _ in open(vocab, encoding="utf-8"))
    config = {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": size,
              "hidden_size": hidden_size, "num_hidden_layers": layers,
              "num_attention_heads": heads, "intermediate_size": intermediate_size,
              "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
              "attention_probs_dropout_prob": 0.1, "max_position_embeddings": 512,
              "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12}
    rng = np.random.default_rng(seed)

    def normal(*shape: int) -> np.ndarray:
        return np.clip(rng.normal(0, 0.02, shape), -0.04, 0.04).astype("float32")

    weights = {"embeddings.word_embeddings.weight": normal(size, hidden_size),
               "embeddings.position_embeddings.weight": normal(512, hidden_size),
               "embeddings.token_type_embeddings.weight": normal(2, hidden_size),
               "pooler.dense.weight": normal(hidden_size, hidden_size)}
    norms = ["embeddings.LayerNorm"]
    dense = {"pooler.dense": hidden_size}
    for i in range(layers):
        block = f"encoder.layer.{i}"
        for name, (out_size, in_size) in {
                "attention.self.query": (hidden_size, hidden_size),
                "attention.self.key": (hidden_size, hidden_size),
                "attention.self.value": (hidden_size, hidden_size),
                "attention.output.dense": (hidden_size, hidden_size),
                "intermediate.dense": (intermediate_size, hidden_size),
                "output.dense": (hidden_size, intermediate_size)}.items():
            weights[f"{block}.{name}.weight"] = normal(out_size, in_size)
            dense[f"{block}.{name}"] = out_size
        norms += [f"{block}.attention.output.LayerNorm", f"{block}.output.LayerNorm"]
    for name, out_size in dense.items():
        weights[f"{name}.bias"] = np.zeros(out_size, "float32")
    for name in norms:
        weights[f"{name}.weight"] = np.ones(hidden_size, "float32")
        weights[f"{name}.bias"] = np.zeros(hidden_size, "float32")
    out.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(out / "model.safetensors"))
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "tokenizer_config.json").write_text('{"do_lower_case": true}\n')
    shutil.copyfile(vocab, out / "vocab.txt")
    return out


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory, bert_cache) -> Path:
    """A BERT-Tiny of random weights (2 layers, hidden 128) as a Hugging Face folder with the
    pretrained model's vocabulary: for the tests that check what the ports compute, number
    by number, through the same loading code as the pretrained model, in a tenth the time."""
    from tfport import bert_checkpoint

    vocab = bert_checkpoint.pretrained_bert().vocab
    return write_random_folder(tmp_path_factory.mktemp("bert") / "bert-tiny", vocab)


@pytest.fixture
def tiny_bert(tiny_bert_dir, monkeypatch) -> Path:
    """The random BERT-Tiny above, as the checkpoint both ports load during one test."""
    monkeypatch.setenv("TFPORT_BERT_DIR", str(tiny_bert_dir))
    return tiny_bert_dir
