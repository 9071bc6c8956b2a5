"""On a GPU, when one is visible: the ports hold the CPU bars there too (`pytest -m gpu`).

Each backend is asked for its own GPU (TensorFlow, JAX, PyTorch); without one, the test says
so and is skipped. On TensorFlow both APIs run `cnn_sparse`'s quick profile in this process,
as every other test does on whatever device TensorFlow picks, and the records must name the
GPU. On JAX and PyTorch the Keras port runs in a child process (`tfport run --backend`).
The bar and the agreement are the quick profile's (tests/test_examples.py).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_examples import BARS, quick
from tfport import backends
from tfport.examples import run_example
from tfport.results import RunResult

pytestmark = pytest.mark.gpu
ROOT = Path(__file__).resolve().parents[1]
BAR, AGREEMENT = BARS["cnn_sparse"]


def _gpu(backend: str) -> str | None:
    """The GPU `backend` computes on, or None."""
    if importlib.util.find_spec(backend) is None:
        return None
    if backend == "tensorflow":
        found = backends.device("tensorflow")
    else:  # ask in a child: importing JAX here would claim GPU memory beside TensorFlow
        found = subprocess.run(
            [sys.executable, "-c", f"from tfport import backends; print(backends.device({backend!r}))"],
            cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return found if found.startswith("GPU: ") else None


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_cnn_sparse_holds_the_bar_on_the_gpu(backend, tmp_path):
    gpu = _gpu(backend)
    if gpu is None:
        pytest.skip(f"no GPU visible to {backend}")
    if backend == "tensorflow":
        runs = [run_example("cnn_sparse", api, "quick", seed=0, verbose=0) for api in ("tf1", "keras")]
    else:
        completed = subprocess.run(
            [sys.executable, "-m", "tfport.cli", "run", "cnn_sparse", "--api", "keras",
             "--backend", backend, "--quiet", "--out", str(tmp_path)],
            cwd=ROOT, capture_output=True, text=True)
        assert completed.returncode == 0, completed.stderr[-2000:]
        runs = [RunResult.load(tmp_path / f"cnn_sparse-keras-{backend}-quick-seed0.json")]
    for run in runs:
        assert run.environment["device"] == gpu
        assert run.test_accuracy > BAR, f"{run.api} on {gpu}: {run.test_accuracy:.4f}"
        gap = abs(run.test_accuracy - quick("cnn_sparse", "keras").test_accuracy)
        assert gap <= AGREEMENT, f"{run.api} on {gpu}: {run.test_accuracy:.4f}"
