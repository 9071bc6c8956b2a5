"""The `tfport` command (tfport/cli.py, inputs.py, commands.py): listing, a run with its files,
and every kind of bad input."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys

import pytest

from tfport import cli, commands
from tfport.examples import EXAMPLES
from tfport.profiles import PROFILES


def _tfport(*args, env=None):
    return subprocess.run([sys.executable, "-m", "tfport.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


def test_list_names_every_example_and_article():
    done = _tfport("list")
    assert done.returncode == 0
    for example_id in PROFILES:
        assert example_id in done.stdout
    assert "002_561f56958899b404.txt lines 205-244" in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "no_such_example"], "unknown example 'no_such_example'; choose one of mlp_gd"),
        (["run", "mlp_gd", "--api", "tf2"], "invalid choice: 'tf2'"),
        (["run", "mlp_gd", "--profile", "huge"], "invalid choice: 'huge'"),
        (["compare", "--seed", "x"], "invalid int value: 'x'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["run", "mlp_gd", "--backend", "mxnet"], "invalid choice: 'mxnet'"),
        (["run", "mlp_gd", "--api", "tf1", "--backend", "jax"],
         "--backend picks the Keras 3 backend of the Keras port"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(args, message):
    done = _tfport(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_missing_data_file_is_one_line_and_exit_1(tmp_path):
    done = _tfport("run", "mlp_gd", env={"TFPORT_MNIST_PATH": str(tmp_path / "gone.npz")})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"tfport: error: MNIST file not found: {tmp_path / 'gone.npz'} (from $TFPORT_MNIST_PATH); "
        "point $TFPORT_MNIST_PATH at an MNIST .npz in the Keras layout, or unset it to download MNIST."
    ]


def test_run_both_apis_prints_table_and_writes_records_and_plot(tmp_path, tiny_profile, monkeypatch, capsys):
    monkeypatch.setitem(PROFILES["mlp_gd"], "quick", tiny_profile["mlp_gd"])
    assert cli.main(["run", "mlp_gd", "--quiet", "--seed", "4", "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "| test accuracy" in table and "| tf1" in table and "keras" in table
    records = {path.name: json.loads(path.read_text()) for path in tmp_path.glob("*.json")}
    assert set(records) == {"mlp_gd-tf1-tiny-seed4.json", "mlp_gd-keras-tiny-seed4.json"}
    for record in records.values():
        assert record["seed"] == 4 and len(record["loss_history"]) == 3
        assert f"{record['test_accuracy']:.4f}" in table
    png = tmp_path / "mlp_gd-quick-seed4-loss.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "mlp_gd-tf1-inputs.png").exists()


def test_compare_one_row_per_example_and_api(tiny_compare):
    printed, out = tiny_compare
    rows = [line for line in printed.splitlines() if line.startswith("| ")][1:]
    assert [[cell.strip() for cell in row.split("|")[1:3]] for row in rows] == [
        [example_id, api] for example_id in EXAMPLES for api in ("tf1", "keras")
    ]
    written = (out / "compare-quick-seed0.md").read_text().splitlines()
    assert written[2:] == rows, "the table file must be the table that was printed"


# --- Every bad input is one line and the right exit code, before any training -----------

def _one_line_error(done, code: int, *fragments: str) -> None:
    assert done.returncode == code, (done.returncode, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tfport"), done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    # Before any training: no epoch was started, no record written.
    assert "Epoch" not in done.stdout and "== " not in done.stdout


@pytest.mark.parametrize("seed", ["-1", "99999999999"])
def test_a_seed_out_of_range_is_refused_before_training(seed):
    _one_line_error(_tfport("run", "cnn_sparse", "--seed", seed), 2, "a seed is a whole number")


def test_out_that_is_a_file_or_cannot_be_made_is_refused_before_training(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    _one_line_error(_tfport("run", "mlp_gd", "--out", str(a_file)), 1, "is a file, not a folder")
    # Beneath a file nothing can be made, not even by root (CI runs as root, for whom a
    # read-only folder is writable all the same).
    _one_line_error(_tfport("compare", "--out", str(a_file / "runs")), 1, "cannot write into")
    _one_line_error(_tfport("audit", "--report", str(a_file / "audit.md")), 1, "is a file")
    _one_line_error(_tfport("bert-checkpoint", str(a_file)), 1, "is a file, not a folder")
    _one_line_error(_tfport("bench", "mlp_gd", "--out", str(a_file / "b")), 1, "cannot write into")


def test_convert_checkpoint_to_an_unwritable_path_is_one_line(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    _one_line_error(_tfport("convert-checkpoint", "mlp_gd", str(tmp_path / "none.ckpt"),
                            str(a_file / "x.weights.h5")), 1, "is a file, not a folder")
    _one_line_error(_tfport("convert-checkpoint", "mlp_gd", str(tmp_path / "none.ckpt"),
                            str(a_file / "sub" / "x.weights.h5")), 1, "cannot write into")
    _one_line_error(_tfport("convert-checkpoint", "mlp_gd", str(tmp_path / "none.ckpt"),
                            str(tmp_path / "x.h5")), 1, "must end in .weights.h5")


def _mnist_like(path, images: int = 10):
    import numpy as np

    np.savez(path, x_train=np.ones((images, 28, 28), np.uint8),
             y_train=(np.arange(images) % 10).astype(np.uint8),
             x_test=np.ones((images, 28, 28), np.uint8),
             y_test=(np.arange(images) % 10).astype(np.uint8))
    return path


def test_bad_mnist_files_are_one_line_before_training(tmp_path):
    import zipfile

    not_npy = tmp_path / "members.npz"
    with zipfile.ZipFile(not_npy, "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(key, b"not an array")
    _one_line_error(_tfport("run", "mlp_gd", env={"TFPORT_MNIST_PATH": str(not_npy)}), 1,
                    "member x_train is not a .npy array")
    _one_line_error(_tfport("run", "mlp_gd", env={"TFPORT_MNIST_PATH": str(tmp_path)}), 1,
                    "is a folder, not a file")
    small = _mnist_like(tmp_path / "small.npz")
    _one_line_error(_tfport("run", "cnn_sparse", env={"TFPORT_MNIST_PATH": str(small)}), 1,
                    "holds 10 training images, but this profile needs 6,000")


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys, tmp_path):
    from tfport import examples

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(examples, "run_example", interrupted)
    assert cli.main(["run", "mlp_gd", "--out", str(tmp_path), "--quiet"]) == 130
    assert capsys.readouterr().err == "tfport: interrupted\n"


def test_an_interrupted_compare_still_writes_the_table_of_what_finished(
        monkeypatch, capsys, tmp_path, tiny_profile):
    from tfport import examples

    real = examples.run_example
    finished = []

    def two_then_interrupt(example_id, api, *args, **kwargs):
        if len(finished) == 2:
            raise KeyboardInterrupt
        finished.append((example_id, api))
        return real(example_id, api, tiny_profile[example_id], *args[1:], **kwargs)

    monkeypatch.setattr(examples, "run_example", two_then_interrupt)
    assert cli.main(["compare", "--out", str(tmp_path), "--quiet"]) == 130
    table = (tmp_path / "compare-quick-seed0.md").read_text().splitlines()
    assert [[cell.strip() for cell in row.split("|")[1:3]] for row in table[2:]] == [
        [example_id, api] for example_id, api in finished]
    assert capsys.readouterr().err.strip().splitlines()[-1] == "tfport: interrupted"


def test_a_one_api_run_never_replaces_the_two_curve_plot():
    assert commands.loss_plot_name("mlp_gd-quick-seed0", ("tf1", "keras")) == "mlp_gd-quick-seed0-loss.png"
    assert commands.loss_plot_name("mlp_gd-quick-seed0", ("tf1",)) == "mlp_gd-quick-seed0-tf1-loss.png"
    assert commands.loss_plot_name("mlp_gd-quick-seed0", ("keras",)) == "mlp_gd-quick-seed0-keras-loss.png"


def test_tfport_run_prints_no_tensorflow_start_up_line_and_no_warning(tmp_path):
    # The first command README gives a new user, as they run it: the quick profile, both
    # APIs. Its output is the ports' own; TensorFlow's start-up lines (oneDNN, CPU features,
    # CUDA) and Python warnings read as errors to a newcomer, so they are kept for --verbose.
    done = _tfport("run", "cnn_sparse", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    for noise in ("I0000", "E0000", "W0000", "oneDNN", "cuda", "cuInit", "absl::",
                  "Warning", "WARNING", "retracing", "deprecated", "Traceback"):
        assert noise not in output, f"{noise!r} in the output:\n{output}"
    assert done.stderr == ""
    # Both APIs print their result alike.
    results = [line for line in done.stdout.splitlines() if line.startswith("Test loss: ")]
    assert len(results) == 2
    assert all(re.fullmatch(r"Test loss: \d\.\d{4}, test accuracy: \d\.\d{4}", line)
               for line in results), results
    # The progress bars count to the steps there are: 6,000 images in batches of 32.
    assert "188/188" in done.stdout and "189/188" not in done.stdout
    verbose = _tfport("run", "sigmoid_step", "--out", str(tmp_path), "--verbose")
    assert "oneDNN" in verbose.stderr or "I0000" in verbose.stderr


def test_a_backend_or_tensorflow_that_is_not_installed_is_one_line(monkeypatch, capsys):
    # Checked before anything is imported or trained: a machine without JAX asked for JAX,
    # and one without TensorFlow asked for what needs it (the TF1 ports, the default
    # backend, bert_classifier's checkpoint reader and tf.data batches).
    import importlib.util

    real = importlib.util.find_spec
    missing: set[str] = set()
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name in missing else real(name, *args))
    missing.add("jax")
    assert cli.main(["run", "mlp_gd", "--api", "keras", "--backend", "jax"]) == 2
    error = capsys.readouterr().err
    assert "the jax backend needs jax installed" in error and error.count("\n") == 1
    missing.update({"tensorflow"})
    for args in (["run", "mlp_gd"], ["run", "mlp_gd", "--api", "keras"],
                 ["run", "bert_classifier", "--api", "keras", "--backend", "torch"],
                 ["compare"], ["verify"]):
        assert cli.main(args) == 2, args
        error = capsys.readouterr().err
        assert "TensorFlow is not installed" in error and error.count("\n") == 1, args


def test_a_keras_run_on_another_backend_goes_to_a_child_process_and_says_so(tmp_path, capsys):
    # This process imported Keras on TensorFlow; `--backend torch` runs in a child, whose
    # record and file names carry the backend and the device.
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        pytest.skip("PyTorch is not installed (pip install -e \".[backends]\")")
    assert cli.main(["run", "sigmoid_step", "--api", "keras", "--backend", "torch", "--quiet",
                     "--out", str(tmp_path)]) == 0
    record = json.loads((tmp_path / "sigmoid_step-keras-torch-quick-seed0.json").read_text())
    assert record["environment"]["backend"] == "torch"
    assert record["environment"]["device"].startswith(("CPU: ", "GPU: "))
    assert (tmp_path / "sigmoid_step-quick-seed0-torch-keras-loss.png").exists()
