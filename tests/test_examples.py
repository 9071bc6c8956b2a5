"""Every MNIST classifier example on its quick profile: both APIs learn, and learn alike.

The bars and tolerances below were set from `python benchmarks/quick_spread.py`, which runs
each quick profile at seeds 0-4 in both APIs on this project's CI machine (2 CPU cores,
TensorFlow 2.21, Keras 3.15). The measured range is quoted next to each figure; each bar
sits well below the lowest accuracy seen, so that it fails on a broken port (which lands
near 0.10, chance) and not on seed noise.
"""

from __future__ import annotations

import functools
import math

import pytest

from tfport.examples import run_example
from tfport.profiles import get_profile

# example id: (accuracy bar for each API, largest |keras - tf1| accuracy gap at seed 0)
BARS = {
    # Measured: 0.7090-0.7310 over seeds 0-4, identical in both APIs at every seed (with the
    # same seed both start from the same weights, and full-batch GD has no shuffling), so
    # the gap tolerance only absorbs float summation order.
    "mlp_gd": (get_profile("mlp_gd", "quick").accuracy_bar, 0.002),
    # Measured: tf1 0.9295-0.9410, keras 0.9240-0.9375; largest same-seed gap 0.0120 (Adam's
    # epsilon and the shuffling order differ between the APIs). Tolerance 2.5x that gap.
    "cnn_sparse": (get_profile("cnn_sparse", "quick").accuracy_bar, 0.03),
    # Measured: tf1 0.9125-0.9200, keras 0.9095-0.9270; largest same-seed gap 0.0105.
    "cnn_onehot": (get_profile("cnn_onehot", "quick").accuracy_bar, 0.03),
    # BERT-Tiny of random weights on 3,200 movie-review sentences, tested on 800 (each port's
    # quick-profile run at seeds 0-4, `python benchmarks/quick_spread.py bert_classifier`,
    # with the checkpoint `tfport bert-checkpoint` writes): tf1 0.6662-0.7000, keras
    # 0.6675-0.7025; same-seed gaps 0.0100, 0.0213, 0.0275, 0.0050, 0.0013. Every run left
    # the ln 2 plateau it starts on. The bar is issue 11's 0.65 (the profile's accuracy_bar),
    # 1.6 points under the lowest run; the gap, its 3 points, over the largest seen. Both
    # runs are deterministic for a given checkpoint (its vocabulary included, which is why
    # that is learned deterministically: tests/test_bert.py).
    "bert_classifier": (get_profile("bert_classifier", "quick").accuracy_bar, 0.03),
}


@functools.cache
def quick(example_id: str, api: str):
    return run_example(example_id, api, "quick", seed=0, verbose=0)


@pytest.mark.parametrize("api", ["tf1", "keras"])
@pytest.mark.parametrize("example_id", list(BARS))
def test_quick_profile_reaches_the_bar(example_id, api):
    bar, _ = BARS[example_id]
    result = quick(example_id, api)
    assert result.test_accuracy > bar, f"{example_id}/{api}: {result.test_accuracy:.4f} <= {bar}"
    assert result.loss_history[-1] < result.loss_history[0], "training loss did not go down"


@pytest.mark.parametrize("example_id", list(BARS))
def test_both_apis_agree(example_id):
    _, tolerance = BARS[example_id]
    tf1, keras = quick(example_id, "tf1"), quick(example_id, "keras")
    assert abs(keras.test_accuracy - tf1.test_accuracy) <= tolerance, (
        f"{example_id}: tf1 {tf1.test_accuracy:.4f}, keras {keras.test_accuracy:.4f}")
    if example_id == "bert_classifier":
        # The TF1 graph keeps the checkpoint's 512 position embeddings; the Keras backbone
        # only the sequence length's (tfport/bert_checkpoint.py cuts them). 128: hidden size.
        profile = get_profile(example_id, "quick")
        assert tf1.param_count - keras.param_count == (512 - profile.sequence_length) * 128
    else:
        assert tf1.param_count == keras.param_count
    assert len(tf1.loss_history) == len(keras.loss_history)


@pytest.mark.parametrize("example_id", ["mlp_gd", "cnn_mse_sgd"])
def test_full_batch_ports_follow_the_same_loss_curve(example_id):
    # Same seed, same initial weights, same full-batch gradient descent: the two APIs'
    # curves agree step by step up to float32 summation order. Largest relative gap
    # measured at seeds 0 and 1: none for mlp_gd (bitwise equal), 1.7e-7 for cnn_mse_sgd
    # (its gradient is summed over chunks in a different order); tolerance 1e-5.
    tf1, keras = quick(example_id, "tf1"), quick(example_id, "keras")
    for step, (a, b) in enumerate(zip(tf1.loss_history, keras.loss_history)):
        assert math.isclose(a, b, rel_tol=1e-5), f"step {step}: tf1 {a} vs keras {b}"
    assert math.isclose(tf1.test_accuracy, keras.test_accuracy, abs_tol=0.002)


@pytest.mark.parametrize("api", ["tf1", "keras"])
def test_cnn_mse_sgd_trains_as_the_recipe_says(api):
    # The article's recipe (MSE on softmax outputs, SGD at 0.001, full batch) barely moves:
    # quick-profile accuracy measured 0.05-0.20 over seeds 0-4, set by the initial weights,
    # so an accuracy bar would test nothing. What must hold is that it is gradient descent
    # on the whole training set: the loss falls at every single step.
    losses = quick("cnn_mse_sgd", api).loss_history
    assert all(after < before for before, after in zip(losses, losses[1:])), losses
