"""The `tfport` command: listing, a run with its files, and every kind of bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tfport import cli
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


def test_compare_one_row_per_example_and_api(tmp_path, tiny_profile, monkeypatch, capsys):
    for example_id, profile in tiny_profile.items():
        monkeypatch.setitem(PROFILES[example_id], "quick", profile)
    assert cli.main(["compare", "--quiet", "--out", str(tmp_path)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")][1:]
    assert [[cell.strip() for cell in row.split("|")[1:3]] for row in rows] == [
        [example_id, api] for example_id in EXAMPLES for api in ("tf1", "keras")
    ]
    written = (tmp_path / "compare-quick-seed0.md").read_text().splitlines()
    assert written[2:] == rows, "the table file must be the table that was printed"
