"""The API mapping tables say what the ports really do, both ways."""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from tfport import mapping
from tfport.examples import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent


def code_only(path: Path) -> str:
    """A port's source without docstrings and comments, so that prose does not count."""
    source = path.read_text()
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            for number in range(node.lineno - 1, node.end_lineno):
                lines[number] = "\n"
    tokens = tokenize.generate_tokens(io.StringIO("".join(lines)).readline)
    return " ".join(token.string for token in tokens if token.type != tokenize.COMMENT)


def compact(code: str) -> str:
    return re.sub(r"\s+", "", code)


# What every port of an API runs besides its own module: the run scaffolds.
SCAFFOLDS = {"legacy_tf1": ("session.py", "feeding.py"), "keras_models": ("program.py",)}


def port_code(package: str, example_id: str) -> str:
    """A port's code, the code it imports from another port of its package (cnn_mse_sgd
    builds cnn_sparse's network), and its API's scaffold code, compacted."""
    source = (ROOT / package / f"{example_id}.py").read_text()
    borrowed = re.findall(rf"^from {package}\.(\w+) import", source, flags=re.MULTILINE)
    files = [f"{example_id}.py", *(f"{name}.py" for name in borrowed
                                   if (ROOT / package / f"{name}.py").exists()),
             *SCAFFOLDS[package]]
    return "".join(compact(code_only(ROOT / package / name)) for name in files)


@pytest.mark.parametrize("example_id", EXAMPLES)
def test_every_row_is_in_both_ports(example_id):
    tf1_source = port_code("legacy_tf1", example_id)
    keras_source = port_code("keras_models", example_id)
    for row in mapping.rows(example_id):
        assert compact(row.tf1_code or row.tf1) in tf1_source, \
            f"{example_id}: TF1 port lacks {row.tf1}"
        if row.keras_code is not None:
            assert compact(row.keras_code or row.keras) in keras_source, \
                f"{example_id}: Keras port lacks {row.keras}"


@pytest.mark.parametrize("example_id", EXAMPLES)
def test_every_tf1_call_has_a_row(example_id):
    calls = set(re.findall(r"tf\.(?:compat\.v1\.[\w.]+|nn\.\w+|train\.\w+)",
                           compact(code_only(ROOT / "legacy_tf1" / f"{example_id}.py"))))
    covered = [row.tf1_code for row in mapping.rows(example_id)]
    # Activations and softmax are the same functions in both APIs (tf.nn.relu is the relu).
    same_in_both = {"tf.nn.relu", "tf.nn.softmax"}
    missing = sorted(call for call in calls - same_in_both
                     if not any(call.startswith(code) for code in covered))
    assert not missing, f"{example_id}: TF1 calls without a mapping row: {missing}"


def test_defaults_are_read_from_the_apis():
    import keras
    import tensorflow as tf

    adam = mapping.describe_defaults(mapping.ADAM.defaults)
    tf1_epsilon = tf.compat.v1.train.AdamOptimizer(0.001)._epsilon
    keras_epsilon = keras.optimizers.Adam().epsilon
    assert f"epsilon {tf1_epsilon!r} vs {keras_epsilon!r} (differs)" in adam
    assert mapping.default_value("keras.layers.MaxPooling2D", "strides") == "None"
    assert mapping.default_value("tf.compat.v1.layers.max_pooling2d", "strides") == "required"


def test_docs_table_is_generated():
    page = (ROOT / "docs" / "mapping.md").read_text()
    block = re.search(r"<!-- mapping: tfport\.mapping\.table\(\) -->\n(.*?)\n<!-- end -->",
                      page, flags=re.DOTALL)
    assert block, "docs/mapping.md lacks the generated mapping table block"
    assert block.group(1).strip() == mapping.table().strip(), (
        "docs/mapping.md's mapping table is stale: rebuild it with "
        "`python -c 'from tfport import mapping; print(mapping.table())'`")
