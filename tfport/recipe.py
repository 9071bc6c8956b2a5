"""Static checks: each port's optimizer, loss and metric, read from the compiled Keras model
and the TF1 graph's ops, against the article's, the profile's and each API's defaults: what
`tfport verify` cannot see, a setting both ports get wrong alike (docs/verify.md).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
from typing import Any

import keras
import numpy as np

from tfport.contract import TF1Graph
from tfport.examples import EXAMPLES
from tfport.profiles import Profile


@dataclasses.dataclass(frozen=True)
class Recipe:
    optimizer: str  # "Adam", "SGD" or "AdamW" (BERT's AdamWeightDecay is AdamW's family)
    learning_rate: float  # the initial one where there is a schedule
    loss: str  # Keras's name for the loss: "sparse_categorical_crossentropy", ...
    metric: str | None  # "accuracy"
    settings: tuple[tuple[str, float], ...] = ()  # the optimizer's other step settings

    def differences(self, other: Recipe) -> list[str]:
        """What differs, as 'field: this vs other'."""
        found = [f"{name}: {getattr(self, name)} vs {getattr(other, name)}"
                 for name in ("optimizer", "loss", "metric")
                 if getattr(self, name) != getattr(other, name)]
        if not math.isclose(self.learning_rate, other.learning_rate, rel_tol=1e-6):
            found.append(f"learning_rate: {self.learning_rate} vs {other.learning_rate}")
        mine, theirs = dict(self.settings), dict(other.settings)
        for name in sorted(mine.keys() & theirs.keys()):
            if not math.isclose(mine[name], theirs[name], rel_tol=1e-6):
                found.append(f"{name}: {mine[name]} vs {theirs[name]}")
        for name in sorted(mine.keys() ^ theirs.keys()):
            found.append(f"{name}: {mine.get(name, 'not set')} vs {theirs.get(name, 'not set')}")
        return found


# example id -> (optimizer, learning rate or None, loss) as the article writes them
ARTICLE: dict[str, tuple[str, float | None, str]] = {
    example.id: example.recipe for example in EXAMPLES.values() if example.recipe is not None}
# google-research/bert's optimizer settings (optimization.py), which both BERT ports keep.
BERT_SETTINGS = (("beta_1", 0.9), ("beta_2", 0.999), ("epsilon", 1e-6), ("weight_decay", 0.01))


def expected(example_id: str, api: str, profile: Profile) -> Recipe:
    """The recipe the article and the profile call for, with `api`'s optimizer defaults."""
    optimizer, _, loss = ARTICLE[example_id]
    return Recipe(optimizer, profile.learning_rate, loss, "accuracy",
                  _default_settings(optimizer, api))


def _default_settings(optimizer: str, api: str) -> tuple[tuple[str, float], ...]:
    if optimizer == "AdamW":
        return BERT_SETTINGS if api == "keras" else ()  # TF1: BERT's graph keeps them as code
    if optimizer == "SGD":
        return (("momentum", 0.0),) if api == "keras" else ()
    if api == "tf1":
        import tensorflow as tf

        declared = defaults(tf.compat.v1.train.AdamOptimizer)
        return (("beta_1", declared["beta1"]), ("beta_2", declared["beta2"]),
                ("epsilon", declared["epsilon"]))
    declared = defaults(keras.optimizers.Adam)
    return tuple((name, float(declared[name])) for name in ("beta_1", "beta_2", "epsilon"))


def defaults(function: Any) -> dict[str, Any]:
    """Each argument's default, as `function`'s signature declares it."""
    return {name: parameter.default
            for name, parameter in inspect.signature(function).parameters.items()}


def keras_recipe(model: keras.Model) -> Recipe:
    """The recipe a compiled Keras model trains with."""
    optimizer = model.optimizer
    config = optimizer.get_config()
    name = "AdamW" if isinstance(optimizer, keras.optimizers.AdamW) else type(optimizer).__name__
    settings = {"Adam": ("beta_1", "beta_2", "epsilon"), "SGD": ("momentum",),
                "AdamW": ("beta_1", "beta_2", "epsilon", "weight_decay")}.get(name, ())
    loss = keras.losses.get(model.loss) if isinstance(model.loss, str) else model.loss
    metrics = [metric if isinstance(metric, str) else
               metric.get("config", {}).get("name") if isinstance(metric, dict) else metric.name
               for metric in model.get_compile_config().get("metrics") or ()]
    return Recipe(name, _keras_learning_rate(optimizer),
                  getattr(loss, "fn", loss).__name__,  # LossFunctionWrapper -> its function
                  ",".join(str(metric) for metric in metrics) if metrics else None,
                  tuple((key, float(config[key])) for key in settings))


