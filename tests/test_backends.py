"""Every Keras port on JAX and on PyTorch: the same bars, and the same model as on TensorFlow.

Keras takes its backend when it is first imported, so each backend runs in a child process
(`tests/backend_child.py`, `KERAS_BACKEND` set), once per backend for all the examples. The
child (1) loads Keras weights that the TensorFlow backend saved here and predicts on the same
inputs: the outputs must agree within 1e-5, the float32 bound of the migration guide (as in
tfport/verify_checks.py); and (2) runs every Keras port: the mini-batch MNIST examples and
sigmoid_step on their quick profiles, held to the quick profiles' bars (as each example's
tests set them) and to the TensorFlow backend's run of the same seed; bert_classifier,
cnn_mse_sgd and mlp_gd on their tiny profiles (see TINY_RUNS: BERT's quick profile takes a
minute or more per backend on two cores, and the TensorFlow backend's quick run holds its
bar in tests/test_notebooks.py, by test_examples' checks).

The initial weights differ between backends (each draws its own random numbers from the same
seed), so the agreement is that of two seeds: the same tolerances as between the two APIs,
which also start from different weights where a port draws them itself.

Without JAX or PyTorch installed (`pip install -e ".[backends]"`) these tests are skipped,
and say so.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from tests import test_article_004, test_backprop
from tests.conftest import TINY
from tests.test_examples import BARS, agreement, quick
from tfport.examples import EXAMPLES, keras_port

ROOT = Path(__file__).resolve().parents[1]
MOVED_TOLERANCE = 1e-5
# Three examples run on their tiny profiles, to keep the suite under 15 minutes:
# bert_classifier (see above); cnn_mse_sgd, whose quick profile has no accuracy bar to hold
# (its accuracy is set by the initial weights, tests/test_examples.py) and takes 20-25 s per
# backend; and mlp_gd, whose quick profile is 150 full-batch steps: as full-batch gradient
# descent, both must lower the loss at every step.
TINY_RUNS = ["bert_classifier", "cnn_mse_sgd", "mlp_gd"]
QUICK_RUNS = [e for e in EXAMPLES if e not in TINY_RUNS]
# example: (the quick profile's accuracy bar, the largest |this backend - TensorFlow| gap),
# the bars as the tests of each example set them. Each backend draws other initial weights
# from the same seed, so the gap allowed is that of another seed: the same-seed gap between
# the APIs, whose initial weights also differ.
BACKEND_BARS = {
    "cnn_sparse": BARS["cnn_sparse"],
    "cnn_onehot": BARS["cnn_onehot"],
    "binary_mlp": (test_article_004.QUICK_ACCURACY_BAR, agreement("binary_mlp", "accuracy")),
    "backprop": (test_backprop.ACCURACY_BAR, test_backprop.ACCURACY_AGREEMENT),
}


def _installed(backend: str) -> bool:
    return importlib.util.find_spec(backend) is not None


BACKENDS = [pytest.param(name, marks=pytest.mark.skipif(
    not _installed(name), reason=f"{name} is not installed (pip install -e \".[backends]\")"))
    for name in ("jax", "torch")]


@pytest.fixture(scope="module", autouse=True)
def bert_tiny_here(tiny_bert_dir):
    """bert_classifier runs here (and in the backends' child processes) on the random
    BERT-Tiny (conftest): what is checked is that KerasHub runs on each backend."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFPORT_BERT_DIR", str(tiny_bert_dir))
        yield


@pytest.fixture(scope="module")
def handoff(tmp_path_factory) -> dict:
    """Each example's Keras model built on TensorFlow from seed 0: its weights, 32 test
    inputs and TensorFlow's outputs for them."""
    folder = tmp_path_factory.mktemp("handoff")
    moved = {}
    for example_id in EXAMPLES:
        if example_id == "sigmoid_step":  # two variables, no Keras model to save
            continue
        port = keras_port(example_id)
        keras.utils.set_random_seed(0)
        model = port.build_model(TINY[example_id])
        inputs = port.load_data(TINY[example_id])[2][:32]
        weights, saved_inputs = folder / f"{example_id}.weights.h5", folder / f"{example_id}.npy"
        model.save_weights(weights)
        np.save(saved_inputs, inputs, allow_pickle=False)
        moved[example_id] = {"weights": str(weights), "inputs": str(saved_inputs),
                             "outputs": np.asarray(model.predict(inputs, verbose=0))}
    return moved


