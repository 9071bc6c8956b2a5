"""The API mapping: each TF1 call the ports use, its Keras 3 counterpart, and their defaults.

The rows several examples use are made here; each example record lists its own
(`mapping_rows`). How the tables are made and checked: docs/mapping.md.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect

from tfport.tables import markdown_table

# The example records import this module for its rows: tfport.examples only inside functions.


@dataclasses.dataclass(frozen=True)
class Default:
    """One argument whose default a reader should compare, as "object.path.argument" per API."""
    argument: str  # as shown in the table
    tf1: str
    keras: str


@dataclasses.dataclass(frozen=True)
class Mapping:
    tf1: str  # the TF1 call, as the table shows it
    keras: str  # its Keras 3 counterpart
    note: str = ""
    tf1_code: str = ""  # what the TF1 port's source contains (default: `tf1`)
    keras_code: str | None = ""  # the same for the Keras port; None: not code in the port
    defaults: tuple[Default, ...] = ()


PLACEHOLDER = Mapping(
    "`tf.compat.v1.placeholder(tf.float32, [None, ...])`", "`keras.Input(shape=(...))`",
    "The batch axis is left out in Keras; data goes in through `fit` / `predict`, not `feed_dict`.",
    tf1_code="tf.compat.v1.placeholder", keras_code="keras.Input")
PLACEHOLDER_BUILD = Mapping(
    "`tf.compat.v1.placeholder(tf.float32, [None, ...])`", "`model.build((None, ...))`",
    "A subclassed model learns its input shape when built; data goes in through `fit`.",
    tf1_code="tf.compat.v1.placeholder", keras_code="model.build((None,")
PLACEHOLDER_EAGER = Mapping(
    "`tf.compat.v1.placeholder(...)` fed by `feed_dict`", "`keras.ops.convert_to_tensor(x)`",
    "Eager code works on the values themselves.",
    tf1_code="tf.compat.v1.placeholder", keras_code="keras.ops.convert_to_tensor")
DENSE = Mapping(
    "`tf.compat.v1.layers.dense(x, units, activation)`", "`keras.layers.Dense(units, activation)`",
    "Glorot-uniform kernel, zero bias in both. The TF1 layer takes its initializer seed from "
    "Python's `random` (through tf-keras), not from `tf.compat.v1.set_random_seed`.",
    tf1_code="tf.compat.v1.layers.dense", keras_code="keras.layers.Dense",
    defaults=(Default("use_bias", "tf.compat.v1.layers.dense.use_bias",
                      "keras.layers.Dense.use_bias"),))
CONV2D = Mapping(
    "`tf.compat.v1.layers.conv2d(x, filters, kernel_size)`",
    "`keras.layers.Conv2D(filters, kernel_size)`", "Channels-last input in both.",
    tf1_code="tf.compat.v1.layers.conv2d", keras_code="keras.layers.Conv2D",
    defaults=(Default("padding", "tf.compat.v1.layers.conv2d.padding",
                      "keras.layers.Conv2D.padding"),
              Default("strides", "tf.compat.v1.layers.conv2d.strides",
                      "keras.layers.Conv2D.strides")))
MAX_POOL = Mapping(
    "`tf.compat.v1.layers.max_pooling2d(x, pool_size, strides)`",
    "`keras.layers.MaxPooling2D(pool_size)`",
    "TF1 must be given `strides`; Keras's `None` means the pool size.",
    tf1_code="tf.compat.v1.layers.max_pooling2d", keras_code="keras.layers.MaxPooling2D",
    defaults=(Default("strides", "tf.compat.v1.layers.max_pooling2d.strides",
                      "keras.layers.MaxPooling2D.strides"),))
FLATTEN = Mapping("`tf.compat.v1.layers.flatten(x)`", "`keras.layers.Flatten()`",
                  tf1_code="tf.compat.v1.layers.flatten", keras_code="keras.layers.Flatten")
SOFTMAX_XENT_LOGITS = Mapping(
    "`tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=Y, logits=...))`",
    "`keras.losses.CategoricalCrossentropy(from_logits=True)`",
    "Keras averages over the batch itself.", tf1_code="tf.nn.softmax_cross_entropy_with_logits",
    keras_code="keras.losses.CategoricalCrossentropy(from_logits=True)")
SOFTMAX_XENT_STRING = Mapping(
    "`tf.nn.softmax_cross_entropy_with_logits` on a linear last layer",
    "`Dense(10, activation=\"softmax\")` and `loss=\"categorical_crossentropy\"`",
    "The Keras loss is given probabilities, yet computes from the logits that Keras keeps on "
    "the softmax output, so both ports compute the same loss.",
    tf1_code="tf.nn.softmax_cross_entropy_with_logits", keras_code="\"categorical_crossentropy\"")
SPARSE_XENT = Mapping(
    "`tf.nn.sparse_softmax_cross_entropy_with_logits(labels=Y, logits=...)`",
    "`Dense(10, activation=\"softmax\")` and `loss=\"sparse_categorical_crossentropy\"`",
    "Integer labels in both; Keras computes from the logits kept on the softmax output.",
    tf1_code="tf.nn.sparse_softmax_cross_entropy_with_logits",
    keras_code="\"sparse_categorical_crossentropy\"")
SIGMOID_XENT = Mapping(
    "`tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=...)`",
    "`Dense(1, activation=\"sigmoid\")` and `loss=\"binary_crossentropy\"`",
    "Keras computes from the logits kept on the sigmoid output.",
    tf1_code="tf.nn.sigmoid_cross_entropy_with_logits", keras_code="\"binary_crossentropy\"")
MSE = Mapping(
    "`tf.compat.v1.losses.mean_squared_error(labels, predictions)`",
    "`loss=\"mean_squared_error\"`", "Both average over every element of the batch.",
    tf1_code="tf.compat.v1.losses.mean_squared_error", keras_code="\"mean_squared_error\"")
GRADIENT_DESCENT = Mapping(
    "`tf.compat.v1.train.GradientDescentOptimizer(lr).minimize(loss)`",
    "`keras.optimizers.SGD(lr)` in `model.compile`",
    "Keras's SGD with its default momentum 0 makes the same update.",
    tf1_code="tf.compat.v1.train.GradientDescentOptimizer", keras_code="keras.optimizers.SGD",
    defaults=(Default("momentum", "tf.compat.v1.train.GradientDescentOptimizer.momentum",
                      "keras.optimizers.SGD.momentum"),))
ADAM = Mapping(
    "`tf.compat.v1.train.AdamOptimizer(lr).minimize(loss)`",
    "`keras.optimizers.Adam(lr)` in `model.compile`",
    "The epsilons differ: `tfport verify` measures how far one step then moves the two "
    "ports apart, and that they agree once epsilon is matched.",
    tf1_code="tf.compat.v1.train.AdamOptimizer", keras_code="keras.optimizers.Adam",
    defaults=(Default("epsilon", "tf.compat.v1.train.AdamOptimizer.epsilon",
                      "keras.optimizers.Adam.epsilon"),
              Default("beta 1", "tf.compat.v1.train.AdamOptimizer.beta1",
                      "keras.optimizers.Adam.beta_1"),
              Default("beta 2", "tf.compat.v1.train.AdamOptimizer.beta2",
                      "keras.optimizers.Adam.beta_2")))
INITIALIZER = Mapping(
    "`sess.run(tf.compat.v1.global_variables_initializer())`", "(nothing)",
    "A Keras layer creates and initialises its weights when the model is built.",
    tf1_code="tf.compat.v1.global_variables_initializer", keras_code=None)
SEED = Mapping(
    "`tf.compat.v1.set_random_seed(seed)` (and `random.seed` for `tf.compat.v1.layers`)",
    "`keras.utils.set_random_seed(seed)`",
    "Keras's call seeds Python, NumPy and TensorFlow at once.",
    tf1_code="tf.compat.v1.set_random_seed", keras_code="keras.utils.set_random_seed")
GRAPH_EAGER = Mapping(
    "`tf.Graph()`, `tf.compat.v1.Session(graph=graph)`", "(nothing: Keras 3 runs eagerly)",
    "Each TF1 port builds its own graph, so it can run twice in one process.",
    tf1_code="tf.compat.v1.Session", keras_code=None)
GRAPH_SESSION = dataclasses.replace(GRAPH_EAGER, keras="the `keras.Model` object",
                                    keras_code="keras.Model")
FEED_TRAIN = Mapping(
    "`sess.run([train_op, loss], feed_dict={X: x, Y: y})` in a loop over batches",
    "`model.fit(x, y, batch_size=..., epochs=...)`",
    "`fit` reshuffles every epoch unless told not to; the TF1 mini-batch loops reshuffle "
    "too, in another random order.", tf1_code="feed_dict=", keras_code=".fit(",
    defaults=(Default("fit shuffle", "keras.Model.fit.shuffle", "keras.Model.fit.shuffle"),))
FULL_BATCH_STEP = Mapping(
    "`sess.run([train_op, loss], feed_dict={X: x, Y: y})`, one full-batch step a call",
    "`model.train_on_batch(x, y)`",
    "One gradient step on the batch given, no epoch machinery; `fit(x, y, "
    "batch_size=len(x))` would make every step an epoch, with an epoch's set-up.",
    tf1_code="feed_dict=", keras_code=".train_on_batch(")
EVALUATE = Mapping(
    "`sess.run([loss, accuracy], feed_dict={X: x_test, Y: y_test})`",
    "`model.evaluate(x_test, y_test)`",
    "Both average the batches weighted by their size (the TF1 ports feed batches of 1,000).",
    tf1_code="def evaluate", keras_code=".evaluate(")
PREDICT = Mapping("`sess.run(output, feed_dict={X: x})`", "`model.predict(x)`",
                  tf1_code="def predict", keras_code=".predict(")
TRAINABLE = Mapping("`tf.compat.v1.trainable_variables()`",
                    "`model.count_params()` / `model.trainable_weights`",
                    tf1_code="tf.compat.v1.trainable_variables", keras_code="count_params()")
TRAINABLE_EAGER = Mapping(
    "`tf.compat.v1.trainable_variables()`", "the variables themselves",
    "Eager code holds its variables; nothing collects them in a graph.",
    tf1_code="tf.compat.v1.trainable_variables", keras_code='(model["W"], model["b"])')
SAVER = Mapping(
    "`tf.compat.v1.train.Saver().save(sess, path)`", "`model.save_weights(\"*.weights.h5\")`",
    "`tfport convert-checkpoint` turns a TF1 port's checkpoint into Keras weights.",
    tf1_code="tf.compat.v1.train.Saver", keras_code=None)
GET_VARIABLE = Mapping(
    "`tf.compat.v1.get_variable(name, shape)`", "`keras.layers.Dense(units, use_bias=False)`",
    "Glorot-uniform in both, but `get_variable` draws from the graph seed: the two ports do "
    "not start from the same weights.", tf1_code="tf.compat.v1.get_variable",
    keras_code="use_bias=False")
GRADIENTS = Mapping(
    "`tf.compat.v1.gradients(loss, variables)`",
    "`value_and_grad(loss_fn, values)` (tfport.backends)",
    "Keras 3 has no backend-neutral gradient function: by backend, `tf.GradientTape`, "
    "`jax.value_and_grad` or `torch.autograd.grad`, chosen in one place.",
    tf1_code="tf.compat.v1.gradients", keras_code="value_and_grad(")
ASSIGN_SUB_HAND = Mapping(
    "`tf.compat.v1.assign_sub(w, lr * gradient)`",
    "`fit` with `SGD(lr)`, the gradients given by `compute_loss`",
    "A custom `train_step` has another signature on JAX (stateless) than on TensorFlow and "
    "PyTorch; `compute_loss` is called alike by all three: autodiff of Σ stop_gradient(g)·w "
    "gives g exactly.", tf1_code="tf.compat.v1.assign_sub", keras_code="def compute_loss(")
VARIABLE = Mapping("`tf.Variable(value)` and `w.assign_sub(...)` in the graph",
                   "`keras.Variable(value)` and `w.assign_sub(...)`",
                   tf1_code="tf.Variable", keras_code="keras.Variable")


def rows(example_id: str) -> tuple[Mapping, ...]:
    """The mapping rows of one example, in the order its code uses them."""
    from tfport.examples import check_example

    return check_example(example_id).mapping_rows


def table(example_id: str | None = None) -> str:
    """The Markdown mapping table of one example, or with None of every row any example uses,
    once, in first-use order (docs/mapping.md's table)."""
    from tfport.examples import EXAMPLES

    every: dict[str, Mapping] = {}
    for example in EXAMPLES.values():
        for row in example.mapping_rows:
            every.setdefault(row.tf1, row)
    chosen = list(every.values()) if example_id is None else rows(example_id)
    body = [[row.tf1, row.keras, describe_defaults(row.defaults), row.note] for row in chosen]
    return markdown_table(["TF1 (`legacy_tf1`)", "Keras 3 (`keras_models`)",
                           "defaults, TF1 vs Keras (read from the installed APIs)", "note"], body)


def describe_defaults(defaults: tuple[Default, ...]) -> str:
    """'epsilon 1e-08 vs 1e-07 (differs); beta 1 0.9 vs 0.9' from the live signatures."""
    parts = []
    for default in defaults:
        tf1_value = default_value(*default.tf1.rsplit(".", 1))
        keras_value = default_value(*default.keras.rsplit(".", 1))
        same = "" if tf1_value in (keras_value, "not an argument") else " (differs)"
        parts.append(f"{default.argument} {tf1_value} vs {keras_value}{same}"
                     if default.tf1 != default.keras else f"{default.argument} {keras_value}")
    return "; ".join(parts)


def default_value(path: str, argument: str) -> str:
    """The default of `argument` in the signature of the object at `path`: 'required' if none,
    'not an argument' if it lacks one (GradientDescentOptimizer has no momentum)."""
    from tfport import runtime

    runtime.use_legacy_keras()  # tf.compat.v1.layers load on tf-keras
    module_name, _, attribute_path = path.partition(".")
    target = importlib.import_module({"tf": "tensorflow"}.get(module_name, module_name))
    for attribute in attribute_path.split("."):
        target = getattr(target, attribute)
    parameters = inspect.signature(target).parameters
    if argument not in parameters:
        return "not an argument"
    value = parameters[argument].default
    return "required" if value is inspect.Parameter.empty else repr(value)
