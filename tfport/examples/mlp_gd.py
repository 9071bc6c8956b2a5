"""mlp_gd: article 000's own TF1 code, a dense 784-500-10 net trained by gradient descent."""

from tfport import mapping as m
from tfport.claims import accuracy_claim
from tfport.examples.record import Example
from tfport.profiles import Profile

# The article's snippet as it printed it, copied line for line from `lines` (or
# `quote_lines`): the notebooks quote it, and tests/test_quotes.py checks it against
# the article.
QUOTE = r"""
```python
import numpy as np
import tensorflow as tf
import matplotlib.pyplot as plt

# 初始化参数
input_size = 784
hidden_size = 500
output_size = 10
learning_rate = 0.01
epochs = 1000

# 创建输入和输出占位符
X = tf.placeholder(tf.float32, [None, input_size])
Y = tf.placeholder(tf.float32, [None, output_size])

# 定义神经网络结构
hidden_layer = tf.layers.dense(X, hidden_size, activation=tf.nn.relu)
output_layer = tf.layers.dense(hidden_layer, output_size)

# 定义损失函数和优化器
loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=output_layer, labels=Y))
optimizer = tf.train.GradientDescentOptimizer(learning_rate).minimize(loss)

# 训练模型
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(epochs):
        _, loss_val = sess.run([optimizer, loss], feed_dict={X: X_train, Y: Y_train})
        if epoch % 100 == 0:
            print("Epoch:", epoch, "Loss:", loss_val)
    
    # 评估模型
    correct_predictions = tf.equal(tf.argmax(output_layer, 1), tf.argmax(Y, 1))
    accuracy = tf.reduce_mean(tf.cast(correct_predictions, tf.float32))
    print("Test accuracy:", accuracy.eval({X: X_test, Y: Y_test}))

# 可视化
plt.figure()
plt.scatter(X_train[:, 0], X_train[:, 1], c=Y_train[:, 0], cmap=plt.cm.Spectral)
plt.xlabel("Feature 1")
plt.ylabel("Feature 2")
plt.title("Input Data")
plt.show()
```
"""[1:]

EXAMPLE = Example(
    id="mlp_gd",
    article="000_d91d80cfb38f4475.txt",
    lines="195-239",
    summary="TF1 graph: dense 784-500-10, softmax cross-entropy, full-batch gradient descent "
            "(lr 0.01, 1000 steps)",
    claim="test accuracy 95% (model card, lines 172-179)",
    # Article 000: 1000 full-batch gradient-descent steps at learning rate 0.01.
    profiles={
        "article": Profile("article", epochs=1000, batch_size=None, learning_rate=0.01,
                           accuracy_bar=0.945),
        "quick": Profile(
            "quick", epochs=150, batch_size=None, learning_rate=0.01, train_size=5000, test_size=2000,
            accuracy_bar=0.68,
        ),
    },
    claims=(accuracy_claim(
        "mlp_gd", "000, lines 172-179", "95", "test accuracy 95%", "gradient descent"),),
    recipe=("SGD", 0.01, "categorical_crossentropy"),  # GradientDescentOptimizer(0.01)
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.DENSE, m.SOFTMAX_XENT_LOGITS,
                  m.GRADIENT_DESCENT, m.INITIALIZER, m.FULL_BATCH_STEP, m.EVALUATE, m.PREDICT,
                  m.TRAINABLE, m.SAVER),
    quote=QUOTE,
    bench_tf_data=True,
)
