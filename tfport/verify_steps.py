"""Both ports of an example driven side by side, for `tfport verify` (tfport/verify.py).

`load_steps` loads each port's data (and checks that the two loaded the same), takes the
first samples of the training set, and gives a `Steps`: one forward pass and one training
step in each API through the ports' own functions, and the Keras model holding given
weights. The checks in tfport/verify.py and tfport/verify_bert.py compare what these
return.
"""

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
    """One example's forward pass and training step in each API, through the ports' own
    functions (sigmoid_step, one neuron with no data set, steps by its `gradient_step`).

    `x` is what the TF1 port feeds, `keras_x` what the Keras port fits on (the same arrays,
    but for bert_classifier: token features against the sentences). The models are built
    for `steps` epochs (`built`), so that a learning-rate schedule spans the K steps; each
    step trains one of them (`profile`)."""

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
    """Both ports' first `samples` training samples of the `data` profile's data (quick by
    default), one step per `train` call, and the check that the two ports loaded the same."""
    quick = get_profile(example_id, data)
    (x, keras_x, y, test), data_check = _load_data(example_id, quick, tf1, new)
    x, keras_x, y = x[:samples], keras_x[:samples], y[:samples]
    # One step per call of `train`: one epoch whose one batch is all the samples; dropout off
    # (bert_classifier), so that the same weights take the same step.
    profile = dataclasses.replace(quick, epochs=1, batch_size=quick.batch_size and len(x),
                                  train_size=len(x), dropout=False)
    stepper = Steps(example_id, tf1, new, profile, x, keras_x, y, seed, steps)
    if test is not None:  # sigmoid_step has no test set
        stepper.x_test, stepper.keras_x_test, stepper.y_test = test
    return stepper, data_check


def _load_data(example_id: str, profile: Profile, tf1: TF1Port,
               new: KerasPort) -> tuple[tuple, Check]:
    """The training inputs of each port and the labels, the test set likewise (TF1 inputs,
    Keras inputs, labels), and a check that both ports load the same data: the same arrays, or (bert_classifier) the sentences that KerasHub's
    preprocessor turns into the TF1 port's token features, id for id."""
    example = check_example(example_id)
    if example.one_neuron:  # the article's one sample, written into both ports
        loaded = [(np.array([port.x_values]), np.array([[port.y_value]])) for port in (tf1, new)]
    else:
        loaded = [port.load_data(profile) for port in (tf1, new)]
    tf1_arrays, keras_arrays = loaded
    compared = list(keras_arrays)
    if example.text:  # the Keras model tokenizes the sentences itself
        preprocessor = new.build_model(profile).preprocessor
        for index in (0, 2):  # the sentences, as the TF1 port's [n, 3, length] features
            features = preprocessor(keras_arrays[index])
            compared[index] = np.stack([np.asarray(features[name]).astype("int32") for name in
                                        ("token_ids", "padding_mask", "segment_ids")], axis=1)
    difference = max(max_difference(a, b) for a, b in zip(tf1_arrays, compared))
    if len(tf1_arrays) != len(keras_arrays):
        difference = float("inf")
    test = (tf1_arrays[2], keras_arrays[2], tf1_arrays[3]) if len(tf1_arrays) == 4 else None
    return (tf1_arrays[0], keras_arrays[0], tf1_arrays[1], test), Check(
        "data: the same arrays, training and test", difference, 0.0)
