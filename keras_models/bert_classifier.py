"""bert_classifier in Keras 3: article 003's BERT text classifier with KerasHub.

Article 003 (lines 172-197) fine-tunes `bert-base-cased` in PyTorch with transformers:
`BertForTokenClassification.from_pretrained(..., num_labels=2)`, `AdamW(lr=2e-5)`, ten
epochs on two review sentences labelled [1, 0], printing the loss of each epoch (claimed:
0.6534 falling to 0.0367). Lines 230-321 run the same code on three other sets of
sentences (customer-service intent, 5 labels; financial news; recommendations).

In Keras 3 the same classifier is KerasHub's `BertTextClassifier`: a `BertBackbone` loaded
with KerasHub's own `from_preset` from the pretrained checkpoint folder (a Hugging Face
BERT folder, read by KerasHub's converter), a dense head on the pooled [CLS] output with
dropout 0.1, and a `BertTextClassifierPreprocessor` whose `BertTokenizer` reads the
checkpoint's `vocab.txt`; then `compile`, `fit`, `evaluate` and `predict` on the sentences
themselves.

What changed against the article:
- Fix: `BertForTokenClassification` puts a label on every token; a sentence has one label:
  `BertTextClassifier` classifies the pooled [CLS] output.
- Fix: `labels=inputs['labels']`: the tokenizer makes no 'labels'; `fit` takes the labels.
- `AdamW(lr=2e-5)` becomes Keras's `AdamW` with BERT's settings (weight decay 0.01 except
  LayerNorm and biases, epsilon 1e-6, global-norm clipping at 1.0, 10% linear warm-up then
  linear decay). Keras's AdamW corrects Adam's bias and BERT's does not: the one
  difference between the two ports' updates (`tfport verify bert_classifier` measures it).
- The pretrained BERT is `all-MiniLM-L6-v2` (22.7 M parameters, uncased), not the article's
  110 M `bert-base-cased` (`tfport/bert_checkpoint.py` finds it).
- The tokenizer is built from the checkpoint's vocabulary rather than by `from_preset`:
  KerasHub's converter reads only `do_lower_case` from the Hugging Face folder and leaves
  accents in (`strip_accents=False`), where BERT's uncased tokenizer strips them. And the
  text is lower-cased with Python's `str.lower` before the tokenizer sees it: KerasHub's
  `lowercase=True` case-folds (NFKC) after splitting on punctuation, which turns a lone "…"
  into "...". Either way some sentences would get other ids than google's tokenizer gives
  (`tfport verify bert_classifier` counts them).
- The article evaluates nothing; its profiles test on the sentences they train on. The
  `quick` profile fine-tunes on movie-review sentences and tests on others
  (`tfport/polarity.py`).
"""

from __future__ import annotations

from pathlib import Path

import keras
import keras_hub
import numpy as np

from keras_models import program
from tfport import bert_checkpoint, polarity
from tfport.backends import text_batches
from tfport.contract import History
from tfport.profiles import Profile
from tfport.results import RunResult

# 准备训练数据 (each of the article's runs: its sentences, labels and num_labels)
ARTICLE_DATA = {
    "reviews": (["This is a positive review.", "This is a negative review."], [1, 0], 2),
    "intent": (["How can I track my order?"], [2], 5),  # 2表示订单跟踪
    "finance": (["The company reported a loss of $500 million this quarter.",
                 "The stock price surged by 10% after the announcement."], [1, 0], 2),
    "recommendation": (["I watched the latest Netflix series.",
                        "I bought a new book from Amazon."], [1, 0], 2),
}
WARMUP_PROPORTION = 0.1  # BERT's run_classifier.py default