def _keras_learning_rate(optimizer: Any) -> float:
    schedule = optimizer._learning_rate  # a float variable, or a schedule before any step
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        config = schedule.get_config()
        for key in ("initial_learning_rate", "init_lr", "learning_rate"):
            if key in config:
                return float(config[key])
        raise ValueError(f"cannot read the initial learning rate of {type(schedule).__name__}")
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def tf1_recipe(graph: TF1Graph) -> Recipe:
    """The recipe a TF1 port's graph (the current default graph) trains with."""
    import tensorflow as tf

    optimizer, learning_rate, settings = _tf1_optimizer(
        tf.compat.v1.get_default_graph().get_operations())
    return Recipe(optimizer, learning_rate, _tf1_loss(graph.loss),
                  "accuracy" if graph.accuracy is not None else None, settings)


def _tf1_optimizer(operations: list) -> tuple[str, float, tuple[tuple[str, float], ...]]:
    by_type: dict[str, Any] = {}
    for op in operations:
        by_type.setdefault(op.type, op)
    if adam := by_type.get("ResourceApplyAdam") or by_type.get("ApplyAdam"):
        lr, beta1, beta2, epsilon = (_constant(adam.inputs[i]) for i in (5, 6, 7, 8))
        return "Adam", lr, (("beta_1", beta1), ("beta_2", beta2), ("epsilon", epsilon))
    if step := by_type.get("ResourceApplyGradientDescent") or by_type.get("ApplyGradientDescent"):
        return "SGD", _constant(step.inputs[1]), ()
    if any(op.name.endswith("/adam_m") for op in operations):  # BERT's AdamWeightDecay
        return "AdamW", _bert_initial_learning_rate(operations), ()
    if assign := by_type.get("AssignSubVariableOp") or by_type.get("AssignSub"):
        # A hand-written update, w -= alpha * gradient: alpha is the constant it scales by.
        scaled = assign.inputs[1].op
        values = [_constant(t) for t in scaled.inputs if t.op.type == "Const"]
        if scaled.type == "Mul" and len(values) == 1:
            return "SGD", values[0], ()
    raise ValueError("no optimizer update found in the TF1 graph")


def _bert_initial_learning_rate(operations: list) -> float:
    for op in operations:
        if op.type == "Const" and not op.name.startswith("PolynomialDecay"):
            if any(consumer.name.startswith("PolynomialDecay/")
                   for consumer in op.outputs[0].consumers()):
                return _constant(op.outputs[0])
    raise ValueError("no PolynomialDecay learning rate found in the TF1 graph")


def _constant(tensor: Any) -> float:
    import tensorflow as tf

    value = tf.get_static_value(tensor)
    if value is None:
        raise ValueError(f"{tensor.name} is not a constant")
    return float(np.asarray(value))


def _tf1_loss(loss: Any) -> str:
    """The loss, named as Keras names it, from the op types under the loss tensor."""
    types, constants, todo, seen = set(), [], [loss.op], set()
    while todo:
        op = todo.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        types.add(op.type)
        if op.type == "Const":
            constants.extend(op.get_attr("value").float_val)
        todo.extend(tensor.op for tensor in op.inputs)
    if "SparseSoftmaxCrossEntropyWithLogits" in types:
        return "sparse_categorical_crossentropy"
    if "SoftmaxCrossEntropyWithLogits" in types:
        return "categorical_crossentropy"
    if {"OneHot", "LogSoftmax"} <= types:  # BERT: -sum(one_hot(labels) * log_softmax(logits))
        return "sparse_categorical_crossentropy"
    if "Log1p" in types:  # sigmoid_cross_entropy_with_logits
        return "binary_crossentropy"
    if "SquaredDifference" in types:
        return "mean_squared_error"
    if "Square" in types:
        return "half_squared_error" if 0.5 in constants else "sum_squared_error"
    return "unknown: " + ", ".join(sorted(types))
