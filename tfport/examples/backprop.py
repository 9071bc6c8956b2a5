"""backprop: article 000's backprop formulas by hand on a small MLP, checked against autodiff."""

from tfport import mapping as m
from tfport.claims import NO_CLAIM, Row, Runs
from tfport.contract import APIS
from tfport.examples.record import Example
from tfport.profiles import Profile


def _formulas(runs: Runs) -> Row:
    differences = {api: max(runs[api].extra["gradient_difference"]) for api in APIS}
    accuracy = {api: runs[api].test_accuracy for api in APIS}
    return Row(
        "backprop", "000, lines 146-168",
        "formulas only: delta = (h - y) sigma'(h); w := w - alpha delta h",
        f"max grad diff {differences['tf1']:.1e}; acc {accuracy['tf1']:.4f}",
        f"max grad diff {differences['keras']:.1e}; acc {accuracy['keras']:.4f}",
        NO_CLAIM,
        "No figure is claimed. With the corrections the formulas need (sigma' taken at the "
        "pre-activation, the back-propagated sum for hidden units, the layer's input in the "
        "update), hand gradients equal autodiff to the difference shown; the article's literal "
        "hidden-layer rule does not (tests/test_backprop.py), so delta = (h - y) sigma' holds for "
        "squared error at the output layer only.")


# The article's snippet as it printed it, copied line for line from `lines` (or
# `quote_lines`): the notebooks quote it, and tests/test_quotes.py checks it against
# the article.
QUOTE = r"""
3. **输出层**：输出层生成最终预测结果，如分类标签、概率分布等。

### 4.2 公式推导过程

以下是一个简化的神经网络模型推导过程：

假设输入数据为 \( x \)，隐藏层神经元数为 \( n \)，输出层神经元数为 \( m \)。神经元的激活函数为 \( \sigma(x) \)。

1. **前向传播**：

   $$ h_i = \sigma(w_{i1}x_1 + w_{i2}x_2 + ... + w_{in}x_n) $$

   其中，\( h_i \) 为第 \( i \) 个隐藏层神经元的激活值，\( w_{ij} \) 为连接权重。

2. **反向传播**：

   $$ \delta_i = (h_i - y_i) \cdot \sigma'(h_i) $$

   其中，\( \delta_i \) 为第 \( i \) 个隐藏层神经元的误差，\( y_i \) 为实际输出值，\( \sigma'(h_i) \) 为激活函数的导数。

3. **权重更新**：

   $$ w_{ij} := w_{ij} - \alpha \cdot \delta_i \cdot h_j $$
"""[1:]

EXAMPLE = Example(
    id="backprop",
    article="000_d91d80cfb38f4475.txt",
    lines="146-168",
    summary="the article's forward / error / update formulas by hand on a small MLP, checked "
            "against autodiff",
    claim="formulas only (no figure)",
    # Article 000, lines 146-168: the article's hand-written backprop formulas on a small MLP.
    profiles={
        "article": Profile("article", epochs=5, batch_size=32, learning_rate=0.5),
        "quick": Profile(
            "quick", epochs=2, batch_size=32, learning_rate=0.5, train_size=6000, test_size=2000
        ),
    },
    claims=(_formulas,),
    recipe=("SGD", None, "half_squared_error"),  # w := w - alpha delta h; alpha unstated
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER_BUILD, m.GET_VARIABLE, m.GRADIENTS,
                  m.ASSIGN_SUB_HAND, m.INITIALIZER, m.FEED_TRAIN, m.EVALUATE, m.PREDICT,
                  m.TRAINABLE, m.SAVER),
    quote=QUOTE,
    renamed={"dense/kernel": "w_hidden", "dense_1/kernel": "w_output"},
    bench_tf_data=True,
)