def num_labels(profile: Profile) -> int:
    """How many classes the profile's sentences have."""
    return 2 if profile.data == "mr" else ARTICLE_DATA[profile.data][2]


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sentences themselves, lower-cased as uncased BERT reads them, and the labels."""
    if profile.data == "mr":
        mr, train_size, test_size = polarity.load_polarity(), profile.train_size, profile.test_size
        train, y_train = mr.train_sentences[:train_size], mr.train_labels[:train_size]
        test, y_test = mr.test_sentences[:test_size], mr.test_labels[:test_size]
    else:  # the article trains on its sentences and tests nothing: test on them too
        train, labels, _ = ARTICLE_DATA[profile.data]
        test, y_train = train, np.array(labels, dtype="int64")
        y_test = y_train
    lower = bert_checkpoint.pretrained_bert().lower_case
    return (np.array([text.lower() if lower else text for text in train]), y_train,
            np.array([text.lower() if lower else text for text in test]), y_test)


class WarmupLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """BERT's learning rate: init_lr * step / warmup_steps while warming up, then falling
    linearly to 0 at total_steps (step counts from 0, so the first step moves nothing)."""

    def __init__(self, init_lr: float, total_steps: int, warmup_steps: int):
        self.init_lr, self.total_steps, self.warmup_steps = init_lr, total_steps, warmup_steps

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        done = keras.ops.minimum(step, self.total_steps) / self.total_steps
        decayed = self.init_lr * (1.0 - done)
        if not self.warmup_steps:
            return decayed
        warming = self.init_lr * step / self.warmup_steps
        return keras.ops.where(step < self.warmup_steps, warming, decayed)

    def get_config(self) -> dict:
        return {"init_lr": self.init_lr, "total_steps": self.total_steps,
                "warmup_steps": self.warmup_steps}


def build_model(profile: Profile) -> keras.Model:
    """`BertTextClassifier` on the pretrained backbone and vocabulary, compiled with AdamW."""
    checkpoint = bert_checkpoint.pretrained_bert()
    dropout = checkpoint.config["hidden_dropout_prob"] if profile.dropout else 0.0
    # 定义模型 (from_pretrained: the backbone's weights from the checkpoint folder)
    backbone = keras_hub.models.BertBackbone.from_preset(str(checkpoint.keras_preset),
                                                         dropout=dropout)
    tokenizer = keras_hub.tokenizers.BertTokenizer(vocabulary=str(checkpoint.vocab),
                                                   lowercase=False,
                                                   strip_accents=checkpoint.lower_case)
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=profile.sequence_length)
    model = keras_hub.models.BertTextClassifier(backbone, num_classes=num_labels(profile),
                                                preprocessor=preprocessor, dropout=dropout)

    # 定义优化器 (AdamW with BERT's settings and schedule)
    total_steps = profile.epochs * -(-len_of_training(profile) // batch_size(profile))
    optimizer = keras.optimizers.AdamW(
        learning_rate=WarmupLinearDecay(profile.learning_rate, total_steps,
                                        int(total_steps * WARMUP_PROPORTION)),
        weight_decay=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-6, global_clipnorm=1.0)
    optimizer.exclude_from_weight_decay(var_names=["gamma", "beta", "bias"])  # LayerNorm, biases
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    return model


def len_of_training(profile: Profile) -> int:
    """How many training sentences the profile has (the optimizer's schedule needs it)."""
    if profile.data == "mr":
        return profile.train_size or len(polarity.load_polarity().train_sentences)
    return len(ARTICLE_DATA[profile.data][0])


def batch_size(profile: Profile) -> int:
    return profile.batch_size or len_of_training(profile)


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, profile: Profile,
          verbose: int = 1) -> History:
    """`fit` on the sentences, shuffled every epoch; returns the mean loss per epoch."""
    # 训练模型. KerasHub's `fit` batches NumPy arrays into a dataset of its own and then
    # ignores `shuffle=True` (it warns so): the sentences would come in the same order every
    # epoch. A dataset that shuffles them anew each epoch, from the seed that
    # `keras.utils.set_random_seed` set, does what the article's loop meant (a tf.data one,
    # on every backend: KerasHub's tokenizers run in tf.data; see tfport/backends.py).
    sentences = text_batches(x_train, y_train, batch_size(profile), profile.shuffle)
    history = model.fit(sentences, epochs=profile.epochs, shuffle=False, verbose=verbose)
    if verbose and profile.data != "mr":
        for epoch, loss_val in enumerate(history.history["loss"]):
            print(f"Epoch {epoch + 1}, Loss: {loss_val}")  # the article's own print
    return history.history


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the sentences, build the classifier from the checkpoint, fine-tune, evaluate."""
    # 训练模型 (keras_models/program.py: seed, build, fit, evaluate)
    return program.run_program("bert_classifier", load_data, build_model, train, profile,
                               seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("bert_classifier", run))
