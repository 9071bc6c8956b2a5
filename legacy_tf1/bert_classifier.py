"""bert_classifier in TensorFlow 1: article 003's BERT classifier, as run_classifier.py trains it.

Article 003 (lines 172-197) fine-tunes `bert-base-cased` in PyTorch with transformers:
`BertForTokenClassification.from_pretrained(..., num_labels=2)`, `AdamW(lr=2e-5)`, ten
epochs on two review sentences labelled [1, 0], printing the loss of each epoch (claimed:
0.6534 falling to 0.0367). Lines 230-321 run the same code on three other sets of
sentences (customer-service intent, 5 labels; financial news; recommendations).

This is that classifier as a 2018-2019 TensorFlow user trained it, with google-research/bert
(`legacy_tf1/bert/`: its tokenizer, its `BertModel`, its AdamWeightDecay): a pretrained
checkpoint folder in the released layout (`bert_config.json`, `vocab.txt`,
`bert_model.ckpt.*`) loaded with `init_from_checkpoint`, `run_classifier.py`'s head
(`output_weights`, `output_bias` on the pooled [CLS] output, dropout 0.1) and loss,
placeholders fed in a Session loop.

What changed against the article:
- Fix: `BertForTokenClassification` puts a label on every token; a sentence has one label.
  The head here classifies the pooled [CLS] output, as `run_classifier.py` (and KerasHub's
  `BertTextClassifier`) do.
- Fix: `labels=inputs['labels']`: the tokenizer makes no 'labels'; the labels are passed.
- `run_classifier.py` trained through `tf.estimator`, which TensorFlow removed in 2.16: the
  same graph runs in a `tf.compat.v1.Session`, one graph for training and evaluation, with
  dropout switched by a placeholder (the Estimator built one graph per mode).
- The pretrained BERT is `all-MiniLM-L6-v2` (22.7 M parameters, uncased), not the article's
  110 M `bert-base-cased`: `tfport/bert_checkpoint.py` finds it and writes it in google's
  layout (any released google-research/bert folder works as well).
- The article evaluates nothing; its profiles test on the sentences they train on. The
  `quick` profile fine-tunes on movie-review sentences and tests on others
  (`tfport/polarity.py`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from legacy_tf1 import feeding, session
from legacy_tf1.bert import modeling, optimization, tokenization
from tfport import bert_checkpoint, polarity
from tfport.contract import History, TF1Graph
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
WARMUP_PROPORTION = 0.1  # run_classifier.py's default


def num_labels(profile: Profile) -> int:
    """How many classes the profile's sentences have."""
    return 2 if profile.data == "mr" else ARTICLE_DATA[profile.data][2]


