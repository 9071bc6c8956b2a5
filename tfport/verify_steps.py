"""Both ports of an example driven side by side for `tfport verify`: data, forward, one step."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Sequence

import keras
import numpy as np

from tfport.contract import KerasPort, TF1Port
from tfport.examples import check_example
from tfport.profiles import Profile, get_profile
from tfport.transfer import keras_variables, set_keras_weights
from tfport.verify_checks import Check, max_difference

if TYPE_CHECKING:
    from tfport.verify import DifferingDefault


class Steps:
    """One example's forward pass and training step in each API, through the ports' own functions.

    `x` is what the TF1 port feeds, `keras_x` what the Keras port fits on (bert_classifier:
    sentences, not token features). The models are built for `steps` epochs (`built`), so
    that a learning-rate schedule spans them; each step trains one (`profile`)."""

    def __init__(self, example_id: str, tf1: TF1Port, new: KerasPort, profile: Profile,
                 x: np.ndarray, keras_x: np.ndarray, y: np.ndarray, seed: int, steps: int):
        self.example_id, self.tf1, self.new = example_id, tf1, new
        self.profile, self.x, self.keras_x, self.y, self.seed = profile, x, keras_x, y, seed
        self.built = dataclasses.replace(profile, epochs=steps)
        self.one_neuron = check_example(example_id).one_neuron

    def tf1_forward(self, sess: Any, graph: Any) -> np.ndarray:
        return sess.run(graph.output, feed_dict={graph.X: self.x})

    def keras_forward(self, model: Any) -> np.ndarray:
        if self.one_neuron:
            return keras.ops.convert_to_numpy(
                keras.ops.sigmoid(keras.ops.matmul(self.x, model["W"]) + model["b"]))
        return model.predict(self.keras_x, verbose=0)

    def tf1_step(self, sess: Any, graph: Any, step: int) -> float:
        if self.one_neuron:
            return self.tf1.gradient_step(sess, graph, self.x, self.y)["J"]
        sess.graph.seed = self.seed + step  # each step's order drawn anew, as epochs are
        history = self.tf1.train(sess, graph, self.x, self.y, self.profile, verbose=0)
        return history["loss"][0]

    def keras_step(self, model: Any) -> float:
        if self.one_neuron:
            return self.new.gradient_step(model, self.x, self.y)["J"]
        return self.new.train(model, self.keras_x, self.y, self.profile, verbose=0)["loss"][0]

    def keras_model(self, profile: Profile, weights: dict[str, np.ndarray],
                    match: Sequence[DifferingDefault]) -> tuple[Any, dict]:
        """The Keras port's model built for `profile`, its defaults matched, holding `weights`."""
        keras.utils.set_random_seed(self.seed)
        model = self.new.build_model(profile)
        for default in match:
            default.match(model)
        variables = keras_variables(self.example_id, model)
        set_keras_weights(variables, weights, "the TF1 graph's initial weights")
        return model, variables


def load_steps(example_id: str, tf1: TF1Port, new: KerasPort, steps: int, seed: int,
               samples: int, data: str = "quick") -> tuple[Steps, Check]:
    """Both ports' first `samples` training samples of the `data` profile, one step per `train`
    call, and the check that both ports load the same arrays (bert_classifier: sentences that
    tokenize into the TF1 port's features)."""
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
    difference = max(max_difference(a, b) for a, b in zip(tf1_arrays, compared))
    if len(tf1_arrays) != len(keras_arrays):
        difference = float("inf")
    data_check = Check("data: the same arrays, training and test", difference, 0.0)

    x, keras_x, y = tf1_arrays[0][:samples], keras_arrays[0][:samples], tf1_arrays[1][:samples]
    # One step per call of `train`: one epoch whose one batch is all the samples; dropout off
    # (bert_classifier), so that the same weights take the same step.
    profile = dataclasses.replace(quick, epochs=1, batch_size=quick.batch_size and len(x),
                                  train_size=len(x), dropout=False)
    stepper = Steps(example_id, tf1, new, profile, x, keras_x, y, seed, steps)
    if len(tf1_arrays) == 4:  # sigmoid_step has no test set
        stepper.x_test, stepper.keras_x_test, stepper.y_test = (tf1_arrays[2], keras_arrays[2],
                                                                tf1_arrays[3])
    return stepper, data_check
