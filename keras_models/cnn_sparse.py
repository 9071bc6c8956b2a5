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


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and integer labels."""
    # 数据预处理 (scale pixels to [0, 1])
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32") / 255.0
    x_test = mnist.x_test.astype("float32") / 255.0
    # Fix: the article fed (n, 28, 28); the model's input is (28, 28, 1).
    x_train, x_test = x_train[..., np.newaxis], x_test[..., np.newaxis]
    return x_train, mnist.y_train.astype("int64"), x_test, mnist.y_test.astype("int64")


def build_model(learning_rate: float) -> keras.Model:
    """The article's CNN, compiled as the article compiles it."""
    # 模型构建 (conv 3x3x32 relu -> max-pool 2x2 -> flatten -> dense 128 relu -> dense 10)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])

    # 模型编译 (Adam on sparse categorical cross-entropy; accuracy for evaluation)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"],
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


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, verbose: int = 1) -> list[float]:
    """`fit` with Keras's defaults (shuffled every epoch); returns mean loss per epoch."""
    history = model.fit(x_train, y_train, epochs=profile.epochs, batch_size=profile.batch_size,
                        verbose=verbose)
    return history.history["loss"]


def evaluate(model: keras.Model, x_test: np.ndarray, y_test: np.ndarray,
             batch_size: int = 1000) -> tuple[float, float]:
    """Test loss and accuracy."""
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0)
    return test_loss, test_accuracy


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Class probabilities for `x`."""
    return model.predict(x, batch_size=1000, verbose=0)


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train, evaluate, and print the first 10 predictions."""
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = load_data(profile)

    keras.utils.set_random_seed(seed)
    model = build_model(profile.learning_rate)

    # 模型训练 (train)
    train_start = time.perf_counter()
    losses = train(model, x_train, y_train, profile, verbose)
    train_time = time.perf_counter() - train_start

    # 模型评估 (evaluate)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
    test_predictions = predict(model, x_test)

    # 模型应用 (predict)
    predictions = predict(model, x_test[:10])
    param_count = model.count_params()
    if verbose:
        print("Test accuracy:", test_accuracy)
        # 输出预测结果 (the first 10 predictions)
        for i in range(10):
            print(f"Test sample {i + 1}: predicted {predictions[i].argmax()} "
                  f"(label {y_test[i]}), probabilities {np.round(predictions[i], 3)}")

    return make_result(
        example="cnn_sparse", api="keras", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra={**prediction_summary(y_test, test_predictions),
               "first_10_predictions": predictions.argmax(axis=1).tolist(),
               "first_10_labels": y_test[:10].tolist()},
    )
