"""`tfport bench`: a smoke run on the quick profile, and the arithmetic behind its figures."""

from __future__ import annotations

import dataclasses
import json
import re
import statistics

import pytest

from tfport import bench, cli, measure
from tfport.audit import claim_bar
from tfport.profiles import get_profile
from tfport.results import ROOT


def test_bench_smoke_writes_table_json_and_plot(tmp_path, capsys):
    # One repeat of each variant of one example, three full-batch steps each (the first
    # alone, then two in one call): the whole pipeline (child processes, summaries, report). cnn_mse_sgd trains on the full batch and has the two ports as
    # written only (100 steps per call change nothing at one step an epoch), three child
    # processes; the tf.data and fast variants run in the tests below.
    code = cli.main(["bench", "cnn_mse_sgd", "--profile", "quick", "--repeat", "1", "--steps",
                     "3", "--out", str(tmp_path), "--quiet"])
    assert code == 0
    report = (tmp_path / "bench-quick.md").read_text()
    payload = json.loads((tmp_path / "bench-quick.json").read_text())
    assert (tmp_path / "bench-quick.png").stat().st_size > 0
    variants = [summary["variant"] for summary in payload["summaries"]]
    assert variants == bench.variants_of("cnn_mse_sgd", profile="quick") == [
        "tf1 feed_dict", "keras fit"]
    rows = [line.split("|")[1:3] for line in report.splitlines()
            if line.startswith("| cnn_mse_sgd")]
    assert [variant.strip() for _, variant in rows] == variants
    # The header names the device the runs recorded (here the CPU's model), not "CPU only".
    assert payload["environment"]["device"] == payload["runs"][0]["device"]
    assert f"device: {payload['runs'][0]['device']}," in report
    for summary in payload["summaries"]:
        assert summary["steady_s"] > 0 and summary["peak_rss_mb"] > 0
        # the test accuracy after training, as the run measured it (three quick steps leave
        # cnn_mse_sgd near chance: 0.1105 in both ports, measured 2026-12-07)
        run, = (r for r in payload["runs"] if r["variant"] == summary["variant"])
        assert summary["final_accuracy"] == run["accuracy"] and 0 < run["accuracy"] < 1
        baseline = summary["variant"] == bench.FAITHFUL_TF1
        assert (summary["ratio_vs_tf1"] is None) == baseline
        # the whole process, start to exit, takes longer than its import and training
        assert summary["process_s"] > summary["import_s"] + summary["steady_s"]
        assert (summary["process_ratio"] is None) == baseline
    runs = payload["runs"]
    assert [run["chunks"] for run in runs] == [[1, 2]] * len(variants)
    assert "whole process s (median, range)" in report
    assert all(len(run["chunk_s"]) == 2 for run in runs)
    assert "cnn_mse_sgd" in capsys.readouterr().out

    # The report can be rendered again from its JSON alone, to the same table.
    (tmp_path / "bench-quick.md").unlink()
    assert cli.main(["bench", "--rewrite", str(tmp_path / "bench-quick.json")]) == 0
    assert (tmp_path / "bench-quick.md").read_text() == report


@pytest.mark.parametrize("example_id", ["mlp_gd", "binary_mlp"])
def test_the_fast_variant_trains_and_evaluates(example_id):
    # `keras fast`, which feeds a tf.data pipeline, run in this process (the smoke test above
    # runs the plain variants in child processes): two full-batch steps of mlp_gd, or two
    # quick epochs of binary_mlp (mini-batch).
    assert "keras fast" in bench.variants_of(example_id)
    run = measure.measure({"example": example_id, "variant": "keras fast", "profile": "quick",
                           "seed": 0, "repeat": 0, "max_epochs": 2, "max_steps": 2})
    assert run["chunks"] == [1, 1] and len(run["chunk_s"]) == 2
    if example_id == "binary_mlp":
        # Two quick epochs of seed 0 reached 0.929-0.941 test accuracy in the port and both
        # variants (measured 2026-11-26); chance is 0.5. mlp_gd's two steps at 0.01 barely
        # move it (0.09 in every variant); the test below checks its weights instead.
        assert run["accuracy"] >= 0.90, run["accuracy"]
    assert 0.0 <= run["accuracy"] <= 1.0


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
    assert run["chunks"] == [1, 1] and len(run["chunk_s"]) == 2
    assert run["accuracy"] in (0.0, 0.5, 1.0)  # 2 sentences


def test_keras_variants_on_other_backends_are_named_with_the_backend():
    # On JAX and PyTorch the Keras port is timed as written (and, on JAX, with 100 steps
    # per call and fast; PyTorch refuses more than one step per call). The TF1 port stays the baseline, and a row says which
    # backend it ran on.
    assert bench.variants_of("cnn_sparse", "jax") == [
        "keras fit", "keras fit, 100 steps/call", "keras fast"]
    assert bench.variants_of("cnn_sparse", "torch") == ["keras fit"]
    assert bench.variants_of("bert_classifier", "torch", profile="quick") == [
        "keras fit", "keras fit, tokenized once"]
    assert measure.label({"variant": "keras fit", "backend": "torch"}) == "keras fit [torch]"
    assert measure.label({"variant": "keras fit", "backend": "tensorflow"}) == "keras fit"
    assert measure.label({"variant": "tf1 feed_dict"}) == "tf1 feed_dict"  # older reports


