"""`tfport bench`: a smoke run on the quick profile, and the arithmetic behind its figures."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tfport import bench, cli, measure
from tfport.audit import claim_bar
from tfport.profiles import get_profile


def test_bench_smoke_writes_table_json_and_plot(tmp_path, capsys):
    # One repeat of each variant of one example, three full-batch steps each (the first
    # alone, then two in one call): the whole pipeline (child processes, GEMM reference,
    # summaries, report). cnn_mse_sgd trains on the full batch and has the two ports as
    # written only (100 steps per call change nothing at one step an epoch), three child
    # processes in all; the tf.data and fast variants run in the tests below.
    code = cli.main(["bench", "cnn_mse_sgd", "--profile", "quick", "--repeat", "1", "--steps",
                     "3", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    report = (tmp_path / "bench-quick.md").read_text()
    payload = json.loads((tmp_path / "bench-quick.json").read_text())
    assert (tmp_path / "bench-quick.png").stat().st_size > 0
    variants = [summary["variant"] for summary in payload["summaries"]]
    assert variants == bench.variants_of("cnn_mse_sgd", profile="quick") == [
        "tf1 feed_dict", "keras fit"]
    timing_table, phase_table = report.split("Where the whole process goes")
    for table in (timing_table, phase_table):
        rows = [line.split("|")[1:3] for line in table.splitlines()
                if line.startswith("| cnn_mse_sgd")]
        assert [variant.strip() for _, variant in rows] == variants
    assert payload["reference"]["gemm_flops_per_s"] > 0
    assert "GFLOP/s" in report and payload["environment"]["device"]
    # The header names the device the runs recorded (here the CPU's model), not "CPU only".
    assert payload["environment"]["device"] == payload["runs"][0]["device"]
    assert f"device: {payload['runs'][0]['device']}," in report
    for summary in payload["summaries"]:
        assert summary["steady_s"] > 0 and summary["peak_rss_mb"] > 0
        assert 0 < summary["flop_fraction"]
        baseline = summary["variant"] == bench.FAITHFUL_TF1
        assert (summary["ratio_vs_tf1"] is None) == baseline
        # the whole process, start to exit, takes longer than its import and training
        assert summary["process_s"] > summary["import_s"] + summary["steady_s"]
        assert (summary["process_ratio"] is None) == baseline
    runs = payload["runs"]
    assert [run["chunks"] for run in runs] == [[1, 2]] * len(variants)
    assert "whole process s (median, range)" in report
    # The whole process split into parts that add up to it; each part measured, none below 0
    # but the start-up one can be (a first step faster than the steady ones is noise).
    assert "| loading data and the rest | build | first step | other steps |" in report
    for summary in payload["summaries"]:
        phases = summary["phases"]
        assert list(phases) == list(bench.PHASES)
        assert sum(phases.values()) == pytest.approx(summary["process_s"], rel=0.05)
        assert all(seconds > 0 for seconds in phases.values()), phases
        assert phases["import"] == pytest.approx(summary["import_s"])
    assert all(len(run["chunk_s"]) == len(run["accuracy"]) == 2 for run in runs)
    assert "cnn_mse_sgd" in capsys.readouterr().out

    # The report can be rendered again from its JSON alone, to the same table.
    (tmp_path / "bench-quick.md").unlink()
    assert cli.main(["bench", "--rewrite", str(tmp_path / "bench-quick.json")]) == 0
    assert (tmp_path / "bench-quick.md").read_text() == report


@pytest.mark.parametrize("example_id, variant", [
    ("mlp_gd", "tf1 tf.data"), ("mlp_gd", "keras fast"), ("mlp_gd", "keras xla+tf.data"),
    ("binary_mlp", "keras tf.data"), ("binary_mlp", "keras fast"),
])
def test_the_tf_data_and_fast_variants_train_and_evaluate(example_id, variant):
    # The variants that feed a tf.data pipeline, run in this process (the smoke test above
    # runs the plain ones in child processes): two full-batch steps of mlp_gd, or two quick
    # epochs of binary_mlp (mini-batch). XLA is timed only on a GPU, but runs anywhere.
    assert variant in bench.variants_of(example_id, gpu=True)
    run = measure.measure({"example": example_id, "variant": variant, "profile": "quick",
                           "seed": 0, "repeat": 0, "max_epochs": 2, "max_steps": 2})
    assert run["chunks"] == [1, 1] and len(run["chunk_s"]) == len(run["accuracy"]) == 2
    assert len(run["evaluate_s"]) == 2 and run["predict_s"] > 0
    if example_id == "binary_mlp":
        # Two quick epochs of seed 0 reached 0.929-0.941 test accuracy in the port and both
        # variants (measured 2026-11-26); chance is 0.5. mlp_gd's two steps at 0.01 barely
        # move it (0.09 in every variant); the test below checks its weights instead.
        assert run["accuracy"][-1] >= 0.90, run["accuracy"]
    assert all(0.0 <= accuracy <= 1.0 for accuracy in run["accuracy"])


def test_the_fast_variant_trains_the_ports_model_to_the_same_weights():
    # `keras fast` changes how fit is fed and called, not what it computes: two full-batch
    # steps of mlp_gd from the same start give the port's weights (the one batch is summed
    # in another order: float32 rounding only). A fast variant that trained with another
    # learning rate, loss or batch would be 1e-3 or more apart.
    import keras
    import numpy as np

    from tfport import backends
    from tfport.examples import keras_port

    port = keras_port("mlp_gd")
    profile = dataclasses.replace(get_profile("mlp_gd", "quick"), epochs=2)
    x_train, y_train, _, _ = port.load_data(profile)
    trained = []
    for fast in (False, True):
        keras.utils.set_random_seed(0)
        model = port.build_model(profile)
        if fast:
            data, arguments = backends.fast_fit_input(model, x_train, y_train, None, seed=0)
            model.fit(*data, epochs=profile.epochs, verbose=0, **arguments)
        else:
            port.train(model, x_train, y_train, profile, verbose=0)
        trained.append(model.get_weights())
    moved = max(np.abs(after - before).max() for after, before in
                zip(trained[0], _initial_weights(port, profile)))
    assert moved > 1e-3  # two steps moved the weights
    for port_weights, fast_weights in zip(*trained):
        np.testing.assert_allclose(fast_weights, port_weights, atol=1e-6)


def test_the_pipelines_this_project_builds_run_without_the_autotuner():
    # With tf.data's autotuning on, releasing an epoch's iterator sometimes waits seconds
    # for the autotuner's next wake-up (docs/bench/iterator-stall.md: 4-5 of 20 one-epoch
    # fit calls on this machine, none with it off). The pipelines tfport.backends
    # builds, for `keras fast` and for the BERT port, must turn it off; one built without
    # `without_autotune` has `autotune.enabled` unset (None: on).
    import numpy as np

    from tfport import backends
    from tfport.examples import keras_port

    x, y = np.zeros((64, 28, 28, 1), np.float32), np.zeros(64, np.int64)
    model = keras_port("cnn_sparse").build_model(get_profile("cnn_sparse", "quick"))
    mini_batch, _ = backends.fast_fit_input(model, x, y, 32, seed=0)
    full_batch, _ = backends.fast_fit_input(model, x, y, None, seed=0)
    sentences = backends.text_batches(np.array(["a", "b"]), np.array([0, 1]), 2)
    for dataset in (mini_batch[0], full_batch[0], sentences):
        assert dataset.options().autotune.enabled is False
        assert len(list(dataset)) >= 1  # and it still yields its batches
    # the default, for contrast: autotuning on, as Keras's own pipeline for arrays has it
    import tensorflow as tf

    assert tf.data.Dataset.range(2).options().autotune.enabled is not False


def _initial_weights(port, profile):
    import keras

    keras.utils.set_random_seed(0)
    return port.build_model(profile).get_weights()


def test_bert_is_timed_as_written_and_tokenized_once():
    # The text example's variants (its quick profile, the benchmarked one): both ports as
    # written, Python entered once per 100 steps, the KerasHub classifier with its tokenizer
    # taken out of fit (the TF1 port tokenizes once in load_data), and that with one call
    # of the training function per epoch (keras fast): where the Keras port's time goes.
    assert bench.variants_of("bert_classifier", profile="quick") == [
        "tf1 feed_dict", "keras fit", "keras fit, 100 steps/call", "keras fit, tokenized once",
        "keras fast"]
    spec = {"example": "bert_classifier", "variant": "keras fast",
            "profile": "article", "seed": 0, "repeat": 0, "max_epochs": None, "max_steps": 2}
    run = measure.measure(spec)
    assert run["chunks"] == [1, 1] and len(run["chunk_s"]) == len(run["accuracy"]) == 2
    assert all(accuracy in (0.0, 0.5, 1.0) for accuracy in run["accuracy"])  # 2 sentences


def test_keras_variants_on_other_backends_are_named_with_the_backend():
    # On JAX and PyTorch the Keras port is timed as written (and, on JAX, with 100 steps
    # per call and fast; PyTorch refuses more than one step per call); the tf.data and XLA
    # variants are TensorFlow's own. The TF1 port stays the baseline, and a row says which
    # backend it ran on.
    assert bench.variants_of("cnn_sparse", "jax") == [
        "keras fit", "keras fit, 100 steps/call", "keras fast"]
    assert bench.variants_of("cnn_sparse", "torch") == ["keras fit"]
    assert bench.variants_of("bert_classifier", "torch", profile="quick") == [
        "keras fit", "keras fit, tokenized once"]
    # On TensorFlow, XLA only where a GPU is visible (on this CPU it was the slowest).
    assert "keras xla+tf.data" not in bench.variants_of("cnn_sparse")
    assert "keras xla+tf.data" in bench.variants_of("cnn_sparse", gpu=True)
    assert measure.label({"variant": "keras fit", "backend": "torch"}) == "keras fit [torch]"
    assert measure.label({"variant": "keras fit", "backend": "tensorflow"}) == "keras fit"
    assert measure.label({"variant": "tf1 feed_dict"}) == "tf1 feed_dict"  # older reports


def test_bert_training_flops_count_bert_tiny_by_hand():
    # BERT-Tiny (2 layers, width 128, feed-forward 512) on 32 tokens, 2 classes, counted
    # by hand: per layer 8*32*128*128 + 4*32*32*128 + 4*32*128*512 = 13,107,200; two of
    # them, the pooler 32,768 and the head 512; three times that forward pass.
    import keras_hub

    backbone = keras_hub.models.BertBackbone(vocabulary_size=100, num_layers=2, num_heads=2,
                                             hidden_dim=128, intermediate_dim=512,
                                             max_sequence_length=512)
    # the sentence's 32 tokens count, not the 512 positions the backbone could take
    assert measure.bert_training_flops(backbone, 2, 32) == 3 * (2 * 13_107_200 + 32_768 + 512)


def test_bench_rewrite_refuses_another_file(tmp_path, capsys):
    wrong = tmp_path / "results.json"
    wrong.write_text('{"example": "mlp_gd"}')
    assert cli.main(["bench", "--rewrite", str(wrong)]) == 2
    error = capsys.readouterr().err
    assert "not a `tfport bench` JSON report" in error and error.count("\n") == 1


@pytest.mark.parametrize("example_id, message", [
    ("sigmoid_step", "no training loop to time"),
    ("nope", "unknown example"),
])
def test_bench_refuses_what_it_cannot_time(example_id, message, capsys):
    assert cli.main(["bench", example_id, "--quiet"]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_training_flops_of_the_cnn_from_its_layer_shapes():
    import keras

    from keras_models import cnn_sparse

    keras.utils.set_random_seed(0)
    model = cnn_sparse.build_model(get_profile("cnn_sparse", "quick"))
    conv = 2 * 3 * 3 * 1 * 32 * 26 * 26  # 3x3 kernel, 1 -> 32 channels, 26x26 outputs
    hidden = 2 * (13 * 13 * 32) * 128  # flatten of the 13x13x32 pooled map -> 128
    output = 2 * 128 * 10
    # forward + backward (2x), without the input gradient of the first layer
    assert measure.training_flops(model) == 3 * (conv + hidden + output) - conv


def test_full_batch_steps_are_timed_first_alone_then_in_chunks():
    profile = get_profile("mlp_gd", "article")
    # the first step alone (start-up), then chunks of at least MIN_CHUNK steps (one `fit`
    # or training-loop call each), at most FULL_BATCH_CHUNKS of them
    assert measure.chunks(profile, None, 100) == [1, 33, 33, 33]
    assert measure.chunks(profile, None, 5) == [1, 4]
    assert measure.chunks(profile, None, None) == [1] + [100] * 9 + [99]
    # mini-batch: the first epoch, then the others in one call
    assert measure.chunks(get_profile("cnn_sparse", "article"), None, 100) == [1, 4]
    assert measure.chunks(get_profile("cnn_sparse", "article"), 1, 100) == [1]


def test_article_bars_are_the_claims():
    assert get_profile("mlp_gd", "article").accuracy_bar == claim_bar("95")
    assert get_profile("cnn_sparse", "article").accuracy_bar == claim_bar("95.2")
    assert get_profile("cnn_mse_sgd", "article").accuracy_bar == claim_bar("95.2")


def test_ratios_are_taken_repeat_by_repeat():
    def run(variant, repeat, seconds):
        return {"example": "mlp_gd", "variant": variant, "repeat": repeat, "chunk_s": [1.0, seconds],
                "chunks": [1, 1], "accuracy": [0.5, 0.6], "bar": 0.55, "build_s": 0.1,
                "import_s": 2.0, "train_samples": 100, "full_batch": True, "peak_rss_mb": 500.0,
                "rss_after_import_mb": 400.0, "evaluate_s": [0.1, 0.1], "predict_s": 0.1,
                "end_s": 4.0 + seconds, "process_s": 5.0 + seconds}

    # The machine slows down in repeat 1 for both: the pairwise ratio stays 2.
    runs = [run("tf1 feed_dict", 0, 1.0), run("keras fit", 0, 2.0),
            run("tf1 feed_dict", 1, 3.0), run("keras fit", 1, 6.0)]
    reference = {"gemm_flops_per_s": 1e9, "training_flops": {"mlp_gd": 1000}}
    tf1, keras = bench.summarise(runs, reference)
    assert keras.ratio_vs_tf1 == 2.0 and keras.ratio_spread == (2.0, 2.0)
    assert tf1.ratio_vs_tf1 is None
    assert keras.steady_s == 4.0  # median of 2 and 6
    # the bar is reached in the second chunk: 1 + 2 s and 1 + 6 s, median 5 s
    assert keras.time_to_bar_s == 5.0


def test_a_failing_run_is_one_line_and_exit_1(monkeypatch, capsys):
    # A run that dies (here: a Python that cannot start) is reported, not a traceback.
    monkeypatch.setattr(bench.sys, "executable", "/nonexistent/python")
    assert cli.main(["bench", "mlp_gd", "--profile", "quick", "--repeat", "1", "--quiet"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("tfport: error: ") and error.count("\n") == 1
