"""cnn_mse_sgd in Keras 3: article 002's training recipe, run exactly as described.

Article 002 describes in prose (lines 168-188) how it trained its MNIST CNN: mean squared
error as the loss, stochastic gradient descent with learning rate 0.001, 100 epochs, each
step on the whole training set, and it reports 95.2% test accuracy. No code is given; the
network is the article's own CNN (lines 219-225): Conv2D(32, 3x3, relu) -> MaxPooling2D(2x2)
-> Flatten -> Dense(128, relu) -> Dense(10, softmax).

In Keras the recipe is `compile(SGD(0.001), "mean_squared_error")` and `fit` with
`batch_size` equal to the training set, so that every epoch is one full-batch step. Nothing
is tuned to make it look better: the point is to measure it.

What changed:
- MNIST comes from `tfport.data`, scaled to [0, 1], with a channel axis and one-hot labels
  (MSE needs targets of the output's shape). Keras's `MeanSquaredError` (mean over classes,
  then over the batch) equals `tf.compat.v1.losses.mean_squared_error` (mean over all
  entries) for equal-sized rows.
- One step on all 60,000 images at once needs about 16 GB of memory and runs slowly here,
  so `fit` feeds equal chunks of `chunk_size` images and the optimizer's
  `gradient_accumulation_steps` applies the mean of their gradients once per epoch: the
  same full-batch gradient-descent step (up to float summation order).
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np

from tfport import data
from tfport.profiles import Profile
from tfport.results import RunResult, make_result, prediction_summary

num_classes = 10
chunk_size = 1000  # images per gradient chunk; a full-batch step sums over all chunks


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and one-hot targets."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.astype("float32")[..., np.newaxis] / 255.0
    x_test = mnist.x_test.astype("float32")[..., np.newaxis] / 255.0
    y_train = keras.utils.to_categorical(mnist.y_train, num_classes)
    y_test = keras.utils.to_categorical(mnist.y_test, num_classes)
    return x_train, y_train, x_test, y_test


def build_model(learning_rate: float, train_size: int | None = None) -> keras.Model:
    """The article's CNN with a softmax output, MSE loss and plain gradient descent."""
    # 模型构建 (conv 3x3x32 relu -> max-pool 2x2 -> flatten -> dense 128 relu -> dense 10 softmax)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])

    # 模型训练 (mean squared error, gradient descent at learning rate 0.001)
    # Memory fix: accumulate each chunk's gradient, then apply their mean in one step.
    chunks = train_size // _chunk_size(train_size) if train_size else 1
    optimizer = keras.optimizers.SGD(learning_rate,
                                     gradient_accumulation_steps=chunks if chunks > 1 else None)
    model.compile(optimizer=optimizer, loss="mean_squared_error", metrics=["accuracy"])
    return model


def tf1_variables(model: keras.Model) -> dict[str, keras.Variable]:
    """Which variable of the TF1 port's graph each weight of this model is (`tfport verify`)."""
    conv, _, _, hidden, output = model.layers
    return {"conv2d/kernel": conv.kernel, "conv2d/bias": conv.bias,
            "dense/kernel": hidden.kernel, "dense/bias": hidden.bias,
            "dense_1/kernel": output.kernel, "dense_1/bias": output.bias}


def train_step(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """One gradient-descent step on the whole of (x, y), at most 1000 samples (a model built
    with `train_size` accumulates over that many samples instead); returns its loss."""
    return float(model.train_on_batch(x, y, return_dict=True)["loss"])


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, verbose: int = 1) -> list[float]:
    """`profile.epochs` gradient steps, each on the whole training set; returns the losses."""
    # Every chunk of an epoch sees the same weights, so Keras's epoch loss (the mean over
    # chunks) is the full-batch loss.
    history = model.fit(x_train, y_train, batch_size=_chunk_size(len(x_train)),
                        epochs=profile.epochs, shuffle=False, verbose=2 if verbose else 0)
    return history.history["loss"]


def _chunk_size(train_size: int) -> int:
    chunk = min(chunk_size, train_size)
    if train_size % chunk:
        raise ValueError(f"cnn_mse_sgd needs a training-set size that is a multiple of "
                         f"{chunk_size} (equal chunks make the mean an exact full-batch "
                         f"gradient); got {train_size}")
    return chunk


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
    """Load the data, build the model, train full-batch, evaluate on the test set."""
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = load_data(profile)

    keras.utils.set_random_seed(seed)
    model = build_model(profile.learning_rate, len(x_train))

    train_start = time.perf_counter()
    losses = train(model, x_train, y_train, profile, verbose)
    train_time = time.perf_counter() - train_start

    # 模型评估 (evaluate)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
    test_predictions = predict(model, x_test)
    if verbose:
        print("Test accuracy:", test_accuracy)

    return make_result(
        example="cnn_mse_sgd", api="keras", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=model.count_params(),
        extra=prediction_summary(y_test, test_predictions),
    )
