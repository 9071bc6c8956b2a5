"""mlp_gd: article 000's own TF1 code, a dense 784-500-10 net trained by gradient descent."""

from tfport import mapping as m
from tfport.claims import accuracy_claim
from tfport.examples.record import Example
from tfport.profiles import Profile

EXAMPLE = Example(
    id="mlp_gd",
    article="000_d91d80cfb38f4475.txt",
    lines="195-239",
    summary="TF1 graph: dense 784-500-10, softmax cross-entropy, full-batch gradient descent "
            "(lr 0.01, 1000 steps)",
    claim="test accuracy 95% (model card, lines 172-179)",
    profiles={
        "article": Profile("article", epochs=1000, batch_size=None, learning_rate=0.01,
                           accuracy_bar=0.945),
        "quick": Profile("quick", epochs=150, batch_size=None, learning_rate=0.01,
                         train_size=5000, test_size=2000, accuracy_bar=0.68),
    },
    claims=(accuracy_claim(
        "mlp_gd", "000, lines 172-179", "95", "test accuracy 95%", "gradient descent"),),
    recipe=("SGD", 0.01, "categorical_crossentropy"),  # GradientDescentOptimizer(0.01)
    mapping_rows=(m.GRAPH_SESSION, m.SEED, m.PLACEHOLDER, m.DENSE, m.SOFTMAX_XENT_LOGITS,
                  m.GRADIENT_DESCENT, m.INITIALIZER, m.FULL_BATCH_STEP, m.EVALUATE, m.PREDICT,
                  m.TRAINABLE, m.SAVER),
    bench_tf_data=True,
)
