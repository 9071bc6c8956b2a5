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

from pathlib import Path

import keras
import numpy as np

from keras_models import program
from keras_models.cnn_sparse import cnn
from tfport import data
from tfport.contract import History
from tfport.profiles import Profile
from tfport.results import RunResult

num_classes = 10
chunk_size = 1000  # images per gradient chunk; a full-batch step sums over all chunks


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST scaled to [0, 1], with a channel axis, and one-hot targets (MSE needs them)."""
    x_train, digits_train, x_test, digits_test = data.scaled_mnist(profile, (28, 28, 1))
    return (x_train, keras.utils.to_categorical(digits_train, num_classes),
            x_test, keras.utils.to_categorical(digits_test, num_classes))


def build_model(profile: Profile) -> keras.Model:
    """The article's CNN with a softmax output, MSE loss and plain gradient descent."""
    # 模型构建 (the article's one CNN, lines 219-225, as cnn_sparse builds it; softmax output)
    model = cnn()

    # 模型训练 (mean squared error, gradient descent at learning rate 0.001)
    # Memory fix: accumulate each chunk's gradient, then apply their mean in one step.
    train_size = profile.train_size or data.MNIST_TRAIN_SIZE
    chunks = train_size // _chunk_size(train_size)
    optimizer = keras.optimizers.SGD(profile.learning_rate,
                                     gradient_accumulation_steps=chunks if chunks > 1 else None)
    model.compile(optimizer=optimizer, loss="mean_squared_error", metrics=["accuracy"])
    return model


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
          verbose: int = 1) -> History:
    """`profile.epochs` gradient steps, each on the whole training set, a chunk at a time;
    returns the losses."""
    chunk = _chunk_size(len(x_train))
    chunks = len(x_train) // chunk
    if (model.optimizer.gradient_accumulation_steps or 1) != chunks:
        raise ValueError(f"this model accumulates {model.optimizer.gradient_accumulation_steps} "
                         f"chunks per step, but {len(x_train)} images make {chunks}: build it "
                         f"with a profile whose train_size is {len(x_train)}")
    # Every chunk of an epoch sees the same weights, so Keras's epoch loss (the mean over
    # chunks) is the full-batch loss.
    history = model.fit(x_train, y_train, batch_size=chunk, epochs=profile.epochs,
                        shuffle=False, verbose=2 if verbose else 0)
    return history.history


def _chunk_size(train_size: int) -> int:
    chunk = min(chunk_size, train_size)
    if train_size % chunk:
        raise ValueError(f"cnn_mse_sgd needs a training-set size that is a multiple of "
                         f"{chunk_size} (equal chunks make the mean an exact full-batch "
                         f"gradient); got {train_size}")
    return chunk


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train full-batch, evaluate on the test set."""
    # 模型评估 (keras_models/program.py: seed, build, fit, evaluate)
    return program.run_program("cnn_mse_sgd", load_data, build_model, train,
                               profile, seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("cnn_mse_sgd", run))
