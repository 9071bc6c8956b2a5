"""A BERT checkpoint in the released layout, made here: no pretrained BERT can be downloaded.

Every released BERT (`uncased_L-2_H-128_A-2`, `cased_L-12_H-768_A-12`, ...) is a folder of
`bert_config.json`, `vocab.txt` and a TF1 Saver checkpoint `bert_model.ckpt.{index,data-*,
meta}` holding the encoder (`bert/...`) and the pre-training heads (`cls/predictions/...`,
`cls/seq_relationship/...`). `write_checkpoint` makes exactly that, with:

- a WordPiece vocabulary learned on the sentences given, lower-cased and without accents,
  as the uncased models are, by TensorFlow Text's learner (`bert_vocab_from_dataset`, the
  one TensorFlow's subword-tokenizer guide uses): the same sentences give the same
  vocabulary every time (the `tokenizers` package's trainer did not: its ties came out in
  another order in each process, and with them the ids and every BERT result);
- **random weights**, drawn as BERT initializes them (truncated normal, stddev 0.02;
  LayerNorm 1 and 0; biases 0): nothing here is pre-trained, so a model starting from this
  checkpoint learns from its fine-tuning data alone.

Both ports load it by the path a user gives a released checkpoint.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Iterable

import tensorflow as tf

from legacy_tf1.bert import modeling
from tfport import runtime

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def bert_tiny_config(vocab_size: int) -> modeling.BertConfig:
    """BERT-Tiny's sizes (`uncased_L-2_H-128_A-2`, Turc et al. 2019)."""
    return modeling.BertConfig(vocab_size=vocab_size, hidden_size=128, num_hidden_layers=2,
                               num_attention_heads=2, intermediate_size=512,
                               max_position_embeddings=512, type_vocab_size=2)


def write_vocab(sentences: Iterable[str], path: Path, vocab_size: int) -> int:
    """Learn a WordPiece vocabulary of at most `vocab_size` tokens from `sentences`, the
    special tokens first; write it as vocab.txt; return its size."""
    from tensorflow_text.tools.wordpiece_vocab import bert_vocab_from_dataset as bert_vocab

    vocab = bert_vocab.bert_vocab_from_dataset(
        tf.data.Dataset.from_tensor_slices(list(sentences)).batch(1000),
        vocab_size=vocab_size, reserved_tokens=SPECIAL_TOKENS,
        bert_tokenizer_params={"lower_case": True},  # NFD, accents stripped, lower-cased
        learn_params={"lower_thresh": 2})  # seen twice; the default 10 keeps only 1,413 tokens here
    path.write_text("".join(f"{token}\n" for token in vocab), encoding="utf-8")
    return len(vocab)


def write_checkpoint(out_dir: str | Path, sentences: Iterable[str], vocab_size: int = 8000,
                     seed: int = 0) -> Path:
    """`bert_config.json`, `vocab.txt` and `bert_model.ckpt.*` in `out_dir`, as released."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    size = write_vocab(sentences, out_dir / "vocab.txt", vocab_size)
    config = bert_tiny_config(size)
    (out_dir / "bert_config.json").write_text(config.to_json_string())

    runtime.use_legacy_keras()
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        tf.compat.v1.set_random_seed(seed)
        random.seed(seed)
        input_ids = tf.compat.v1.placeholder(tf.int32, [None, None], name="input_ids")
        model = modeling.BertModel(config, tf.constant(False), input_ids,
                                   tf.ones_like(input_ids), tf.zeros_like(input_ids))
        _pretraining_heads(config, model)
        sess.run(tf.compat.v1.global_variables_initializer())
        tf.compat.v1.train.Saver().save(sess, str(out_dir / "bert_model.ckpt"),
                                        write_state=False)
    return out_dir


def _pretraining_heads(config: modeling.BertConfig, model: modeling.BertModel) -> None:
    """The masked-LM and next-sentence heads every released checkpoint carries (fine-tuning
    never reads them; they are here so that the layout is the released one)."""
    initializer = modeling.create_initializer(config.initializer_range)
    with tf.compat.v1.variable_scope("cls/predictions"):
        with tf.compat.v1.variable_scope("transform"):
            hidden = tf.compat.v1.layers.dense(model.get_sequence_output(), config.hidden_size,
                                               activation=modeling.gelu,
                                               kernel_initializer=initializer)
            modeling.layer_norm(hidden)
        tf.compat.v1.get_variable("output_bias", [config.vocab_size],
                                  initializer=tf.compat.v1.zeros_initializer())
    with tf.compat.v1.variable_scope("cls/seq_relationship"):
        tf.compat.v1.get_variable("output_weights", [2, config.hidden_size],
                                  initializer=initializer)
        tf.compat.v1.get_variable("output_bias", [2], initializer=tf.compat.v1.zeros_initializer())
