"""binary_mlp in Keras 3: the article's 64-64-1 sigmoid network, kept as written where it runs.

Article 004 (lines 200-229) gives a Keras script: Dense(64, relu, input 3) ->
Dense(64, relu) -> Dense(1, sigmoid), `compile('adam', 'binary_crossentropy',
['accuracy'])`, three samples X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] with labels
y = [[0], [1], [0]], `fit(epochs=10, batch_size=3)`, `evaluate` and `predict`. Its output
(lines 247-253) reads "Loss: 0.6524584819627686, Accuracy: 0.7500000238418579" and the
predictions [0.246, 0.956, 0.077].

That output cannot come from that script:
- On three samples accuracy is 0, 1/3, 2/3 or 1; 0.75 is none of them.
- The printed predictions put all three samples on the right side of 0.5, which is
  accuracy 1, and their binary cross-entropy is 0.136, not 0.652.

The script runs twice here:
(a) on the article's three samples, exactly as written (inputs not scaled, 10 epochs of
    one batch of 3), printing loss, accuracy and predictions as the article does;
(b) on MNIST as a real binary task, even (0) against odd (1) digits: 784 inputs in
    [0, 1], the same layers, Adam and binary cross-entropy, with epochs, batch size,
    learning rate and subset from the profile. `run` returns this result and puts (a) into
    `extra["three_samples"]`.

What changed against the article:
- `from tensorflow import keras` becomes `import keras` (Keras 3), and `keras.Input(shape=...)`
  replaces the `input_shape=` argument, which Keras 3 warns about.
- `'adam'` is written `Adam(learning_rate)` so that the profile can set it; 0.001 is the
  default. Its epsilon is 1e-7, where TF1's `AdamOptimizer` uses 1e-8.
- `'binary_crossentropy'` on the output of Keras's own sigmoid is computed from the logits
  that the activation keeps on its output tensor, so it is the same exact formula as TF1's
  `sigmoid_cross_entropy_with_logits`; Keras clips to [1e-7, 1 - 1e-7] only probabilities
  that come from elsewhere.
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

# 构建模型 (the article's layer sizes)
hidden_size = 64

# 训练模型 (the article's three-sample run, whatever the profile: fit(epochs=10, batch_size=3),
# and 'adam', whose learning rate defaults to 0.001)
three_sample_epochs = 10
three_sample_batch_size = 3
three_sample_learning_rate = 0.001

# 运行结果展示 (the article's printed output, lines 249-253)
ARTICLE_OUTPUT = {"loss": 0.6524584819627686, "accuracy": 0.7500000238418579,
                  "predictions": [0.24644643, 0.95586127, 0.0767021]}


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """MNIST as a binary task: (n, 784) floats in [0, 1], labels (n, 1) 0 for even, 1 for odd."""
    mnist = data.subset(data.load_mnist(), profile.train_size, profile.test_size)
    x_train = mnist.x_train.reshape(-1, 784).astype("float32") / 255.0
    x_test = mnist.x_test.reshape(-1, 784).astype("float32") / 255.0
    y_train = (mnist.y_train % 2).astype("float32").reshape(-1, 1)
    y_test = (mnist.y_test % 2).astype("float32").reshape(-1, 1)
    return x_train, y_train, x_test, y_test


def three_samples() -> tuple[np.ndarray, np.ndarray]:
    """The article's data: three samples of three features, not scaled, and their labels."""
    # 准备数据 (as written; float32 is what `fit` would turn the integers into anyway)
    X = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype="float32")
    y = np.array([[0], [1], [0]], dtype="float32")
    return X, y


def build_model(learning_rate: float, input_size: int = 784) -> keras.Model:
    """The article's network, compiled as the article compiles it."""
    # 构建模型 (input -> 64 relu -> 64 relu -> 1 sigmoid)
    model = keras.Sequential([
        keras.Input(shape=(input_size,)),
        keras.layers.Dense(hidden_size, activation="relu"),
        keras.layers.Dense(hidden_size, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])

    # 编译模型 (Adam on binary cross-entropy; accuracy for evaluation)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="binary_crossentropy",
                  # With a binary cross-entropy loss, 'accuracy' is binary accuracy at 0.5.
                  metrics=["accuracy"],
                  steps_per_execution=steps_per_execution)
    return model


