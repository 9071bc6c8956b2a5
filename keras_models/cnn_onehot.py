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
- `x_val, y_val` are never made: the first 1/12 of the training images (5,000 of 60,000)
  are held out, as TensorFlow 1's own `input_data.read_data_sets` did; the model trains on
  the rest. The test set stays untouched until `evaluate`.
- `compile(..., steps_per_execution=100)`: the same training steps with fewer trips through
  Python, which made this port slower than the TF1 one (`tfport bench` measures it).
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from tfport import data
from tfport.profiles import Profile
from tfport.results import RunResult, make_result, prediction_summary

# Speed, not maths: `fit` runs this many training steps per call of its compiled training
# function, so Python's per-step overhead is paid once per 100 steps instead of every step
# (keras.io suggests it for small models). The steps and their results are the same;
# `tfport bench` and benchmarks/profile_ops.py measure what it saves.
steps_per_execution = 100

num_classes = 10


def load_data(profile: Profile) -> tuple[np.ndarray, ...]:
    """Training, validation (the first 1/12 of training) and test sets; one-hot labels."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32")[..., np.newaxis] / 255.0
    x_test = mnist.x_test.astype("float32")[..., np.newaxis] / 255.0
    y_train = keras.utils.to_categorical(mnist.y_train, num_classes)
    y_test = keras.utils.to_categorical(mnist.y_test, num_classes)
    # Fix: the article fits with validation_data=(x_val, y_val) but never makes them.
    validation_size = len(x_train) // 12
    x_val, y_val = x_train[:validation_size], y_train[:validation_size]
    x_train, y_train = x_train[validation_size:], y_train[validation_size:]
    return x_train, y_train, x_val, y_val, x_test, y_test


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


def build_model(learning_rate: float) -> keras.Model:
    """`create_cnn_model` compiled as the article compiles it (Adam, categorical cross-entropy)."""
    model = create_cnn_model(input_shape=(28, 28, 1))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="categorical_crossentropy", metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    return model


def tf1_variables(model: keras.Model) -> dict[str, keras.Variable]:
    """Which variable of the TF1 port's graph each weight of this model is (`tfport verify`)."""
    conv, _, _, hidden, output = model.layers
    return {"conv2d/kernel": conv.kernel, "conv2d/bias": conv.bias,
            "dense/kernel": hidden.kernel, "dense/bias": hidden.bias,
            "dense_1/kernel": output.kernel, "dense_1/bias": output.bias}


def train_step(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """One Adam step on the batch (x, y); returns its loss before the update."""
    return float(model.train_on_batch(x, y, return_dict=True)["loss"])


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, x_val: np.ndarray,
          y_val: np.ndarray, profile: Profile, verbose: int = 1) -> dict[str, list[float]]:
    """`fit` with validation after every epoch; returns the per-epoch history."""
    # 训练模型 (train, validating after each epoch)
    history = model.fit(x_train, y_train, epochs=profile.epochs, batch_size=profile.batch_size,
                        validation_data=(x_val, y_val), verbose=verbose)
    return history.history


def evaluate(model: keras.Model, x: np.ndarray, y: np.ndarray,
             batch_size: int = 1000) -> tuple[float, float]:
    """Loss and accuracy on (x, y)."""
    loss, accuracy = model.evaluate(x, y, batch_size=batch_size, verbose=0)
    return loss, accuracy


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Class probabilities for `x`."""
    return model.predict(x, batch_size=1000, verbose=0)


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train with validation, evaluate on the test set."""
    start = time.perf_counter()
    x_train, y_train, x_val, y_val, x_test, y_test = load_data(profile)

    keras.utils.set_random_seed(seed)
    model = build_model(profile.learning_rate)

    train_start = time.perf_counter()
    history = train(model, x_train, y_train, x_val, y_val, profile, verbose)
    train_time = time.perf_counter() - train_start

    # 评估模型 (evaluate)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
    test_predictions = predict(model, x_test)
    if verbose:
        print("Test accuracy:", test_accuracy)

    return make_result(
        example="cnn_onehot", api="keras", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=history["loss"],
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=model.count_params(),
        extra={**prediction_summary(y_test, test_predictions),
               "val_accuracy": [float(a) for a in history["val_accuracy"]],
               "val_loss": [float(loss) for loss in history["val_loss"]],
               "validation_size": len(x_val)},
    )