def test_the_bench_pages_answer_is_copied_from_the_reports_it_links():
    # docs/bench.md's opening answer types figures from committed reports: each must be in a
    # report the opening links (a report made again fails here until the page follows).
    page = ROOT / "docs" / "bench.md"
    opening = page.read_text().split("\n## ")[0]
    reports = [(page.parent / target).read_text()
               for target in re.findall(r"\]\(([^)\s#]+\.md)\)", opening)]
    figures = re.findall(r"\d+\.\d+", opening)
    assert reports and figures
    for figure in figures:  # the whole figure: 0.73 is not in 0.7393
        alone = re.compile(rf"(?<![\d.]){re.escape(figure)}(?!\d)")
        assert any(alone.search(report) for report in reports), f"docs/bench.md: {figure}"


def test_bench_rewrite_refuses_another_file(tmp_path, capsys):
    wrong = tmp_path / "results.json"
    wrong.write_text('{"example": "mlp_gd"}')
    assert cli.main(["bench", "--rewrite", str(wrong)]) == 2
    error = capsys.readouterr().err
    assert "not a `tfport bench` JSON report" in error and error.count("\n") == 1


def test_bench_rewrite_of_a_report_made_before_the_retirement_names_the_commit(capsys):
    # docs/bench's committed reports hold figures this code no longer makes (docs/bench.md,
    # "Retired"): one line that says which commit renders them, not a wrong table.
    older = ROOT / "docs" / "bench" / "bench-article.json"
    assert cli.main(["bench", "--rewrite", str(older)]) == 2
    error = capsys.readouterr().err
    assert bench.RETIRED_AT in error and error.count("\n") == 1


@pytest.mark.parametrize("example_id, message", [
    ("sigmoid_step", "no training loop to time"),
    ("nope", "unknown example"),
])
def test_bench_refuses_what_it_cannot_time(example_id, message, capsys):
    assert cli.main(["bench", example_id, "--quiet"]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_the_first_epoch_or_step_is_timed_alone_then_the_rest_in_one_call():
    # the first (start-up) alone, then the others, capped, in one `fit` or training-loop call
    profile = get_profile("mlp_gd", "article")
    assert measure.chunks(profile, None, 100) == [1, 99]
    assert measure.chunks(profile, None, None) == [1, profile.epochs - 1]
    assert measure.chunks(get_profile("cnn_sparse", "article"), None, 100) == [1, 4]
    assert measure.chunks(get_profile("cnn_sparse", "article"), 1, 100) == [1]


def test_article_bars_are_the_claims():
    assert get_profile("mlp_gd", "article").accuracy_bar == claim_bar("95")
    assert get_profile("cnn_sparse", "article").accuracy_bar == claim_bar("95.2")
    assert get_profile("cnn_mse_sgd", "article").accuracy_bar == claim_bar("95.2")


def test_ratios_are_taken_repeat_by_repeat():
    def run(variant, repeat, seconds):
        return {"example": "mlp_gd", "variant": variant, "repeat": repeat, "chunk_s": [1.0, seconds],
                "chunks": [1, 1], "accuracy": 0.5 + repeat / 10, "build_s": 0.1,
                "import_s": 2.0, "train_samples": 100, "full_batch": True, "peak_rss_mb": 500.0,
                "rss_after_import_mb": 400.0, "process_s": 5.0 + seconds}

    # The machine slows down in repeat 1 for both: the pairwise ratio stays 2.
    runs = [run("tf1 feed_dict", 0, 1.0), run("keras fit", 0, 2.0),
            run("tf1 feed_dict", 1, 3.0), run("keras fit", 1, 6.0)]
    tf1, keras = bench.summarise(runs)
    assert keras.ratio_vs_tf1 == 2.0 and keras.ratio_spread == (2.0, 2.0)
    assert tf1.ratio_vs_tf1 is None
    assert keras.steady_s == 4.0  # median of 2 and 6
    assert keras.process_ratio == pytest.approx(statistics.median([7 / 6, 11 / 8]))
    assert keras.final_accuracy == pytest.approx(0.55)  # median of 0.5 and 0.6


def test_a_failing_run_is_one_line_and_exit_1(monkeypatch, capsys):
    # A run that dies (here: a Python that cannot start) is reported, not a traceback.
    monkeypatch.setattr(bench.sys, "executable", "/nonexistent/python")
    assert cli.main(["bench", "mlp_gd", "--profile", "quick", "--repeat", "1", "--quiet"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("tfport: error: ") and error.count("\n") == 1
