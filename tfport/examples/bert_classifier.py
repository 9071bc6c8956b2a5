"""bert_classifier: article 003's pretrained BERT fine-tuned to classify sentences: its four
runs, each a profile, and a fine-tune on movie-review sentences (docs/bert.md)."""

import dataclasses
import math

from tfport import mapping as m
from tfport.claims import FAILS, HOLDS, Row, Runs, not_the_article, profile_of
from tfport.contract import APIS
from tfport.examples.record import Example
from tfport.mapping import Default, Mapping
from tfport.profiles import Profile

# The mapping rows only this example uses: google-research/bert in TF1, KerasHub in Keras 3.
BERT_TOKENIZER = Mapping(
    "`tokenization.FullTokenizer(vocab_file, do_lower_case=True)` (google-research/bert)",
    "`keras_hub.tokenizers.BertTokenizer(vocabulary=..., lowercase=False, strip_accents=True)` on `str.lower()`ed text",
    "Same ids on every sentence only so: `BertTokenizer.from_preset` on a Hugging Face folder "
    "keeps accents (`strip_accents=False`), and `lowercase=True` case-folds with NFKC after "
    "splitting on punctuation (a lone '...' character becomes three dots): `tfport verify "
    "bert_classifier` counts the sentences either would change.",
    tf1_code="tokenization.FullTokenizer", keras_code="keras_hub.tokenizers.BertTokenizer")
BERT_INPUTS = Mapping(
    "`tf.compat.v1.placeholder(tf.int32, [None, 3, seq])`: input ids, mask, segment ids",
    "`keras_hub.models.BertTextClassifierPreprocessor(tokenizer, sequence_length)`",
    "The Keras model takes the sentences themselves; its preprocessor makes the same three "
    "features ([CLS] ... [SEP], padded) that run_classifier.py fed.",
    tf1_code="tf.compat.v1.placeholder", keras_code="keras_hub.models.BertTextClassifierPreprocessor")
BERT_DROPOUT = Mapping(
    "`tf.compat.v1.placeholder_with_default(False, [])` and `tf.nn.dropout(x, rate)`",
    "`dropout=` of `BertBackbone` and `BertTextClassifier`",
    "Keras switches dropout off in `evaluate` and `predict` by itself; the TF1 graph is told.",
    tf1_code="tf.compat.v1.placeholder_with_default", keras_code="dropout=dropout")
BERT_NN_DROPOUT = Mapping("`tf.nn.dropout(pooled, rate=0.1)` in the head",
                          "`BertTextClassifier(..., dropout=0.1)`",
                          tf1_code="tf.nn.dropout", keras_code="dropout=dropout")
BERT_MODEL = Mapping(
    "`modeling.BertModel(config, ...)` under `tf.compat.v1.variable_scope`",
    "`keras_hub.models.BertBackbone.from_preset(folder)`",
    "The same layers, the tanh GELU in both; KerasHub names and shapes its weights its own way "
    "(tfport/bert_checkpoint.py says where each goes).",
    tf1_code="modeling.BertModel", keras_code="keras_hub.models.BertBackbone")
BERT_SCOPE = Mapping("`tf.compat.v1.variable_scope(name)`", "(the layer's `name`)",
                     "Keras layers name their weights themselves.",
                     tf1_code="tf.compat.v1.variable_scope", keras_code=None)
BERT_HEAD = Mapping(
    "`tf.compat.v1.get_variable('output_weights', [labels, hidden])` on the pooled output",
    "`keras_hub.models.BertTextClassifier(backbone, num_classes)`",
    "The same head: a dense layer on the pooled [CLS] output (Keras stores the kernel transposed).",
    tf1_code="tf.compat.v1.get_variable", keras_code="keras_hub.models.BertTextClassifier")
BERT_INITIALIZERS = Mapping(
    "`tf.compat.v1.truncated_normal_initializer(stddev=0.02)`, `tf.compat.v1.zeros_initializer()`",
    "(KerasHub's own: the same truncated normal)",
    tf1_code="tf.compat.v1.truncated_normal_initializer", keras_code=None)
BERT_ZEROS = Mapping("`tf.compat.v1.zeros_initializer()`", "(the Dense layer's zero bias)",
                     tf1_code="tf.compat.v1.zeros_initializer", keras_code=None)
BERT_LOSS = Mapping(
    "`-tf.reduce_sum(one_hot * tf.nn.log_softmax(logits))`, averaged",
    "`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`",
    tf1_code="tf.nn.log_softmax", keras_code="SparseCategoricalCrossentropy(from_logits=True)")
BERT_CHECKPOINT = Mapping(
    "`tf.compat.v1.train.init_from_checkpoint(ckpt, assignment_map)`",
    "`BertBackbone.from_preset(folder, dropout=...)` (KerasHub's Hugging Face converter)",
    "One pretrained checkpoint: KerasHub reads the Hugging Face folder itself; the TF1 port "
    "reads it converted to google's names and layouts (kernels transposed, LayerNorm "
    "gamma/beta; tfport/bert_checkpoint.py).",
    tf1_code="tf.compat.v1.train.init_from_checkpoint", keras_code="from_preset")
