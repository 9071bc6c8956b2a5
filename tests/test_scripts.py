"""Every twin runs as the article's script: `python legacy_tf1/ID.py [--profile NAME] [--seed N]`.

A twin's file ends with the same two-line block in both APIs, and tfport/script.py does the
rest: the options, their checks, TensorFlow kept quiet, the result printed after the port's
own output. Two twins are run here as a reader runs them, in a child process on the quick
profile of a fast example; what the helper hands a port's `run` is checked for every option
in this process, with a stand-in port that trains nothing.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tfport.examples import EXAMPLES, keras_port, tf1_port
from tfport.profiles import PROFILES
from tfport.results import RunResult
from tfport.script import run_as_script

ROOT = Path(__file__).resolve().parent.parent
PORT_FOLDERS = ("legacy_tf1", "keras_models")
SCRIPT_BLOCK = '''
if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("{example_id}", run))
'''
# What TensorFlow's C++ side writes to stderr, which tfport.script cannot keep quiet once a port
# file's first lines have imported TensorFlow (tfport/script.py says why): absl's log lines,
# its notice that they go to stderr, and the second line of the CPU-features note.
TENSORFLOW_START_UP = re.compile(r"[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\] "
                                 r"|WARNING: All log messages before absl::InitializeLog\(\) "
                                 r"|To enable the following instructions: ")
# What this test process set for TensorFlow (tests/conftest.py starts it as the CLI does) and
# a reader's shell has not: the child gets neither, so that the helper has to do it.
SET_BY_THE_TESTS = ("TF_CPP_MIN_LOG_LEVEL", "TF_USE_LEGACY_KERAS")


def run_script(path: str, *args: str) -> subprocess.CompletedProcess:
    """`python PATH ARGS` from the repository root, as a reader types it. The root goes first
    on PYTHONPATH so that the child imports this checkout's packages even where the installed
    project (`pip install -e`) is another clone of it."""
    env = {name: value for name, value in os.environ.items() if name not in SET_BY_THE_TESTS}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, path, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=240, env=env)


def own_lines(stderr: str) -> list[str]:
    """The lines of stderr that are not TensorFlow's start-up lines."""
    return [line for line in stderr.splitlines() if line and not TENSORFLOW_START_UP.match(line)]


# --- run as a reader runs them ----------------------------------------------------------

def test_a_keras_twin_runs_as_a_script_and_prints_the_articles_output():
    done = run_script("keras_models/mlp_gd.py", "--profile", "quick")
    assert done.returncode == 0, done.stderr
    assert "Epoch: 0 Loss:" in done.stdout  # the article's own progress print
    assert re.search(r"^Test loss: \d\.\d{4}, test accuracy: \d\.\d{4}$", done.stdout, re.M)
    # then the run's record: what the port was given, and its figures
    assert "mlp_gd (keras), quick profile, seed 0:" in done.stdout
    assert re.search(r"^\| test accuracy +\| \d\.\d{4} +\|$", done.stdout, re.M)
    assert own_lines(done.stderr) == [], done.stderr  # no warning, no traceback


