"""sigmoid_step: article 004's one gradient step of one sigmoid neuron, by hand and by autodiff."""

import math
from typing import Callable

from tfport import mapping
from tfport.claims import FAILS, HOLDS, Row, Runs
from tfport.contract import APIS
from tfport.examples.record import Example
from tfport.profiles import Profile


def _sigmoid_claim(quantity: str, label: str) -> Callable[[Runs], Row]:
    def check(runs: Runs) -> Row:
        article = runs["tf1"].extra["article"]
        measured = {api: runs[api].extra["measured"][quantity] for api in APIS}
        close = all(_within(article[quantity], measured[api], 0.0005) for api in APIS)
        m = runs["tf1"].extra["measured"]
        why = {
            "z": f"sigma(2) = 1/(1 + e^-2) = {m['z']:.4f}; the article's 0.865 is 1 - e^-2 = "
                 f"{1 - math.exp(-2):.4f}.",
            "J": f"-log(1 - z) = {m['J']:.4f} at z = {m['z']:.4f} ({-math.log(1 - article['z']):.4f} "
                 f"even at the article's z = {article['z']}); 0.134 is near 1 - z, not its log.",
            "dJ_dz": f"For y = 0, dJ/dz = 1/(1 - z) = {m['dJ_dz']:.4f}; the article's 0.865 is "
                     f"dJ/da = z - y = {m['dJ_da']:.4f}, the derivative at the pre-activation.",
            "W_new": f"W - 0.1 (z - y) x = {_show(m['W_new'])} under this port's reading "
                     f"({runs['tf1'].extra['reading'].split(';')[1].strip()}); the article dropped "
                     "alpha in two entries and its third fits no reading.",
        }[quantity]
        return Row("sigmoid_step", "004, lines 100-180", label, _show(measured["tf1"]),
                   _show(measured["keras"]), HOLDS if close else FAILS, why)

    return check


def _within(claimed, measured, tolerance: float) -> bool:
    if isinstance(claimed, list):
        return len(claimed) == len(measured) and all(
            abs(c - m) <= tolerance for c, m in zip(claimed, measured))
    return abs(claimed - measured) <= tolerance


def _show(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f"{v:.4f}" for v in value) + "]"
    return f"{value:.4f}"


# The article's snippet as it printed it, copied line for line from `lines` (or
# `quote_lines`): the notebooks quote it, and tests/test_quotes.py checks it against
# the article.
QUOTE = r"""
### 4.2 公式推导过程

神经网络的数学模型可以表示为：

$$
Z = \sigma(WX + b)
$$

其中，\(Z\) 是输出，\(\sigma\) 是激活函数，\(W\) 是权重矩阵，\(X\) 是输入，\(b\) 是偏置。

在反向传播过程中，我们使用以下公式更新权重：

$$
W_{\text{new}} = W_{\text{old}} - \alpha \frac{\partial J}{\partial W}
$$

其中，\(W_{\text{new}}\) 是更新后的权重，\(W_{\text{old}}\) 是当前权重，\(\alpha\) 是学习率，\(J\) 是损失函数。

### 4.3 案例分析与讲解

假设我们有一个二分类问题，使用sigmoid函数作为激活函数。给定输入 \(X = [1, 2, 3]\)，权重 \(W = [1, 2]\)，偏置 \(b = 1\)，我们希望预测输出 \(Y = 0\)。

首先，我们计算输出 \(Z\)：

$$
Z = \sigma(WX + b) = \sigma([1, 2] \cdot [1, 2, 3] + 1) = \sigma([1, 4, 7] + 1) = \sigma([2, 5, 8]) = \frac{1}{1 + e^{-2}} \approx 0.865
$$

然后，我们计算损失函数 \(J\)：

$$
J = -\frac{1}{n} \sum_{i=1}^{n} [y \cdot \log(z) + (1 - y) \cdot \log(1 - z)]
$$

其中，\(n\) 是样本数量，\(y\) 是真实标签，\(z\) 是预测输出。

在这个例子中，\(n = 1\)，\(y = 0\)，\(z = 0.865\)。因此，

$$
J = -\frac{1}{1} [0 \cdot \log(0.865) + 1 \cdot \log(1 - 0.865)] \approx 0.134
$$

接下来，我们计算权重更新的梯度：

$$
\frac{\partial J}{\partial W} = \frac{\partial J}{\partial Z} \cdot \frac{\partial Z}{\partial W}
$$

其中，\(\frac{\partial J}{\partial Z}\) 是损失函数对输出的梯度，\(\frac{\partial Z}{\partial W}\) 是输出对权重的梯度。

在这个例子中，

$$
\frac{\partial J}{\partial Z} = \frac{1}{z(1 - z)} \approx \frac{1}{0.865(1 - 0.865)} \approx 0.865
$$

$$
\frac{\partial Z}{\partial W} = X
$$

因此，

$$
\frac{\partial J}{\partial W} = 0.865 \cdot [1, 2, 3] = [0.865, 1.73, 2.595]
$$

最后，我们更新权重：

$$
W_{\text{new}} = W_{\text{old}} - \alpha \frac{\partial J}{\partial W}
$$

假设学习率 \(\alpha = 0.1\)，则

$$
W_{\text{new}} = [1, 2] - 0.1 \cdot [0.865, 1.73, 2.595] = [0.135, 0.27, 0.705]
$$

这样，我们完成了权重的一次更新。通过不断迭代这个过程，模型会逐渐优化，直到达到预期的性能。

## 5. 项目实践：代码实例和详细解释说明
"""[1:]

EXAMPLE = Example(
    id="sigmoid_step",
    article="004_da6c173b35dfb6c4.txt",
    lines="100-180",
    summary="one gradient step of one sigmoid neuron with binary cross-entropy, by hand and by "
            "autodiff",
    claim="sigma(2) = 0.865, J = 0.134, dJ/dZ = 0.865, W_new = [0.135, 0.27, 0.705]",
    # Article 004, lines 100-180: one gradient step of one sigmoid neuron, alpha = 0.1.
    profiles={
        "article": Profile("article", epochs=1, batch_size=None, learning_rate=0.1),
        "quick": Profile("quick", epochs=1, batch_size=None, learning_rate=0.1),
    },
    claims=(
        _sigmoid_claim("z", "sigma(2) = 0.865"),
        _sigmoid_claim("J", "J = 0.134"),
        _sigmoid_claim("dJ_dz", "dJ/dZ = 0.865"),
        _sigmoid_claim("W_new", "W_new = [0.135, 0.27, 0.705]"),
    ),
    # No recipe: no optimizer, no compiled model (tfport/recipe.py has nothing to read).
    mapping_rows=(mapping.GRAPH_EAGER, mapping.SEED, mapping.PLACEHOLDER_EAGER, mapping.VARIABLE,
                  mapping.GRADIENTS, mapping.INITIALIZER, mapping.TRAINABLE_EAGER),
    quote=QUOTE,
    uses_mnist=False,
    one_neuron=True,
    benchmarked=False,  # one step of one neuron: no training loop to time
)
