"""cnn_onehot: article 001's Keras `create_cnn_model`, on one-hot labels with a validation split."""

from tfport import mapping as m
from tfport.claims import no_claim
from tfport.examples.record import Example
from tfport.profiles import Profile

# The article's snippet as it printed it, copied line for line from `lines` (or
# `quote_lines`): the notebooks quote it, and tests/test_quotes.py checks it against
# the article.
QUOTE = r"""
```python
import tensorflow as tf

def create_cnn_model(input_shape):
  model = tf.keras.Sequential([
      tf.keras.layers.Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=input_shape),
      tf.keras.layers.MaxPooling2D(pool_size=(2, 2)),
      tf.keras.layers.Flatten(),
      tf.keras.layers.Dense(128, activation='relu'),
      tf.keras.layers.Dense(10, activation='softmax')
  ])
  return model
```

### 5.3 代码解读与分析

上述代码定义了一个简单的卷积神经网络模型，包括一个卷积层、一个池化层、一个全连接层和一个输出层。

- 卷积层：使用3x3的卷积核，激活函数为ReLU。
- 池化层：使用2x2的最大池化层。
- 全连接层：使用128个神经元，激活函数为ReLU。
- 输出层：使用10个神经元，表示10个类别，激活函数为softmax。

### 5.4 运行结果展示

以下是一个使用TensorFlow训练和评估CNN模型的示例：

```python
model = create_cnn_model(input_shape=(28, 28, 1))
model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])

# 训练模型
model.fit(x_train, y_train, epochs=5, batch_size=64, validation_data=(x_val, y_val))

# 评估模型
test_loss, test_acc = model.evaluate(x_test, y_test)
print('Test accuracy:', test_acc)
```
"""[1:]

EXAMPLE = Example(
    id="cnn_onehot",
    article="001_9ff776db17961a39.txt",
    lines="134-171",
    summary="Keras create_cnn_model: the same CNN on one-hot labels, categorical cross-entropy, "
            "Adam, 5 epochs of 64, validation split",
    claim="none",
    # Article 001: Adam, categorical cross-entropy on one-hot labels, fit(epochs=5, batch_size=64)
    # with validation_data; the validation set is the last 5,000 training images.
    profiles={
        "article": Profile("article", epochs=5, batch_size=64, learning_rate=0.001),
        "quick": Profile(
            "quick", epochs=2, batch_size=64, learning_rate=0.001, train_size=6000, test_size=2000,
            accuracy_bar=0.88,
        ),
    },
    claims=(no_claim(
        "cnn_onehot", "001, lines 134-171",
        "the article shows the model and fit call but no result"),),
    recipe=("Adam", 0.001, "categorical_crossentropy"),  # 'adam': Keras's default rate
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.CONV2D, m.MAX_POOL, m.FLATTEN,
                  m.DENSE, m.SOFTMAX_XENT_STRING, m.ADAM, m.INITIALIZER, m.FEED_TRAIN,
                  m.EVALUATE, m.PREDICT, m.TRAINABLE, m.SAVER),
    quote=QUOTE,
    # No tf.data variants: its `train` validates inside the loop.
)
