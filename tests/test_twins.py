"""The twins are the product: each pair is the same program in two APIs, and nothing else.

A learner diffs `legacy_tf1/<id>.py` against `keras_models/<id>.py`; these tests keep that
diff about the migration: the same public functions in the same order, the port contract
(`tfport.contract`) kept by both, no tooling in either, and tfport never importing a port.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from tfport.examples import EXAMPLES, keras_port, tf1_port

ROOT = Path(__file__).resolve().parent.parent
PORT_PACKAGES = ("legacy_tf1", "keras_models")
# sigmoid_step is one neuron's one step on the article's one sample: no data set to load
# or train on in epochs (tfport/contract.py says so).
ONE_STEP = {"sigmoid_step": ("build_model", "run")}
CONTRACT_FUNCTIONS = ("load_data", "build_model", "train", "run")  # tfport/contract.py


def public_functions(module) -> list[str]:
    """The public functions a module defines itself, in source order (imports not counted)."""
    functions = [(obj.__code__.co_firstlineno, name) for name, obj in vars(module).items()
                 if inspect.isfunction(obj) and obj.__module__ == module.__name__
                 and not name.startswith("_")]
    return [name for _, name in sorted(functions)]


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_twins_define_the_same_public_functions_in_the_same_order(example_id):
    tf1, new = tf1_port(example_id), keras_port(example_id)
    assert public_functions(tf1) == public_functions(new)


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_both_ports_keep_the_contract(example_id):
    needed = ONE_STEP.get(example_id, CONTRACT_FUNCTIONS)
    for port in (tf1_port(example_id), keras_port(example_id)):
        missing = [name for name in needed if not callable(getattr(port, name, None))]
        assert not missing, f"{port.__name__} lacks {missing}"
        # The whole signature: saving a checkpoint is the scaffold's
        # (`legacy_tf1.session.saving_checkpoint`), and no `train` takes a seed (the
        # scaffold seeds the graph, or Keras, before the model is built).
        assert list(inspect.signature(port.run).parameters) == [
            "profile", "seed", "out_dir", "verbose"]
        if "train" in needed:
            assert "seed" not in inspect.signature(port.train).parameters, port.__name__


@pytest.mark.parametrize("example_id", list(EXAMPLES))
def test_no_tooling_in_the_twins(example_id):
    # What verify, bench and checkpoints need lives in tfport (transfer, verify, measure),
    # not in the file a learner diffs.
    # mlp_gd's Keras port takes its full-batch steps with `train_on_batch`: that is its
    # training loop, one call a step like the article's `sess.run`, not a hook (`fit` would
    # make every step an epoch, costing more than the step: docs/bench/keras-epoch-overhead.md).
    for package in PORT_PACKAGES:
        source = (ROOT / package / f"{example_id}.py").read_text()
        hooks = ("tf1_variables", "steps_per_execution", "inputs=", "train_on_batch",
                 "import legacy_tf1\n", "tfport.verify", "tfport.bench", "tfport.measure")
        for hook in hooks:
            if hook == "train_on_batch" and (package, example_id) == ("keras_models", "mlp_gd"):
                continue
            assert hook not in source, f"{package}/{example_id}.py holds {hook!r}"
        # A module-level single step for the tools (Keras backprop's `train_step` method is
        # the article's program: keras.io's way to change what `fit` does).
        assert not re.search(r"^def train_step", source, flags=re.MULTILINE), example_id


def test_keras_ports_compile_with_one_step_per_call():
    # Speed settings are named benchmark variants (tfport/measure.py), never the ports':
    # a port's fit runs, and its progress bar counts, one step per call.
    from tests.conftest import TINY

    for example_id in EXAMPLES:
        model = keras_port(example_id).build_model(TINY[example_id])
        if not isinstance(model, dict):
            assert model.steps_per_execution == 1, example_id


def imports_of(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_tfport_never_imports_a_port_package():
    # The ports import tfport (data, profiles, results, the contract); tfport reaches a port
    # only through tfport.examples, which imports it by name when a command needs it.
    arrows = {str(path.relative_to(ROOT)): sorted(
                  name for name in imports_of(path) if name.split(".")[0] in PORT_PACKAGES)
              for path in (ROOT / "tfport").rglob("*.py")}
    assert {path: names for path, names in arrows.items() if names} == {}


def test_legacy_keras_is_switched_on_by_an_explicit_call_not_an_import():
    init = (ROOT / "legacy_tf1" / "__init__.py").read_text()
    assert "environ" not in init and "import" not in init.split('"""')[-1]
    assert "runtime.use_legacy_keras()" in (ROOT / "legacy_tf1" / "session.py").read_text()


def test_no_keras_port_imports_tensorflow():
    # Keras 3 code runs on TensorFlow, JAX and PyTorch; what only one backend has is chosen
    # in tfport/backends.py, not in a port.
    importing = {str(path.relative_to(ROOT)): sorted(
                     name for name in imports_of(path)
                     if name.split(".")[0] in ("tensorflow", "tf_keras", "jax", "torch"))
                 for path in (ROOT / "keras_models").rglob("*.py")}
    assert {path: names for path, names in importing.items() if names} == {}
