"""cnn_sparse: article 002's Keras MNIST CNN script."""

from tfport import mapping as m
from tfport.claims import accuracy_claim
from tfport.examples.record import Example
from tfport.profiles import Profile

# The article's snippet as it printed it, copied line for line from `lines` (or
# `quote_lines`): the notebooks quote it, and tests/test_quotes.py checks it against
# the article.
QUOTE = r"""
```python
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

# 数据预处理
mnist = keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train / 255.0
x_test = x_test / 255.0

# 模型构建
model = keras.Sequential([
    layers.Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)),
    layers.MaxPooling2D((2, 2)),
    layers.Flatten(),
    layers.Dense(128, activation='relu'),
    layers.Dense(10, activation='softmax')
])

# 模型编译
model.compile(optimizer='adam',
              loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])

# 模型训练
model.fit(x_train, y_train, epochs=5)

# 模型评估
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=2)
print('Test accuracy:', test_acc)

# 模型应用
predictions = model.predict(x_test)
print(predictions)

# 输出预测结果
for i in range(10):
    print(f'测试样本 {i+1} 的预测结果：{predictions[i]}')
```
"""[1:]

EXAMPLE = Example(
    id="cnn_sparse",
    article="002_561f56958899b404.txt",
    lines="205-244",
    summary="Keras CNN: Conv2D 32 -> MaxPool -> Dense 128 -> Dense 10, Adam, sparse "
            "cross-entropy, 5 epochs",
    claim="test accuracy 95.2% (lines 187-188, 252)",
    # Article 002: Adam with Keras's defaults, fit(epochs=5) and so batches of 32.
    profiles={
        "article": Profile("article", epochs=5, batch_size=32, learning_rate=0.001,
                           accuracy_bar=0.9515),
        "quick": Profile(
            "quick", epochs=2, batch_size=32, learning_rate=0.001, train_size=6000, test_size=2000,
            accuracy_bar=0.90,
        ),
    },
    claims=(accuracy_claim(
        "cnn_sparse", "002, lines 187-188, 252", "95.2", "test accuracy 95.2%",
        "the article's script (Adam)"),),
    recipe=("Adam", 0.001, "sparse_categorical_crossentropy"),
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.CONV2D, m.MAX_POOL, m.FLATTEN,
                  m.DENSE, m.SPARSE_XENT, m.ADAM, m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE,
                  m.PREDICT, m.TRAINABLE, m.SAVER),
    quote=QUOTE,
    bench_tf_data=True,
    bench_jax_scan=True,
)
