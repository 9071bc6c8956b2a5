"""cnn_mse_sgd: article 002's prose recipe for its CNN, MSE and plain SGD, full batch."""

import dataclasses

from tfport import mapping as m
from tfport.claims import Row, Runs, accuracy_claim
from tfport.examples.record import Example
from tfport.profiles import Profile


def _accuracy(runs: Runs) -> Row:
    row = accuracy_claim(
        "cnn_mse_sgd", "002, lines 168-188", "95.2", "test accuracy 95.2%",
        "the prose recipe (MSE on softmax outputs, plain SGD)")(runs)
    losses = runs["tf1"].loss_history
    moved = (f" Its training loss goes from {losses[0]:.5f} to {losses[-1]:.5f} (TF1): "
             f"{len(losses)} full-batch steps at this learning rate barely move the weights.")
    return dataclasses.replace(row, why=row.why + moved) if losses else row


# The article's snippet as it printed it, copied line for line from `lines` (or
# `quote_lines`): the notebooks quote it, and tests/test_quotes.py checks it against
# the article.
QUOTE = r"""
### 4.3 案例分析与讲解

以下是一个简单的例子，展示如何使用神经网络进行手写数字识别：

1. **数据集**：使用MNIST手写数字数据集，包含60000个训练样本和10000个测试样本。

2. **模型构建**：

   - 使用卷积神经网络（CNN）架构，包括卷积层、池化层和全连接层。
   - 定义输入层、隐藏层和输出层，设置适当的神经元数量。

3. **模型训练**：

   - 使用均方误差（MSE）作为损失函数。
   - 使用随机梯度下降（SGD）优化器，设置学习率为0.001。
   - 进行100轮训练，每次训练使用整个训练集。

4. **模型评估**：

   - 在测试集上评估模型性能，计算准确率。
   - 准确率：95.2%。
"""[1:]

EXAMPLE = Example(
    id="cnn_mse_sgd",
    article="002_561f56958899b404.txt",
    lines="168-188",
    summary="the article's prose recipe for the same CNN: MSE on one-hot targets, SGD lr 0.001, "
            "100 full-batch epochs",
    claim="test accuracy 95.2% (line 188)",
    # Article 002's prose recipe: MSE on one-hot targets, SGD(0.001), 100 full-batch epochs.
    profiles={
        "article": Profile("article", epochs=100, batch_size=None, learning_rate=0.001,
                           accuracy_bar=0.9515),
        "quick": Profile(
            "quick", epochs=20, batch_size=None, learning_rate=0.001, train_size=2000, test_size=2000
        ),
    },
    claims=(_accuracy,),
    recipe=("SGD", 0.001, "mean_squared_error"),
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.CONV2D, m.MAX_POOL, m.FLATTEN,
                  m.DENSE, m.MSE, m.GRADIENT_DESCENT, m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE,
                  m.PREDICT, m.TRAINABLE, m.SAVER),
    quote=QUOTE,
    # No tf.data variants: its `train` runs the full-batch steps in chunks.
)