def test_a_tf1_twin_runs_as_a_script_on_the_profile_and_seed_asked_for():
    done = run_script("legacy_tf1/cnn_mse_sgd.py", "--profile", "quick", "--seed", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("== cnn_mse_sgd / tf1 / quick profile / seed 1\n")
    assert re.search(r"^Test loss: \d\.\d{4}, test accuracy: \d\.\d{4}$", done.stdout, re.M)
    assert "cnn_mse_sgd (tf1), quick profile, seed 1:" in done.stdout
    assert re.search(r"^\| test accuracy +\| \d\.\d{4} +\|$", done.stdout, re.M)
    # Quiet, as `tfport run` is, but for TensorFlow's start-up lines: no warning, and no line
    # from CUDA's device probe, which a TF1 Session writes on a machine without a GPU
    # ("failed call to cuInit") where the helper does not probe first with stderr caught.
    assert own_lines(done.stderr) == [], done.stderr
    assert "cuInit" not in done.stderr


def test_a_bad_profile_is_one_line_on_stderr_and_exit_2():
    done = run_script("keras_models/mlp_gd.py", "--profile", "huge")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert own_lines(done.stderr) == [
        "python keras_models/mlp_gd.py: error: mlp_gd has no profile 'huge'; choose one of "
        "article, quick (see `python keras_models/mlp_gd.py --help`)"]
    assert done.stdout == ""  # nothing ran


# --- what the helper hands a port's run, without training ---------------------------------

STAND_IN = '''
from tfport.results import RunResult

calls = []


def run(profile, seed=0, out_dir=None, verbose=1):
    calls.append((profile, seed, out_dir, verbose))
    print("the port's own output")
    return RunResult(example="mlp_gd", api="keras", profile=profile.name, seed=seed,
                     test_accuracy=0.5, test_loss=1.25, loss_history=[2.0, 1.5],
                     wall_time_s=1.0, train_time_s=0.5, train_samples_per_s=10.0,
                     param_count=3)
'''


@pytest.fixture
def stand_in(tmp_path):
    """A stand-in for keras_models/mlp_gd.py (a `run` that records what it was given and
    trains nothing), in a folder of that name, which the helper takes the API from."""
    path = tmp_path / "keras_models" / "mlp_gd.py"
    path.parent.mkdir()
    path.write_text(STAND_IN)
    spec = importlib.util.spec_from_file_location("stand_in_mlp_gd", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("argv, profile, seed", [
    ([], "article", 0),  # the article's program, as the article ran it
    (["--profile", "quick"], "quick", 0),
    (["--seed", "7"], "article", 7),
    (["--profile", "quick", "--seed", "4294967295"], "quick", 2**32 - 1),
])
def test_the_port_runs_on_the_profile_and_seed_asked_for(stand_in, capsys, argv, profile, seed):
    assert run_as_script("mlp_gd", stand_in.run, argv) == 0
    assert stand_in.calls == [(PROFILES["mlp_gd"][profile], seed, None, 1)]
    printed = capsys.readouterr().out
    assert printed.startswith(f"== mlp_gd / keras / {profile} profile / seed {seed}\n"
                              f"the port's own output\n")
    assert f"mlp_gd (keras), {profile} profile, seed {seed}:" in printed
    assert re.search(r"^\| test accuracy +\| 0\.5000 +\|$", printed, re.M)


@pytest.mark.parametrize("argv, message", [
    (["--profile", "huge"], "mlp_gd has no profile 'huge'; choose one of article, quick"),
    (["--seed", "-1"], "a seed is a whole number from 0 to 4294967295, got -1"),
    (["--seed", str(2**32)], "a seed is a whole number from 0 to 4294967295, got 4294967296"),
    (["--seed", "x"], "invalid int value: 'x'"),
    (["--epochs", "3"], "unrecognized arguments: --epochs 3"),
])
def test_a_bad_option_is_one_line_and_exit_2_before_the_port_runs(stand_in, capsys, argv,
                                                                   message):
    with pytest.raises(SystemExit) as exit:
        run_as_script("mlp_gd", stand_in.run, argv)
    assert exit.value.code == 2
    assert stand_in.calls == []
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("python keras_models/mlp_gd.py: error: ")
    assert message in err


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_every_twin_names_its_own_profiles_when_asked_for_another(example_id, capsys):
    for port in (tf1_port(example_id), keras_port(example_id)):
        with pytest.raises(SystemExit) as exit:
            run_as_script(example_id, port.run, ["--profile", "huge"])
        assert exit.value.code == 2
        err = capsys.readouterr().err
        assert f"choose one of {', '.join(PROFILES[example_id])} " in err


def test_the_helper_runs_only_a_ports_own_run():
    with pytest.raises(ValueError, match="legacy_tf1/ or keras_models/"):
        run_as_script("mlp_gd", own_lines, [])
    with pytest.raises(ValueError, match="of an example in tfport/examples/"):
        run_as_script("no_such_example", keras_port("mlp_gd").run, [])


# --- the block at the end of every twin ---------------------------------------------------

@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_every_twin_ends_with_the_same_two_line_script_block(example_id):
    # The block starts the file from a terminal and nothing else, the same in both twins, so
    # that diffing the twins still shows the migration only (tfport.results leaves it out
    # of a record's fingerprint, tfport.notebook out of the notebooks' cells).
    for folder in PORT_FOLDERS:
        source = (ROOT / folder / f"{example_id}.py").read_text()
        assert source.endswith("\n\n" + SCRIPT_BLOCK.format(example_id=example_id)), folder
        assert source.count("__main__") == 1, folder
