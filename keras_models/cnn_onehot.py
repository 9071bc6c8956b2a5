"""cnn_onehot in Keras 3: article 001's `create_cnn_model`, trained on one-hot labels.

Article 001 (lines 134-171) defines `create_cnn_model(input_shape)`: Conv2D(32, 3x3, relu)
-> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax), compiles it with
Adam and categorical cross-entropy, fits for 5 epochs in batches of 64 with
`validation_data=(x_val, y_val)`, and evaluates on the test set. It claims no figure.

What changed against the article:
- `tf.keras` becomes `import keras` (Keras 3); `keras.Input(shape=...)` replaces the
  `input_shape=` argument, which Keras 3 warns about.
- The snippet never loads data. MNIST comes from `tfport.data`, scaled to [0, 1], with the
  channel axis the model's (28, 28, 1) input asks for, and one-hot labels, since
  `categorical_crossentropy` needs them.
- `x_val, y_val` are never made: `train` holds out the first 1/12 of the training images
  (5,000 of 60,000), as TensorFlow 1's own `input_data.read_data_sets` did, and trains on
  the rest. The test set stays untouched until `evaluate`. (`validation_split=1/12` would
  hold out the *last* 1/12 instead.)
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from keras_models import program
from tfport import data
from tfport.contract import History
from tfport.profiles import Profile
from tfport.results import RunResult

num_classes = 10


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and one-hot labels."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (28, 28, 1))
    return (x_train, keras.utils.to_categorical(digits_train, num_classes),
            x_test, keras.utils.to_categorical(digits_test, num_classes))


def create_cnn_model(input_shape: tuple[int, int, int]) -> keras.Model:
    """The article's function, in Keras 3."""
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    return model


def build_model(profile: Profile) -> keras.Model:
    """`create_cnn_model` compiled as the article compiles it (Adam, categorical cross-entropy)."""
    model = create_cnn_model(input_shape=(28, 28, 1))
    model.compile(optimizer=keras.optimizers.Adam(profile.learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
          verbose: int = 1) -> History:
    """`fit` with validation after every epoch; returns the per-epoch history."""
    # Fix: the article fits with validation_data=(x_val, y_val) but never makes them.
    validation_size = len(x_train) // 12
    x_val, y_val = x_train[:validation_size], y_train[:validation_size]
    x_train, y_train = x_train[validation_size:], y_train[validation_size:]

    # 训练模型 (train, validating after each epoch)
    history = model.fit(x_train, y_train, epochs=profile.epochs, batch_size=profile.batch_size,
                        validation_data=(x_val, y_val), shuffle=profile.shuffle, verbose=verbose)
    return history.history


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train with validation, evaluate on the test set."""
    # 评估模型 (keras_models/program.py: seed, build, fit, evaluate)
    return program.run_program("cnn_onehot", load_data, build_model, train,
                               profile, seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("cnn_onehot", run))
