"""Both ports of an example driven side by side for `tfport verify`: the same samples, the
same weights, each port's own forward pass, `train` and loop, and the API defaults that
differ between them."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from tfport import recipe
from tfport.bert_optimizer import AdamWeightDecay
from tfport.contract import KerasPort, TF1Port
from tfport.examples import check_example
from tfport.profiles import Profile, get_profile
from tfport.transfer import (keras_values, keras_variables, set_keras_weights, set_tf1_weights,
                             tf1_session, tf1_values)
from tfport.verify_checks import Check, max_difference

Weights = dict[str, np.ndarray]


@dataclasses.dataclass(frozen=True)
class DifferingDefault:
    """An API default that differs between TF1 and Keras, read from the APIs themselves."""

    name: str
    tf1: object
    keras: object
    match: Callable[[Any], None]  # set the TF1 value on the Keras model


def differing_defaults(model: Any) -> list[DifferingDefault]:
    """The defaults that differ between TF1 and this Keras model's, with each API's value."""
    optimizer = type(getattr(model, "optimizer", None))
    if optimizer is keras.optimizers.Adam:
        tf1_epsilon = recipe.defaults(tf.compat.v1.train.AdamOptimizer)["epsilon"]
        return [DifferingDefault("Adam epsilon", tf1_epsilon,
                                 recipe.defaults(keras.optimizers.Adam)["epsilon"],
                                 lambda model: setattr(model.optimizer, "epsilon", tf1_epsilon))]
    if optimizer is keras.optimizers.AdamW:  # against BERT's AdamWeightDecay
        return [DifferingDefault("Adam bias correction", "off (BERT's AdamWeightDecay)",
                                 "on (keras AdamW)", _without_bias_correction)]
    return []


def _without_bias_correction(model: Any) -> None:
    model.compile(optimizer=AdamWeightDecay.like(model.optimizer), loss=model.loss,
                  metrics=["accuracy"])


@dataclasses.dataclass
class Steps:
    """One example's two ports side by side on the same samples: `x` is what the TF1 port
    feeds, `keras_x` what the Keras port fits on (bert_classifier: sentences). A step is one
    call of each port's own `train` (`profile`: one epoch of one batch); the models are
    `built` for all the steps, so that a learning-rate schedule spans them."""

    example_id: str
    tf1: TF1Port
    new: KerasPort
    profile: Profile
    built: Profile
    x: np.ndarray
    keras_x: np.ndarray
    y: np.ndarray
    seed: int
    one_neuron: bool
    initial: Weights  # the TF1 graph's initial weights, which every comparison starts from
    x_test: np.ndarray | None = None  # None: sigmoid_step has no test set
    keras_x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None

    def tf1_forward(self, sess: Any, graph: Any) -> np.ndarray:
        return sess.run(graph.output, feed_dict={graph.X: self.x})

    def keras_forward(self, model: Any) -> np.ndarray:
        if self.one_neuron:
            return keras.ops.convert_to_numpy(
                keras.ops.sigmoid(keras.ops.matmul(self.x, model["W"]) + model["b"]))
        return model.predict(self.keras_x, verbose=0)

    def tf1_steps(self, sess: Any, graph: Any, steps: int,
                  profile: Profile | None = None) -> tuple[list[float], list[Weights]]:
        """`steps` calls of the TF1 port's `train` on `profile` (else one step each): each
        epoch's loss, and the weights after each call."""
        losses, weights = [], []
        for step in range(steps):
            if self.one_neuron:
                losses.append(self.tf1.gradient_step(sess, graph, self.x, self.y)["J"])
            else:
                sess.graph.seed = self.seed + step  # each step's order drawn anew, as epochs are
                losses += self.tf1.train(sess, graph, self.x, self.y, profile or self.profile,
                                         verbose=0)["loss"]
            weights.append(tf1_values(sess))
        return losses, weights

    def keras_steps(self, model: Any, steps: int,
                    profile: Profile | None = None) -> tuple[list[float], list[Weights]]:
        """`steps` calls of the Keras port's `train`, as `tf1_steps`."""
        variables, losses, weights = keras_variables(self.example_id, model), [], []
        for _ in range(steps):
            if self.one_neuron:
                losses.append(self.new.gradient_step(model, self.x, self.y)["J"])
            else:
                losses += self.new.train(model, self.keras_x, self.y, profile or self.profile,
                                         verbose=0)["loss"]
            weights.append(keras_values(variables))
        return losses, weights

    def with_weights(self, weights: Weights, tf1_run: Callable, keras_run: Callable,
                     profile: Profile | None = None,
                     match: Sequence[DifferingDefault] = ()) -> tuple[Any, Any]:
        """What `tf1_run(sess, graph)` and `keras_run(model)` give, each port's model built for
        `profile` (else `built`) and holding `weights`, the Keras one with `match` set."""
        profile = profile or self.built
        with tf1_session(self.tf1, profile, self.seed) as (sess, graph):
            set_tf1_weights(sess, weights, "the weights given")
            tf1_result = tf1_run(sess, graph)
        keras.utils.set_random_seed(self.seed)
        model = self.new.build_model(profile)
        for default in match:
            default.match(model)
        set_keras_weights(keras_variables(self.example_id, model), weights, "the weights given")
        return tf1_result, keras_run(model)


def load_steps(example_id: str, tf1: TF1Port, new: KerasPort, steps: int, seed: int,
               samples: int, data: str = "quick") -> tuple[Steps, Check]:
    """Both ports' first `samples` training samples of the `data` profile, and the check that
    both ports load the same arrays (bert_classifier: sentences that tokenize into the TF1
    port's features)."""
    quick, example = get_profile(example_id, data), check_example(example_id)
    if example.one_neuron:  # the article's one sample, written into both ports
        loaded = [(np.array([port.x_values]), np.array([[port.y_value]])) for port in (tf1, new)]
    else:
        loaded = [port.load_data(quick) for port in (tf1, new)]
    tf1_arrays, keras_arrays = loaded
    compared = list(keras_arrays)
    if example.text:  # the Keras model tokenizes the sentences itself
        preprocessor = new.build_model(quick).preprocessor
        for index in (0, 2):  # the sentences, as the TF1 port's [n, 3, length] features
            features = preprocessor(keras_arrays[index])
            compared[index] = np.stack([np.asarray(features[name]).astype("int32") for name in
                                        ("token_ids", "padding_mask", "segment_ids")], axis=1)
    difference = (max(max_difference(a, b) for a, b in zip(tf1_arrays, compared))
                  if len(tf1_arrays) == len(keras_arrays) else float("inf"))
    data_check = Check("data: the same arrays, training and test", difference, 0.0)

    x, keras_x, y = tf1_arrays[0][:samples], keras_arrays[0][:samples], tf1_arrays[1][:samples]
    # One step per call of `train`: one epoch whose one batch is all the samples; dropout off
    # (bert_classifier), so that the same weights take the same step.
    profile = dataclasses.replace(quick, epochs=1, batch_size=quick.batch_size and len(x),
                                  train_size=len(x), dropout=False)
    built = dataclasses.replace(profile, epochs=steps)
    with tf1_session(tf1, built, seed) as (sess, _):
        initial = tf1_values(sess)
    test = (tf1_arrays[2], keras_arrays[2], tf1_arrays[3]) if len(tf1_arrays) == 4 else ()
    return Steps(example_id, tf1, new, profile, built, x, keras_x, y, seed, example.one_neuron,
                 initial, *test), data_check
