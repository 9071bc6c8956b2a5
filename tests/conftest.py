"""Shared test set-up: small profiles, and TensorFlow started as the CLI starts it."""

from __future__ import annotations

import pytest

from tfport import runtime
from tfport.profiles import Profile

runtime.quiet_start()  # TensorFlow's start-up lines stay out of the test output
runtime.use_legacy_keras()  # for tests that build TF1 graphs without the ports' scaffold

# Tiny profiles: enough to exercise every code path in a second or two, not to learn.
TINY = {
    "mlp_gd": Profile("tiny", epochs=3, batch_size=None, learning_rate=0.01,
                      train_size=500, test_size=200),
    "cnn_sparse": Profile("tiny", epochs=1, batch_size=32, learning_rate=0.001,
                          train_size=320, test_size=200),
    "cnn_onehot": Profile("tiny", epochs=1, batch_size=64, learning_rate=0.001,
                          train_size=384, test_size=200),
    "cnn_mse_sgd": Profile("tiny", epochs=2, batch_size=None, learning_rate=0.001,
                           train_size=500, test_size=200),
    "backprop": Profile("tiny", epochs=1, batch_size=32, learning_rate=0.5,
                        train_size=320, test_size=200),
    "binary_mlp": Profile("tiny", epochs=1, batch_size=32, learning_rate=0.001,
                          train_size=320, test_size=200),
    "sigmoid_step": Profile("tiny", epochs=1, batch_size=None, learning_rate=0.1),
}

# Examples with nothing random in them (fixed weights, no data order): a seed changes nothing.
DETERMINISTIC = {"sigmoid_step"}


@pytest.fixture
def tiny_profile():
    return TINY
