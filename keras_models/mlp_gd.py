"""mlp_gd in Keras 3: the same 784-500-10 network trained by full-batch gradient descent.

Article 000 (lines 195-239) wrote this model in TensorFlow 1 (see `legacy_tf1/mlp_gd.py`);
this is what a Keras user writes today for the same model and the same training: a
`Sequential` model, `SGD(0.01)` on softmax cross-entropy from logits, and the article's
own loop of full-batch steps, each one `model.train_on_batch(x_train, y_train)` where the
article ran `sess.run(train_op, feed_dict=...)`.

What changed against the TF1 port:
- Layers, loss and optimizer are Keras objects; `train_on_batch` takes the step,
  `evaluate` the test.
- Keras's `SGD` and `CategoricalCrossentropy(from_logits=True)` compute the same update and
  the same mean loss as `GradientDescentOptimizer` and `softmax_cross_entropy_with_logits`;
  `Dense` starts from the same Glorot-uniform kernels and zero biases as `tf.layers.dense`.
- `train_on_batch`, not `fit(x, y, batch_size=len(x_train), epochs=1000)`: both are plain
  Keras and compute the same steps, but `fit` treats every full-batch step as an epoch (a
  new iterator that slices and copies the training set, callbacks, logs), which costs more
  than the step itself on small data; and the loop is the article's.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from keras_models import program
from tfport import data, plots
from tfport.contract import History
from tfport.profiles import Profile
from tfport.results import RunResult

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


def build_model(profile: Profile) -> keras.Model:
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
        optimizer=keras.optimizers.SGD(profile.learning_rate),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        # 评估模型 (accuracy: argmax of the logits against argmax of the one-hot label)
        metrics=["accuracy"],
    )
    return model


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
          verbose: int = 1) -> History:
    """`profile.epochs` gradient steps, each on the whole training set; returns the losses."""
    losses = []
    for epoch in range(profile.epochs):
        loss_val, _ = model.train_on_batch(x_train, y_train)  # (loss, accuracy) of this step
        losses.append(float(loss_val))
        if verbose and epoch % 100 == 0:
            print("Epoch:", epoch, "Loss:", loss_val)
    return {"loss": losses}


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the data, build the model, train, evaluate, and (with `out_dir`) plot the inputs."""
    # 训练模型, 评估模型 (keras_models/program.py: seed, build, fit, evaluate)
    ran = program.run_program("mlp_gd", load_data, build_model, train, profile, seed, verbose)
    # 可视化 (the article's scatter plot, saved instead of shown)
    if out_dir is not None:
        plots.scatter_inputs(ran.x_train, ran.y_train, Path(out_dir) / "mlp_gd-keras-inputs.png")
    return ran.result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("mlp_gd", run))