def tf1_variables(model: keras.Model) -> dict[str, keras.Variable]:
    """Which variable of the TF1 port's graph each weight of this model is (`tfport verify`)."""
    hidden_1, hidden_2, output = model.layers
    return {"dense/kernel": hidden_1.kernel, "dense/bias": hidden_1.bias,
            "dense_1/kernel": hidden_2.kernel, "dense_1/bias": hidden_2.bias,
            "dense_2/kernel": output.kernel, "dense_2/bias": output.bias}


def train_step(model: keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    """One Adam step on the batch (x, y); returns its loss before the update."""
    return float(model.train_on_batch(x, y, return_dict=True)["loss"])


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, epochs: int,
          batch_size: int | None, verbose: int = 1) -> list[float]:
    """`fit`, shuffled every epoch; returns mean loss per epoch."""
    batch_size = batch_size or len(x_train)  # None: full batch
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose)
    return history.history["loss"]


def evaluate(model: keras.Model, x_test: np.ndarray, y_test: np.ndarray,
             batch_size: int = 1000) -> tuple[float, float]:
    """Loss and accuracy."""
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=batch_size, verbose=0)
    return test_loss, test_accuracy


def predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """Probability of class 1 for each row of `x`, shape (n, 1)."""
    return model.predict(x, batch_size=1000, verbose=0)


def run_three_samples(seed: int = 0, verbose: int = 1) -> dict:
    """(a) The article's script on its three samples; returns loss, accuracy, predictions."""
    X, y = three_samples()
    keras.utils.set_random_seed(seed)
    model = build_model(three_sample_learning_rate, X.shape[1])

    # 训练模型 (batch 3 = the whole set: one step per epoch)
    losses = train(model, X, y, three_sample_epochs, three_sample_batch_size, verbose)

    # 评估模型
    loss, accuracy = evaluate(model, X, y)

    # 预测
    predictions = predict(model, X)
    if verbose:
        print(f"Loss: {loss}, Accuracy: {accuracy}")
        print(predictions)
    return {"loss": float(loss), "accuracy": float(accuracy),
            "predictions": predictions.ravel().tolist(), "loss_history": losses}


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """(a) the article's three samples, then (b) MNIST even/odd, whose numbers are returned."""
    start = time.perf_counter()
    if verbose:
        print("The article's three samples:")
    three = run_three_samples(seed, verbose)

    if verbose:
        print("MNIST, even (0) against odd (1):")
    x_train, y_train, x_test, y_test = load_data(profile)
    keras.utils.set_random_seed(seed)
    model = build_model(profile.learning_rate, x_train.shape[1])

    # 训练模型 (train)
    train_start = time.perf_counter()
    losses = train(model, x_train, y_train, profile.epochs, profile.batch_size, verbose)
    train_time = time.perf_counter() - train_start

    # 评估模型 (evaluate)
    test_loss, test_accuracy = evaluate(model, x_test, y_test)
    # 预测 (every test prediction, kept as the first 16 and a confusion matrix)
    test_predictions = predict(model, x_test)
    param_count = model.count_params()
    if verbose:
        print(f"Test loss: {test_loss}, Test accuracy: {test_accuracy}")

    return make_result(
        example="binary_mlp", api="keras", profile=profile.name, seed=seed,
        test_accuracy=test_accuracy, test_loss=test_loss, loss_history=losses,
        wall_time_s=time.perf_counter() - start, train_time_s=train_time,
        train_samples=len(x_train) * profile.epochs, param_count=param_count,
        extra={**prediction_summary(y_test, test_predictions),
               "three_samples": three, "article_output": ARTICLE_OUTPUT},
    )