BERT_OPTIMIZER = Mapping(
    "`optimization.create_optimizer(loss, lr, steps, warmup)`: AdamWeightDecay, no bias correction",
    "`keras.optimizers.AdamW(WarmupLinearDecay(...), weight_decay=0.01, epsilon=1e-6, global_clipnorm=1.0)`",
    "Keras's AdamW corrects Adam's bias, BERT's does not: `tfport verify bert_classifier` "
    "measures it, and `tfport.bert_optimizer.AdamWeightDecay` is the Keras optimizer that makes "
    "BERT's update.",
    tf1_code="optimization.create_optimizer", keras_code="keras.optimizers.AdamW",
    defaults=(Default("weight_decay", "keras.optimizers.AdamW.weight_decay",
                      "keras.optimizers.AdamW.weight_decay"),
              Default("epsilon", "keras.optimizers.AdamW.epsilon",
                      "keras.optimizers.AdamW.epsilon")))


def _loss(runs: Runs) -> Row:
    losses = {api: runs[api].loss_history for api in APIS}
    shown = {api: f"loss {values[0]:.4f} -> {values[-1]:.4f}" for api, values in losses.items()}
    profile = profile_of(runs["tf1"])
    claimed_end = 0.0367
    # "0.0367" holds up to half a unit of its last digit, as claim_bar reads a percentage
    holds = all(values[-1] < claimed_end + 0.00005 for values in losses.values())
    model = runs["tf1"].environment.get("checkpoint", "a pretrained checkpoint")
    if profile.full_batch:  # the article's runs: its sentences, every step on all of them
        sentences = sum(map(sum, runs["tf1"].extra["confusion_matrix"]))
        recipe = (f"the article's recipe otherwise (its {sentences} sentences, "
                  f"{profile.epochs} steps of the whole batch at {profile.learning_rate:g}, "
                  f"BERT's warm-up and decay)")
    else:
        recipe = "the profile's movie-review fine-tune"
    return Row(
        "bert_classifier", "003, lines 205-218", "loss 0.6534 -> 0.0367 over 10 epochs",
        shown["tf1"], shown["keras"], HOLDS if holds else FAILS,
        f"{not_the_article(runs['tf1'])}Run with {model} in place of the article's "
        f"bert-base-cased (110 M parameters), {recipe}: the training loss goes from "
        f"{losses['tf1'][0]:.4f} to {losses['tf1'][-1]:.4f} (TF1) and from "
        f"{losses['keras'][0]:.4f} to {losses['keras'][-1]:.4f} (Keras), against the "
        f"article's 0.6534 to 0.0367"
        + ("." if holds else f"; ln 2 = {math.log(2):.4f} is what two labels cost a "
           f"classifier that knows nothing.") + " The article's own model was not run here, "
        "so this is a verdict on the recipe with this checkpoint, not on bert-base-cased.")


# The movie-review fine-tune ("mr", tfport/polarity.py), also the quick profile: nothing
# shorter learns (50 steps on 1,600 sentences: about 0.71, a bag of words 0.69). Its bar is
# below the lowest of five seeds per API (docs/spread/quick-amd-epyc.md: TF1 0.7600, seed 3)
# and 5 points above the bag-of-words baseline (0.6937). 7e-5 suits both APIs (TF1, Keras at
# seed 0: 0.786, 0.761 at 5e-5; 0.739, 0.785 at 1e-4; 0.786, 0.785 at 7e-5): Keras's AdamW
# corrects Adam's bias, BERT's does not (docs/migration-notes.md). 48 tokens keep 96% of the
# sentences whole (64: 99.9%, at a third more time per step).
# The article's four runs: its own sentences, all of them in each step.
ARTICLE = Profile("article", epochs=10, batch_size=None, learning_rate=2e-5, data="reviews",
                  sequence_length=32)
FINETUNE = Profile("finetune", epochs=1, batch_size=32, learning_rate=7e-5, data="mr",
                   train_size=3200, test_size=800, sequence_length=48, accuracy_bar=0.75)

EXAMPLE = Example(
    id="bert_classifier",
    article="003_34aa8c543ca7d4c9.txt",
    lines="172-197, output 205-218; 230-321",
    summary="a pretrained BERT fine-tuned to classify sentences: google-research/bert in TF1, "
            "KerasHub in Keras 3, one checkpoint; the article's four runs, and movie-review "
            "sentences",
    claim="loss 0.6534 -> 0.0367 over 10 epochs (lines 205-218)",
    profiles={
        "article": ARTICLE,
        "article-intent": dataclasses.replace(ARTICLE, name="article-intent", data="intent"),
        "article-finance": dataclasses.replace(ARTICLE, name="article-finance", data="finance"),
        "article-recommendation": dataclasses.replace(ARTICLE, name="article-recommendation",
                                                      data="recommendation"),
        "finetune": FINETUNE,
        "quick": dataclasses.replace(FINETUNE, name="quick"),
    },
    claims=(_loss,),
    recipe=("AdamW", 2e-5, "sparse_categorical_crossentropy"),  # AdamW(lr=2e-5)
    mapping_rows=(m.GRAPH_SESSION, m.SEED, BERT_TOKENIZER, BERT_INPUTS, BERT_DROPOUT, BERT_MODEL,
                  BERT_SCOPE, BERT_HEAD, BERT_INITIALIZERS, BERT_ZEROS, BERT_NN_DROPOUT,
                  BERT_LOSS, BERT_CHECKPOINT, BERT_OPTIMIZER, m.INITIALIZER, m.FEED_TRAIN,
                  m.EVALUATE, m.PREDICT, m.TRAINABLE, m.SAVER),
    uses_mnist=False,
    pretrained=True,
    text=True,
    # Its quote is the article's BERT snippet and its output only.
    quote_lines="172-197, output 205-218",
)
