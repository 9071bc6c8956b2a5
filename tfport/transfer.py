"""Weight transfer between a TF1 port's graph and its Keras port, and TF1 checkpoint migration.

Keras weights go by their TF1 variables' names (the naming rule: docs/verify.md); anything
that does not line up is refused with the variable's name:

    set_keras_weights(keras_variables(id, model), tf1_values(sess))   # TF1 -> Keras
    set_tf1_weights(sess, keras_values(keras_variables(id, model)))   # Keras -> TF1
"""

from __future__ import annotations

import collections
import contextlib
import importlib
from pathlib import Path
from typing import Any, Iterator, Mapping

import keras
import numpy as np
import tensorflow as tf

from tfport.contract import TF1Graph, TF1Port
from tfport.errors import TransferError
from tfport.examples import check_example, keras_port, tf1_port
from tfport.profiles import Profile, get_profile

# The base name `tf.compat.v1.layers` gives each kind of layer with weights.
TF1_LAYER_NAMES = {"Dense": "dense", "Conv2D": "conv2d"}


class Mapped:
    """A Keras weight in its TF1 variable's layout (`shape`, `assign`, `numpy`): BERT's
    attention kernels are (hidden, heads, size) in KerasHub, (hidden, hidden) in TF1."""

    def __init__(self, variable: keras.Variable, tf1_shape: tuple[int, ...],
                 transpose: bool = False):
        self.variable, self.shape, self.transpose = variable, tuple(tf1_shape), transpose

    def assign(self, value: np.ndarray) -> None:
        value = np.asarray(value)
        self.variable.assign((value.T if self.transpose else value).reshape(self.variable.shape))

    def numpy(self) -> np.ndarray:
        value = keras.ops.convert_to_numpy(self.variable)
        return value.reshape(self.shape[::-1]).T if self.transpose else value.reshape(self.shape)


def _bert_variables(model: Any) -> dict[str, Mapped]:
    """A KerasHub BertTextClassifier's weights by the TF1 names of bert_classifier's graph."""
    from tfport.bert_checkpoint import tf1_names

    backbone_names = tf1_names(model.backbone)
    mapped = {}
    for weight in model.backbone.weights:
        shape = tuple(weight.shape)
        if weight.path.endswith(("query/kernel", "key/kernel", "value/kernel")):
            shape = (shape[0], shape[1] * shape[2])
        elif weight.path.endswith(("query/bias", "key/bias", "value/bias")):
            shape = (shape[0] * shape[1],)
        elif weight.path.endswith("attention_output/kernel"):
            shape = (shape[0] * shape[1], shape[2])
        mapped[backbone_names[weight.path]] = Mapped(weight, shape)
    kernel, bias = model.output_dense.kernel, model.output_dense.bias
    # google-research/bert's classifier kernel is (labels, hidden)
    mapped["output_weights"] = Mapped(kernel, tuple(kernel.shape)[::-1], transpose=True)
    mapped["output_bias"] = Mapped(bias, tuple(bias.shape))
    return mapped


def keras_variables(example_id: str, model: Any) -> dict[str, keras.Variable | Mapped]:
    """The weights of a Keras port's model (or sigmoid_step's dict of variables), by TF1 name."""
    example = check_example(example_id)
    if example.pretrained:  # KerasHub's names and layouts: tfport.bert_checkpoint
        return _bert_variables(model)
    if isinstance(model, dict):
        return {value.name: value for value in model.values() if isinstance(value, keras.Variable)}
    counts: collections.Counter[str] = collections.Counter()
    named = {}
    for layer in model.layers:
        if not layer.weights:
            continue
        kind = type(layer).__name__
        if kind not in TF1_LAYER_NAMES:
            raise TransferError(f"{example_id}: no TF1 name for a Keras {kind} layer")
        base = TF1_LAYER_NAMES[kind]
        prefix = base if counts[base] == 0 else f"{base}_{counts[base]}"
        counts[base] += 1
        for variable in layer.weights:
            named[f"{prefix}/{variable.name}"] = variable
    renamed = example.renamed  # a TF1 port that names its variables itself
    return {renamed.get(name, name): variable for name, variable in named.items()}


def tf1_values(sess: tf.compat.v1.Session) -> dict[str, np.ndarray]:
    """The trainable variables of the session's graph, by name (without the `:0`)."""
    with sess.graph.as_default():
        variables = tf.compat.v1.trainable_variables()
    return dict(zip((_name(v) for v in variables), sess.run(variables)))


def keras_values(variables: Mapping[str, keras.Variable]) -> dict[str, np.ndarray]:
    """The values of `keras_variables(...)`, by TF1 name."""
    _require_eager()
    return {name: variable.numpy() if isinstance(variable, Mapped)
            else keras.ops.convert_to_numpy(variable) for name, variable in variables.items()}


def set_keras_weights(variables: Mapping[str, keras.Variable],
                      values: Mapping[str, np.ndarray], source: str = "the TF1 graph") -> None:
    """Assign `values` (by TF1 name) to `keras_variables(...)`."""
    check_match({n: tuple(v.shape) for n, v in values.items()},
                {n: tuple(v.shape) for n, v in variables.items()}, source, "the Keras model")
    _require_eager()
    for name, variable in variables.items():
        variable.assign(values[name])


