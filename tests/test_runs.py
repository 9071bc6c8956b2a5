"""Runs on tiny profiles: determinism, repeated TF1 graphs, and TF1 beside Keras 3."""

from __future__ import annotations

import functools
import math

import pytest
import tensorflow as tf

from tests.conftest import DETERMINISTIC, TINY
from tfport import backends
from tfport.examples import EXAMPLES, run_example
from tfport.results import RunResult


@pytest.fixture(scope="module", autouse=True)
def bert_tiny_here(tiny_bert_dir):
    """bert_classifier runs here on the random BERT-Tiny (conftest): what these tests check
    (a run repeats itself, a seed changes it, a record is whole) does not need the
    pretrained model's weights, and takes a tenth of the time."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFPORT_BERT_DIR", str(tiny_bert_dir))
        yield


@functools.cache
def seed_3(example_id: str, api: str) -> RunResult:
    """One tiny-profile run at seed 3, made once and read by several tests (the BERT ones
    take seconds each): each test that needs a second run makes its own."""
    return run_example(example_id, api, TINY[example_id], seed=3, verbose=0)


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_tf1_port_runs_twice_in_one_process_with_the_same_result(example_id, tiny_profile):
    # A second run must neither fail on variables that already exist nor drift.
    first = seed_3(example_id, "tf1")
    second = run_example(example_id, "tf1", tiny_profile[example_id], seed=3, verbose=0)
    assert_same_run(first, second, tiny_profile[example_id].test_size)
    assert tf.executing_eagerly(), "a TF1 port switched eager execution off for the process"


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_keras_port_same_seed_same_result(example_id, tiny_profile):
    first = seed_3(example_id, "keras")
    second = run_example(example_id, "keras", tiny_profile[example_id], seed=3, verbose=0)
    assert_same_run(first, second, tiny_profile[example_id].test_size)


def assert_same_run(first: RunResult, second: RunResult, test_size: int | None) -> None:
    """Two runs of one seed agree up to the order of float summation.

    TensorFlow's multithreaded CPU kernels may add partial sums in a different order from
    one run to the next. Measured: the Keras backprop port on its tiny profile gave a
    first-epoch loss of 0.5547209 in 7 runs of 8 and 0.5547192 in one (3.2e-6 relative);
    pinned to one thread, 8 of 8 agreed bitwise. The drift grows with the steps taken, so
    losses must agree to 1e-4 relative: 30 times that drift, and 20 times below the
    smallest change a different seed makes on these tiny profiles (2.2e-3, Keras backprop;
    measured over every example and API). Accuracies must agree to one test sample.
    """
    losses = [*first.loss_history, first.test_loss]
    again = [*second.loss_history, second.test_loss]
    assert len(losses) == len(again)
    for step, (a, b) in enumerate(zip(losses, again)):
        assert math.isclose(a, b, rel_tol=1e-4), f"loss {step}: {a} vs {b}"
    if math.isnan(first.test_accuracy):
        assert math.isnan(second.test_accuracy)
    else:
        assert abs(first.test_accuracy - second.test_accuracy) <= 1.0 / test_size + 1e-9


@pytest.mark.parametrize("example_id", sorted(set(EXAMPLES) - DETERMINISTIC))
@pytest.mark.parametrize("api", ["tf1", "keras"])
def test_another_seed_gives_another_run(example_id, api, tiny_profile):
    # Guards the two tests above: if seeds were ignored, equal results would prove nothing.
    first = seed_3(example_id, api)
    second = run_example(example_id, api, tiny_profile[example_id], seed=4, verbose=0)
    assert first.loss_history != second.loss_history


def test_keras_and_tf1_interleave_in_one_process(tiny_profile):
    profile = tiny_profile["cnn_sparse"]
    keras_before = run_example("cnn_sparse", "keras", profile, seed=5, verbose=0)
    tf1 = run_example("cnn_sparse", "tf1", profile, seed=5, verbose=0)
    keras_after = run_example("cnn_sparse", "keras", profile, seed=5, verbose=0)
    # Building and running a TF1 graph leaves Keras 3 untouched: same numbers after as before.
    assert_same_run(keras_before, keras_after, profile.test_size)
    assert tf1.param_count == keras_after.param_count == 693_962
    assert tf.executing_eagerly()


@pytest.mark.parametrize("example_id", list(EXAMPLES))
@pytest.mark.parametrize("api", ["tf1", "keras"])
def test_result_record_is_complete_and_survives_json(example_id, api, tiny_profile, tmp_path):
    result = seed_3(example_id, api)
    profile = tiny_profile[example_id]
    assert result.example == example_id and result.api == api and result.profile == "tiny"
    # one loss per epoch; sigmoid_step also records the loss after its single step
    assert len(result.loss_history) == profile.epochs + (example_id in DETERMINISTIC)
    if example_id in DETERMINISTIC:
        assert math.isnan(result.test_accuracy)  # no test set: tables print n/a
    else:
        assert 0.0 <= result.test_accuracy <= 1.0
        # The notebooks' prediction grid and confusion matrix: computed from every test
        # prediction, so the matrix holds each test image once and its diagonal is the
        # accuracy the port's own evaluation measured (to float32 rounding).
        matrix = result.extra["confusion_matrix"]
        total = sum(map(sum, matrix))
        assert total == profile.test_size
        assert sum(matrix[k][k] for k in range(len(matrix))) / total == pytest.approx(
            result.test_accuracy, abs=1e-6)
        assert len(result.extra["first_predictions"]) == len(result.extra["first_labels"]) == 16
    assert result.test_loss > 0
    assert result.wall_time_s >= result.train_time_s > 0
    assert result.train_samples_per_s > 0
    assert result.param_count > 0
    assert result.environment["tensorflow"] == tf.__version__
    # Where it ran: TensorFlow for a TF1 port, Keras's backend for a Keras one, and the device.
    assert result.environment["backend"] == ("tensorflow" if api == "tf1" else backends.current())
    assert result.environment["device"].startswith(("CPU: ", "GPU: "))
    # The record is strict JSON (NaN written as null) and reads back to the same values.
    path = result.save(tmp_path)
    assert "NaN" not in path.read_text()
    again = RunResult.load(path)
    assert again.loss_history == result.loss_history and again.extra == result.extra
    assert (math.isnan(again.test_accuracy) and math.isnan(result.test_accuracy)
            or again.test_accuracy == result.test_accuracy)


def test_steps_per_execution_changes_no_number(tiny_profile):
    # `tfport bench` times the Keras ports with 100 steps per call of the training function
    # (a named variant; the ports keep one step per call): it must give the very numbers of
    # one step per call.
    import keras

    from keras_models import cnn_sparse
    from tfport.measure import STEPS_PER_EXECUTION

    profile = tiny_profile["cnn_sparse"]
    x_train, y_train, _, _ = cnn_sparse.load_data(profile)
    runs = []
    for steps_per_execution in (1, STEPS_PER_EXECUTION):
        keras.utils.set_random_seed(0)
        model = cnn_sparse.build_model(profile)
        model.steps_per_execution = steps_per_execution
        history = model.fit(x_train, y_train, batch_size=32, epochs=2, shuffle=False, verbose=0)
        runs.append((history.history["loss"], [w.copy() for w in model.get_weights()]))
    (losses_one, weights_one), (losses_many, weights_many) = runs
    assert STEPS_PER_EXECUTION > 1
    assert losses_one == losses_many
    assert all((a == b).all() for a, b in zip(weights_one, weights_many))
