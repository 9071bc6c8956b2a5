"""cnn_sparse in Keras 3: the article's MNIST CNN script, kept as written where it runs.

Article 002 (lines 205-244) gives a Keras script: scale MNIST to [0, 1], Conv2D(32, 3x3,
relu) -> MaxPooling2D(2x2) -> Flatten -> Dense(128, relu) -> Dense(10, softmax), Adam with
sparse categorical cross-entropy, `fit(epochs=5)`, `evaluate`, and the first 10
predictions. It claims 95.2% test accuracy (lines 187-188, 252).

What changed against the article:
- `from tensorflow import keras` becomes `import keras` (Keras 3).
- MNIST comes from `tfport.data` instead of `keras.datasets.mnist.load_data()` (which is
  still what the loader uses when no local file is configured).
- The images get the channel axis that `input_shape=(28, 28, 1)` asks for; the article fed
  (n, 28, 28) arrays, which a Conv2D expecting (28, 28, 1) does not accept.
- `keras.Input(shape=...)` replaces the `input_shape=` argument, which Keras 3 warns about.
- The learning rate and epochs come from the profile; `Adam(0.001)` is the `'adam'` default.
- Nothing is added for speed: `fit` runs one step per call of its training function, as
  the article's script does. `tfport bench` times the faster settings as named variants.
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


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and integer labels."""
    # 数据预处理 (scale pixels to [0, 1])
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32") / 255.0
    x_test = mnist.x_test.astype("float32") / 255.0
    # Fix: the article fed (n, 28, 28); the model's input is (28, 28, 1).
    x_train, x_test = x_train[..., np.newaxis], x_test[..., np.newaxis]
    return x_train, mnist.y_train.astype("int64"), x_test, mnist.y_test.astype("int64")


def cnn() -> keras.Sequential:
    """The article's CNN, softmax output included, as its script builds it."""
    # 模型构建 (conv 3x3x32 relu -> max-pool 2x2 -> flatten -> dense 128 relu -> dense 10)
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def build_model(profile: Profile) -> keras.Model:
    """The article's CNN, compiled as the article compiles it."""
    model = cnn()
    # 模型编译 (Adam on sparse categorical cross-entropy; accuracy for evaluation)
    model.compile(optimizer=keras.optimizers.Adam(profile.learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
          verbose: int = 1) -> History:
    """`fit` with Keras's defaults (shuffled every epoch); returns the mean loss per epoch."""
    history = model.fit(x_train, y_train, epochs=profile.epochs, batch_size=profile.batch_size,
                        shuffle=profile.shuffle, verbose=verbose)
    return history.history


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train, evaluate, and print the first 10 predictions."""
    # 模型训练, 模型评估 (keras_models/program.py: seed, build, fit, evaluate)
    ran = program.run_program("cnn_sparse", load_data, build_model, train, profile, seed, verbose)
    # 模型应用 (predict; the first 10 test predictions, as the article prints them)
    predictions, y_test = ran.predictions[:10], ran.y_test[:10]
    if verbose:
        for i in range(10):
            print(f"Test sample {i + 1}: predicted {predictions[i].argmax()} "
                  f"(label {y_test[i]}), probabilities {np.round(predictions[i], 3)}")
    return ran.result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("cnn_sparse", run))
