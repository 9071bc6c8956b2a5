"""Article 004: the sigmoid neuron's one gradient step, and the binary 64-64-1 network.

sigmoid_step is checked against a NumPy computation written out here, and every number the
article gets wrong is shown to be wrong. binary_mlp is checked on the article's three
samples (whose accuracy can only be a multiple of 1/3) and on MNIST even/odd with the quick
profile, whose results are computed once per module.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import tensorflow as tf

from tests.test_runs import assert_same_run
from tfport.examples import run_example
from tfport.profiles import get_profile

APIS = ("tf1", "keras")

# ---------------------------------------------------------------------------------------
# sigmoid_step
# ---------------------------------------------------------------------------------------

# The reading both ports take (see legacy_tf1/sigmoid_step.py): one sample, three weights.
X = np.array([1.0, 2.0, 3.0])
W = np.array([1.0, 2.0, -4.0 / 3.0])
B, Y, ALPHA = 1.0, 0.0, 0.1


def sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def bce(z: float, y: float) -> float:
    return -(y * math.log(z) + (1 - y) * math.log(1 - z))


def hand_step() -> dict:
    """The step by hand in NumPy: sigmoid + binary cross-entropy, dJ/da = z - y."""
    a = float(W @ X + B)
    z = sigmoid(a)
    dJ_da = z - Y
    W_new = W - ALPHA * dJ_da * X
    b_new = B - ALPHA * dJ_da
    return {"a": a, "z": z, "J": bce(z, Y), "dJ_dz": -Y / z + (1 - Y) / (1 - z), "dJ_da": dJ_da,
            "dJ_dW": (dJ_da * X).tolist(), "dJ_db": dJ_da, "W_new": W_new.tolist(),
            "b_new": b_new, "J_after": bce(sigmoid(float(W_new @ X + b_new)), Y)}


@pytest.fixture(scope="module")
def steps():
    profile = get_profile("sigmoid_step", "article")
    return {api: run_example("sigmoid_step", api, profile, seed=0, verbose=0) for api in APIS}


def test_hand_formula_matches_finite_differences():
    # Guards the reference itself: dJ/dW = (z - y) x, by central differences on J(W).
    def loss(weights: np.ndarray, bias: float) -> float:
        return bce(sigmoid(float(weights @ X + bias)), Y)

    h = 1e-6
    numeric = [(loss(W + h * e, B) - loss(W - h * e, B)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(hand_step()["dJ_dW"], numeric, rtol=1e-6)
    assert hand_step()["dJ_db"] == pytest.approx((loss(W, B + h) - loss(W, B - h)) / (2 * h))


@pytest.mark.parametrize("api", APIS)
def test_sigmoid_step_matches_the_hand_computation(steps, api):
    measured, expected = steps[api].extra["measured"], hand_step()
    assert set(measured) == set(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(measured[name], value, rtol=1e-6, atol=1e-9, err_msg=name)
    assert measured["a"] == pytest.approx(2.0)  # the reading keeps the article's sigma(2)


def test_sigmoid_step_apis_agree(steps):
    tf1, keras_ = steps["tf1"].extra["measured"], steps["keras"].extra["measured"]
    for name in tf1:
        np.testing.assert_allclose(tf1[name], keras_[name], rtol=1e-9, atol=1e-12, err_msg=name)
    assert steps["tf1"].loss_history == pytest.approx(steps["keras"].loss_history, rel=1e-9)


@pytest.mark.parametrize("api", APIS)
def test_sigmoid_step_result_record(steps, api):
    result, expected = steps[api], hand_step()
    assert math.isnan(result.test_accuracy)  # no test set
    assert result.loss_history == pytest.approx([expected["J"], expected["J_after"]], rel=1e-9)
    assert result.test_loss == result.loss_history[-1] < result.loss_history[0]
    assert result.param_count == 4  # three weights and a bias
    assert result.extra["reading"] and result.extra["article"]["J"] == 0.134


def test_sigmoid_step_prints_article_against_measured(capsys):
    run_example("sigmoid_step", "tf1", "article", verbose=1)
    printed = capsys.readouterr().out
    assert "article" in printed and "measured" in printed
    assert "0.1340" in printed and "2.1269" in printed  # J, as claimed and as computed


def test_article_sigmoid_numbers_are_wrong(steps):
    article, measured = steps["tf1"].extra["article"], steps["tf1"].extra["measured"]
    # sigma(2) = 0.8808, not 0.865; the article's 0.865 is 1 - e^-2.
    assert abs(measured["z"] - article["z"]) > 0.01
    assert 1 - math.exp(-2) == pytest.approx(article["z"], abs=5e-4)
    # Even with its own z, J = -log(1 - 0.865) = 2.0025, not 0.134.
    assert bce(article["z"], 0.0) == pytest.approx(2.0025, abs=1e-4)
    assert abs(bce(article["z"], 0.0) - article["J"]) > 1.8
    assert abs(measured["J"] - article["J"]) > 1.9
    # Its formula dJ/dZ = 1/(z(1 - z)) gives 8.56 at its z, not the 0.865 it writes; the
    # derivative with respect to z is 1/(1 - z) for y = 0; 0.865 is dJ/da = z - y.
    assert 1 / (article["z"] * (1 - article["z"])) == pytest.approx(8.5635, abs=1e-3)
    assert measured["dJ_dz"] == pytest.approx(1 / (1 - measured["z"]))
    assert measured["dJ_dz"] == pytest.approx(1 + math.e ** 2)
    assert measured["dJ_da"] == pytest.approx(measured["z"] - Y)
    # W_new: alpha was dropped in the first two entries (1 - 0.865, 2 - 1.73), and the third,
    # 0.705, would need w3 = 0.705 + 2.595 = 3.3; with alpha, 1 - 0.1 * 0.865 = 0.9135.
    assert article["W_new"][:2] == pytest.approx([1 - 0.865, 2 - 1.73])
    assert article["W_new"][2] + article["dJ_dW"][2] == pytest.approx(3.3)
    assert 1 - ALPHA * 0.865 == pytest.approx(0.9135)
    np.testing.assert_allclose(measured["W_new"], [0.911920, 1.823841, -1.597572], atol=1e-6)
    assert abs(measured["W_new"][0] - article["W_new"][0]) > 0.7


# ---------------------------------------------------------------------------------------
# binary_mlp
# ---------------------------------------------------------------------------------------

# Quick profile (6,000 training and 2,000 test images, 2 epochs of 32): seeds 0-4 of both
# APIs are in docs/spread/quick.json (tf1 0.9365-0.9505, keras 0.9400-0.9515 there). A
# constant guess scores about 0.51 (odd digits are 51% of the test subset).
QUICK_ACCURACY_BAR = 0.92  # below the lowest run there (checked below)
# The mean over seeds 0-1 of each API: measured 0.0005 apart (seeds 0-4: 0.0045), a mean
# being steadier than one seed, whose largest same-seed gap in the spread file is 0.015.
MEAN_ACCURACY_TOLERANCE = 0.02
QUICK_SEEDS = (0, 1)


@pytest.fixture(scope="module")
def quick_runs():
    profile = get_profile("binary_mlp", "quick")
    return {(api, seed): run_example("binary_mlp", api, profile, seed=seed, verbose=0)
            for api in APIS for seed in QUICK_SEEDS}


@pytest.mark.parametrize("seed", QUICK_SEEDS)
def test_three_sample_run_is_the_same_in_both_apis(quick_runs, seed):
    # The article's script on its three samples, fit(epochs=10, batch_size=3): at the same
    # seed both APIs start from the same weights (tests/test_verify.py) and take the same 10
    # Adam steps but for Adam's epsilon, so their runs agree closely. Measured at seed 0:
    # losses within 3e-6 at every step, predictions within 4e-6; the bound is 1e-4. (The
    # check this replaces, "accuracy is a multiple of 1/3", held for any port.)
    tf1, keras = (quick_runs[api, seed].extra["three_samples"] for api in APIS)
    assert len(tf1["loss_history"]) == len(keras["loss_history"]) == 10
    np.testing.assert_allclose(keras["loss_history"], tf1["loss_history"], atol=1e-4)
    np.testing.assert_allclose(keras["predictions"], tf1["predictions"], atol=1e-4)
    # The accuracy reported is the one the predictions give at 0.5.
    labels = np.array([0, 1, 0])
    for three in (tf1, keras):
        assert np.mean((np.array(three["predictions"]) > 0.5) == labels) == pytest.approx(
            three["accuracy"])


def test_article_three_sample_output_is_impossible():
    from legacy_tf1.binary_mlp import ARTICLE_OUTPUT

    # Accuracy on three samples is 0, 1/3, 2/3 or 1; the article prints 0.75.
    assert min(abs(ARTICLE_OUTPUT["accuracy"] - k / 3) for k in range(4)) > 0.05
    # Its printed predictions are all on the right side of 0.5 (accuracy 1), and their
    # binary cross-entropy is 0.136, not the 0.652 it prints.
    predictions, labels = np.array(ARTICLE_OUTPUT["predictions"]), np.array([0, 1, 0])
    assert np.mean((predictions > 0.5) == labels) == 1.0
    loss = np.mean([bce(p, y) for p, y in zip(predictions, labels)])
    assert loss == pytest.approx(0.1360, abs=1e-3)
    assert abs(loss - ARTICLE_OUTPUT["loss"]) > 0.5


@pytest.mark.parametrize("api", APIS)
def test_binary_mlp_same_seed_same_result(quick_runs, api):
    again = run_example("binary_mlp", api, "quick", seed=0, verbose=0)
    first = quick_runs[api, 0]
    # Equal up to float summation order, as for every example (tests/test_runs.py).
    assert_same_run(first, again, get_profile("binary_mlp", "quick").test_size)
    three, three_again = first.extra["three_samples"], again.extra["three_samples"]
    assert three_again["accuracy"] == three["accuracy"]
    assert three_again["loss"] == pytest.approx(three["loss"], rel=1e-4)
    assert three_again["predictions"] == pytest.approx(three["predictions"], rel=1e-4)
    # Guard: another seed gives another run, so equality above is not seeds being ignored.
    assert quick_runs[api, 1].loss_history != first.loss_history
    assert tf.executing_eagerly(), "a TF1 port switched eager execution off for the process"


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("seed", QUICK_SEEDS)
def test_binary_mlp_quick_accuracy(quick_runs, api, seed):
    result = quick_runs[api, seed]
    assert result.test_accuracy > QUICK_ACCURACY_BAR
    assert result.param_count == 784 * 64 + 64 + 64 * 64 + 64 + 64 + 1
    assert len(result.loss_history) == 2 and result.loss_history[1] < result.loss_history[0]


def test_binary_mlp_bar_sits_below_every_measured_run():
    from tests.test_examples import SPREAD

    lowest = min(min(SPREAD["binary_mlp"][api]["accuracy"]) for api in APIS)
    assert QUICK_ACCURACY_BAR < lowest  # docs/spread/quick.json


def test_binary_mlp_apis_agree(quick_runs):
    means = {api: np.mean([quick_runs[api, seed].test_accuracy for seed in QUICK_SEEDS])
             for api in APIS}
    assert abs(means["tf1"] - means["keras"]) < MEAN_ACCURACY_TOLERANCE
