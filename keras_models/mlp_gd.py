"""mlp_gd in Keras 3: the same 784-500-10 network trained by full-batch gradient descent.

Article 000 (lines 195-239) wrote this model in TensorFlow 1 (see `legacy_tf1/mlp_gd.py`);
this is what a Keras user writes today for the same model and the same training: a
`Sequential` model, `SGD(0.01)` on softmax cross-entropy from logits, and `fit` with
`batch_size` equal to the training set, so that every epoch is one full-batch step.

What changed against the TF1 port:
- Layers, loss and optimizer are Keras objects; `fit` runs the loop, `evaluate` the test.
- Keras's `SGD` and `CategoricalCrossentropy(from_logits=True)` compute the same update and
  the same mean loss as `GradientDescentOptimizer` and `softmax_cross_entropy_with_logits`;
  `Dense` starts from the same Glorot-uniform kernels and zero biases as `tf.layers.dense`.
- With 1000 one-step epochs, Keras's per-epoch progress bar would print 2000 lines, so
  `fit` runs quietly and a callback drives one `keras.utils.Progbar` over the steps.
- `fit` reads the training set as the one element of a `tf.data` dataset rather than as
  NumPy arrays with `batch_size=len(x_train)`: the same steps, without copying 60,000
  images into a batch at every step, which made this port slower than the TF1 one.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf  # only for tf.data, the input pipeline Keras's TensorFlow backend reads

from tfport import data, plots
from tfport.profiles import Profile
from tfport.results import RunResult, make_result, prediction_summary

# 初始化参数 (the article's parameters; learning rate and steps come from the profile)
input_size = 784
hidden_size = 500
output_size = 10


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as the article's code expects it: (n, 784) floats in [0, 1] and one-hot labels."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.reshape(-1, input_size).astype("float32") / 255.0
    x_test = mnist.x_test.reshape(-1, input_size).astype("float32") / 255.0
    y_train = keras.utils.to_categorical(mnist.y_train, output_size)
    y_test = keras.utils.to_categorical(mnist.y_test, output_size)
    return x_train, y_train, x_test, y_test


def build_model(learning_rate: float) -> keras.Model:
    """The article's network as a compiled Keras model."""
    # 创建输入 (an Input layer takes the place of the placeholders)
    model = keras.Sequential([
        keras.Input(shape=(input_size,)),
        # 定义神经网络结构 (784 -> 500 relu -> 10 logits)
        keras.layers.Dense(hidden_size, activation="relu"),
        keras.layers.Dense(output_size),
    ])

    # 定义损失函数和优化器 (mean softmax cross-entropy, plain gradient descent)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        # 评估模型 (accuracy: argmax of the logits against argmax of the one-hot label)
        metrics=["accuracy"],
    )
    return model


def tf1_variables(model: keras.Model) -> dict[str, keras.Variable]:
    """Which variable of the TF1 port's graph each weight of this model is (`tfport verify`)."""
    hidden_layer, output_layer = model.layers
    return {"dense/kernel": hidden_layer.kernel, "dense/bias": hidden_layer.bias,
            "dense_1/kernel": output_layer.kernel, "dense_1/bias": output_layer.bias}


class StepProgbar(keras.callbacks.Callback):
    """One progress bar over all full-batch steps (each Keras epoch is one step here)."""

    def __init__(self, steps: int, verbose: int):
        super().__init__()
        self.verbose = verbose
        self.progbar = keras.utils.Progbar(steps, verbose=1 if verbose == 1 else 0,
                                           stateful_metrics=["loss"], unit_name="step")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        loss_val = logs["loss"]
        self.progbar.update(epoch + 1, [("loss", loss_val)])
        if self.verbose == 2 and epoch % 100 == 0:
            print("Epoch:", epoch, "Loss:", loss_val)


def train_step(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """One gradient-descent step on the batch (x, y); returns its loss before the update."""
    return float(model.train_on_batch(x, y, return_dict=True)["loss"])


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
          profile: Profile, verbose: int = 1) -> list[float]:
    """`profile.epochs` gradient steps, each on the whole training set; returns the losses."""
    # The whole training set as the dataset's one batch: `fit` on NumPy arrays would slice
    # and copy them into a batch at every step (`tfport bench` measures the difference).
    full_batch = tf.data.Dataset.from_tensors((x_train, y_train))
    history = model.fit(full_batch, epochs=profile.epochs, shuffle=False, verbose=0,
                        callbacks=[StepProgbar(profile.epochs, verbose)])
    return history.history["loss"]


def evaluate(model: keras.Model, x_test: np.ndarray, y_test: np.ndarray) -> tuple[float, float]:
    """Test loss and accuracy over the whole test set in one batch."""
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=len(x_test), verbose=0)
    return test_loss, test_accuracy


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The network's outputs for `x`: logits (the article applies no softmax)."""
    return model.predict(x, batch_size=1000, verbose=0)


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train, evaluate, and (with `out_dir`) plot the inputs."""
    start = time.perf_counter()
    x_train, y_train, x_test, y_test = load_data(profile)

    keras.utils.set_random_seed(seed)
    model = build_model(profile.learning_rate)

    # 训练模型 (train)
    train_start = time.perf_counter()
    losses = train(model, x_train, y_train, profile, verbose)
    train_time = time.perf_counter() - train_start

    # 评估模型 (evaluate)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
    test_predictions = predict(model, x_test)
    param_count = model.count_params()
    if verbose:
        print("Test accuracy:", test_accuracy)

    # 可视化 (the article's scatter plot, saved instead of shown)
    if out_dir is not None:
        plots.scatter_inputs(x_train, y_train, Path(out_dir) / "mlp_gd-keras-inputs.png")

    return make_result(
        example="mlp_gd", api="keras", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra=prediction_summary(y_test, test_predictions),
    )