def load_data(profile: Profile) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each sentence as run_classifier.py's three features, stacked: [n, 3, sequence length]
    of input ids, input mask and segment ids; and the labels."""
    if profile.data == "mr":
        mr, train_size, test_size = polarity.load_polarity(), profile.train_size, profile.test_size
        train, y_train = mr.train_sentences[:train_size], mr.train_labels[:train_size]
        test, y_test = mr.test_sentences[:test_size], mr.test_labels[:test_size]
    else:  # the article trains on its sentences and tests nothing: test on them too
        train, labels, _ = ARTICLE_DATA[profile.data]
        test, y_train = train, np.array(labels, dtype="int64")
        y_test = y_train
    # 将文本转化为token ids和输入 (BERT's tokenizer, the checkpoint's vocabulary)
    checkpoint = bert_checkpoint.pretrained_bert()
    tokenizer = tokenization.FullTokenizer(checkpoint.vocab, do_lower_case=checkpoint.lower_case)
    x_train = np.stack(tokenization.features(train, profile.sequence_length, tokenizer), axis=1)
    x_test = np.stack(tokenization.features(test, profile.sequence_length, tokenizer), axis=1)
    return x_train, y_train, x_test, y_test


def build_model(profile: Profile) -> TF1Graph:
    """BertModel from the checkpoint, run_classifier.py's head and loss, AdamWeightDecay."""
    checkpoint = bert_checkpoint.pretrained_bert()
    bert_config = modeling.BertConfig.from_dict(checkpoint.config)
    X = tf.compat.v1.placeholder(tf.int32, [None, 3, profile.sequence_length])
    Y = tf.compat.v1.placeholder(tf.int64, [None])
    dropout = tf.compat.v1.placeholder_with_default(False, [])  # True while training

    # 定义模型 (BERT, then the classifier on the pooled [CLS] output)
    model = modeling.BertModel(bert_config, dropout, input_ids=X[:, 0], input_mask=X[:, 1],
                               token_type_ids=X[:, 2])
    output_layer = model.get_pooled_output()
    hidden_size = output_layer.shape[-1]
    output_weights = tf.compat.v1.get_variable(
        "output_weights", [num_labels(profile), hidden_size],
        initializer=tf.compat.v1.truncated_normal_initializer(stddev=0.02))
    output_bias = tf.compat.v1.get_variable("output_bias", [num_labels(profile)],
                                            initializer=tf.compat.v1.zeros_initializer())
    with tf.compat.v1.variable_scope("loss"):
        output_layer = tf.nn.dropout(output_layer, rate=tf.where(dropout, 0.1, 0.0))
        logits = tf.matmul(output_layer, output_weights, transpose_b=True) + output_bias
        log_probs = tf.nn.log_softmax(logits, axis=-1)
        one_hot_labels = tf.one_hot(Y, depth=num_labels(profile), dtype=tf.float32)
        loss = tf.reduce_mean(-tf.reduce_sum(one_hot_labels * log_probs, axis=-1))

    # from_pretrained: every BERT variable starts from the checkpoint, by name
    assignment_map, _ = modeling.get_assignment_map_from_checkpoint(
        tf.compat.v1.trainable_variables(), checkpoint.google_checkpoint)
    tf.compat.v1.train.init_from_checkpoint(checkpoint.google_checkpoint, assignment_map)

    # 定义优化器 (BERT's AdamWeightDecay: warm-up, then linear decay to 0 at the last step)
    num_train_steps = profile.epochs * -(-len_of_training(profile) // batch_size(profile))
    train_op = optimization.create_optimizer(loss, profile.learning_rate, num_train_steps,
                                             int(num_train_steps * WARMUP_PROPORTION))
    correct = tf.equal(tf.argmax(logits, axis=-1), Y)
    accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
    return TF1Graph(X=X, Y=Y, output=logits, loss=loss, train_op=train_op, accuracy=accuracy,
                    extra={"dropout": dropout, "pooled_output": model.get_pooled_output()})


def len_of_training(profile: Profile) -> int:
    """How many training sentences the profile has (the optimizer's schedule needs it)."""
    if profile.data == "mr":
        return profile.train_size or len(polarity.load_polarity().train_sentences)
    return len(ARTICLE_DATA[profile.data][0])


def batch_size(profile: Profile) -> int:
    return profile.batch_size or len_of_training(profile)


def train(sess: tf.compat.v1.Session, graph: TF1Graph, x_train: np.ndarray,
          y_train: np.ndarray, profile: Profile, verbose: int = 1) -> History:
    """Shuffled mini-batches of the features, dropout on; returns the mean loss per epoch."""
    # 训练模型 (one AdamWeightDecay step per batch, fed through the placeholders)
    def step(x_batch: np.ndarray, y_batch: np.ndarray) -> float:
        _, loss_val = sess.run([graph.train_op, graph.loss],
                               feed_dict={graph.X: x_batch, graph.Y: y_batch,
                                          graph.extra["dropout"]: profile.dropout})
        return loss_val

    history = feeding.shuffled_epochs(step, x_train, y_train, profile, verbose)
    if verbose and profile.data != "mr":
        for epoch, loss_val in enumerate(history["loss"]):
            print(f"Epoch {epoch + 1}, Loss: {loss_val}")  # the article's own print
    return history


def run(profile: Profile, seed: int = 0, out_dir: str | Path | None = None,
        verbose: int = 1) -> RunResult:
    """Load the sentences, build BERT from the checkpoint, fine-tune, evaluate."""
    # 训练模型 (legacy_tf1/session.py: graph, Session, initializer, train, evaluate)
    return session.run_program("bert_classifier", load_data, build_model, train, profile,
                               seed, verbose).result


if __name__ == "__main__":
    from tfport.script import run_as_script
    raise SystemExit(run_as_script("bert_classifier", run))