@pytest.fixture(scope="module", params=BACKENDS)
def child(request, handoff, tmp_path_factory) -> dict:
    backend = request.param
    folder = tmp_path_factory.mktemp(backend)
    spec = {"moved": {e: {k: v for k, v in h.items() if k != "outputs"}
                      for e, h in handoff.items()},
            "runs": {**{e: "quick" for e in QUICK_RUNS}, **{e: "tiny" for e in TINY_RUNS}}}
    (folder / "spec.json").write_text(json.dumps(spec))
    completed = subprocess.run(
        [sys.executable, "-m", "tests.backend_child", str(folder / "spec.json"),
         str(folder / "out.json")], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "KERAS_BACKEND": backend})
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = json.loads((folder / "out.json").read_text())
    assert out["backend"] == backend
    return out


def test_weights_saved_on_tensorflow_give_the_same_outputs(child, handoff):
    for example_id, moved in handoff.items():
        outputs = np.asarray(child["moved"][example_id])
        np.testing.assert_allclose(outputs, moved["outputs"], atol=MOVED_TOLERANCE,
                                   err_msg=f"{example_id} on {child['backend']}")


@pytest.mark.parametrize("example_id", QUICK_RUNS)
def test_quick_profile_holds_the_bars_and_agrees_with_tensorflow(child, example_id):
    run = child["runs"][example_id]
    on_tensorflow = quick(example_id, "keras")
    assert run["environment"]["backend"] == child["backend"]
    if example_id == "sigmoid_step":
        # No randomness: the one step's numbers are the TensorFlow backend's, to float32
        # rounding. The port asks for float64, which TensorFlow keeps; JAX stores float32
        # unless `jax_enable_x64` is set (it warns), and Keras's PyTorch backend computes
        # `ops.matmul` of two float64 tensors in float32 (Keras's type promotion turns
        # 64-bit results into 32-bit ones "to be aligned with JAX's default behavior",
        # keras/src/backend/common/dtypes.py). Measured, largest relative difference over
        # every quantity: JAX 4.4e-7 (dJ/dz), PyTorch 2.0e-7 (J after the step); 1e-6.
        for name, value in on_tensorflow.extra["measured"].items():
            np.testing.assert_allclose(run["extra"]["measured"][name], value, rtol=1e-6,
                                       err_msg=name)
        return
    bar, agreement = BACKEND_BARS[example_id]
    assert run["test_accuracy"] > bar, f"{example_id}: {run['test_accuracy']:.4f} <= {bar}"
    assert run["loss_history"][-1] < run["loss_history"][0], "training loss did not go down"
    gap = abs(run["test_accuracy"] - on_tensorflow.test_accuracy)
    assert gap <= agreement, (
        f"{example_id}: {child['backend']} {run['test_accuracy']:.4f} vs tensorflow "
        f"{on_tensorflow.test_accuracy:.4f}")
    if example_id == "backprop":  # the hand-derived gradients, against this backend's autodiff
        assert max(run["extra"]["gradient_difference"]) < test_backprop.GRAD_TOLERANCE


@pytest.mark.parametrize("example_id", ["cnn_mse_sgd", "mlp_gd"])
def test_full_batch_examples_descend(child, example_id):
    # Full-batch gradient descent at a small learning rate: the loss falls at every step.
    losses = child["runs"][example_id]["loss_history"]
    assert len(losses) == TINY[example_id].epochs
    assert all(after < before for before, after in zip(losses, losses[1:])), losses


def test_bert_fine_tunes_on_the_tiny_profile(child):
    run = child["runs"]["bert_classifier"]
    assert len(run["loss_history"]) == TINY["bert_classifier"].epochs
    assert math.isfinite(run["test_loss"]) and 0.0 <= run["test_accuracy"] <= 1.0
    assert sum(map(sum, run["extra"]["confusion_matrix"])) == TINY["bert_classifier"].test_size