def set_tf1_weights(sess: tf.compat.v1.Session, values: Mapping[str, np.ndarray],
                    source: str = "the Keras model") -> None:
    """Assign `values` (by TF1 name) to the trainable variables of the session's graph."""
    with sess.graph.as_default():
        variables = {_name(v): v for v in tf.compat.v1.trainable_variables()}
        check_match({n: tuple(v.shape) for n, v in values.items()},
                    {n: tuple(v.shape) for n, v in variables.items()}, source, "the TF1 graph")
        sess.run([tf.compat.v1.assign(variables[name], values[name]) for name in variables])


def check_match(source: Mapping[str, tuple], target: Mapping[str, tuple],
                source_name: str, target_name: str) -> None:
    """Raise TransferError naming the first variable that is missing, extra or mis-shaped."""
    missing = sorted(set(target) - set(source))
    if missing:
        raise TransferError(f"{source_name} has no variable {missing[0]!r}, which "
                            f"{target_name} needs (it has: {', '.join(sorted(source))})")
    extra = sorted(set(source) - set(target))
    if extra:
        raise TransferError(f"{source_name} has a variable {extra[0]!r} that {target_name} "
                            f"does not (it has: {', '.join(sorted(target))})")
    for name in target:
        if tuple(source[name]) != tuple(target[name]):
            raise TransferError(f"variable {name!r} has shape {tuple(source[name])} in "
                                f"{source_name} but {tuple(target[name])} in {target_name}")


def convert_checkpoint(example_id: str, checkpoint: str | Path, out: str | Path,
                       profile_name: str = "article") -> Path:
    """Turn a checkpoint that the TF1 port of `example_id` saved (one the TF1 graph of
    `profile_name` would restore) into Keras weights at `out`, for `model.load_weights`."""
    out = Path(out)
    if not out.name.endswith(".weights.h5"):
        raise TransferError(f"the output {out} must end in .weights.h5, the file Keras 3's "
                            f"`model.load_weights` reads")
    try:
        reader = tf.train.load_checkpoint(str(checkpoint))
        values = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    except (tf.errors.OpError, ValueError, IndexError, OSError, RuntimeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TransferError(f"cannot read the checkpoint {checkpoint} ({reason}); give the prefix "
                            f"that `tfport run ID --api tf1 --save-checkpoint` printed, "
                            f"e.g. runs/cnn_sparse-tf1-quick-seed0.ckpt") from None
    profile = get_profile(example_id, profile_name)
    with tf1_session(tf1_port(example_id), profile) as (sess, _):
        graph_shapes = {_name(v): tuple(v.shape) for v in tf.compat.v1.global_variables()}
        trainable = [_name(v) for v in tf.compat.v1.trainable_variables()]
    source = f"the checkpoint {checkpoint}"
    target = f"the {example_id} TF1 graph of the {profile_name} profile"
    # The weights first: the clearest message for a checkpoint of another example.
    check_match({name: values[name].shape for name in values if name in trainable},
                {name: graph_shapes[name] for name in trainable}, source, target)
    check_match({name: value.shape for name, value in values.items()}, graph_shapes,
                source, target)
    model = keras_port(example_id).build_model(profile)
    if isinstance(model, dict):
        raise TransferError(f"{example_id}'s Keras port has no Keras model to save weights of")
    variables = keras_variables(example_id, model)
    if check_example(example_id).pretrained:
        # The fine-tuned encoder goes in as a released BERT checkpoint does; then the head.
        from tfport.bert_checkpoint import load_backbone

        load_backbone(str(checkpoint), model.backbone)
        trainable = [name for name in trainable if name in ("output_weights", "output_bias")]
        variables = {name: variables[name] for name in trainable}
    set_keras_weights(variables, {name: values[name] for name in trainable}, source)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        model.save_weights(out)
    except OSError as error:
        raise TransferError(f"cannot write {out} ({error.strerror or error}); choose a "
                            f"writable place") from None
    return out


@contextlib.contextmanager
def tf1_session(port: TF1Port, profile: Profile,
                seed: int = 0) -> Iterator[tuple[tf.compat.v1.Session, TF1Graph]]:
    """A fresh session holding the TF1 port's model, initialized with `seed`."""
    scaffold = importlib.import_module("legacy_tf1.session")
    with scaffold.new_session(seed) as sess:
        graph = port.build_model(profile)
        sess.run(tf.compat.v1.global_variables_initializer())
        yield sess, graph


def _require_eager() -> None:
    # Inside a TF1 graph's `as_default()`, `assign` would only add an op to that graph and
    # change nothing: refuse rather than silently keep the old weights.
    if not tf.executing_eagerly():
        raise TransferError("Keras weights are read and set eagerly: do it outside the TF1 "
                            "graph's `with graph.as_default()` block")


def _name(variable: tf.Variable) -> str:
    return variable.name.split(":")[0]
