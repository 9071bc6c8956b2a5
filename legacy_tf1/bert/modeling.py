"""BERT's model, as google-research/bert's `modeling.py` defines it, in `tf.compat.v1`.

`BertModel` builds, under the variable scope `bert`, the embeddings (word, token type and
position, summed, then LayerNorm and dropout), the Transformer encoder (per layer:
multi-head self-attention with the additive -10000 mask, a dense output with residual and
LayerNorm, a GELU intermediate layer, a dense output with residual and LayerNorm) and the
pooler (a tanh dense layer on the [CLS] position). Every variable has the name it has in
every released BERT checkpoint (`bert/embeddings/word_embeddings`,
`bert/encoder/layer_0/attention/self/query/kernel`, ..., `bert/pooler/dense/kernel`), so
`tf.compat.v1.train.init_from_checkpoint` loads one by name.

What changed against the original, because TensorFlow 2 removed it: `tf.contrib.layers.
layer_norm` is written out (same variables `LayerNorm/beta` and `LayerNorm/gamma`, same
epsilon 1e-12), and dropout takes its rate from a tensor, so that one graph trains with
dropout and evaluates without it (the Estimator built one graph per mode instead).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import tensorflow as tf


@dataclasses.dataclass
class BertConfig:
    """`bert_config.json`: the sizes of a BERT model."""

    vocab_size: int
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 16
    initializer_range: float = 0.02

    @classmethod
    def from_dict(cls, json_object: dict) -> BertConfig:
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in json_object.items() if key in names})

    @classmethod
    def from_json_file(cls, json_file: str | Path) -> BertConfig:
        return cls.from_dict(json.loads(Path(json_file).read_text()))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json_string(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"


class BertModel:
    """BERT on `input_ids` [batch, seq]; `dropout` is a boolean tensor: True while training."""

    def __init__(self, config: BertConfig, dropout: tf.Tensor, input_ids: tf.Tensor,
                 input_mask: tf.Tensor, token_type_ids: tf.Tensor, scope: str = "bert"):
        hidden_dropout = tf.where(dropout, config.hidden_dropout_prob, 0.0)
        attention_dropout = tf.where(dropout, config.attention_probs_dropout_prob, 0.0)
        with tf.compat.v1.variable_scope(scope):
            with tf.compat.v1.variable_scope("embeddings"):
                self.embedding_output, self.embedding_table = embedding_lookup(
                    input_ids, config.vocab_size, config.hidden_size, config.initializer_range)
                self.embedding_output = embedding_postprocessor(
                    self.embedding_output, token_type_ids, config.type_vocab_size,
                    config.max_position_embeddings, config.initializer_range, hidden_dropout)

            with tf.compat.v1.variable_scope("encoder"):
                attention_mask = create_attention_mask_from_input_mask(input_ids, input_mask)
                self.all_encoder_layers = transformer_model(
                    self.embedding_output, attention_mask, config.hidden_size,
                    config.num_hidden_layers, config.num_attention_heads,
                    config.intermediate_size, get_activation(config.hidden_act),
                    hidden_dropout, attention_dropout, config.initializer_range)
            self.sequence_output = self.all_encoder_layers[-1]

            # The pooler: the hidden state of the first token ([CLS]) through a tanh layer.
            with tf.compat.v1.variable_scope("pooler"):
                first_token_tensor = tf.squeeze(self.sequence_output[:, 0:1, :], axis=1)
                self.pooled_output = tf.compat.v1.layers.dense(
                    first_token_tensor, config.hidden_size, activation=tf.tanh,
                    kernel_initializer=create_initializer(config.initializer_range))

    def get_pooled_output(self) -> tf.Tensor:
        return self.pooled_output

    def get_sequence_output(self) -> tf.Tensor:
        return self.sequence_output


def gelu(x: tf.Tensor) -> tf.Tensor:
    """GELU in its tanh form, as BERT computes it."""
    cdf = 0.5 * (1.0 + tf.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * tf.pow(x, 3))))
    return x * cdf


def get_activation(name: str):
    activations = {"linear": None, "relu": tf.nn.relu, "gelu": gelu, "tanh": tf.tanh}
    if name.lower() not in activations:
        raise ValueError(f"unsupported activation {name!r} in bert_config.json")
    return activations[name.lower()]


def dropout(input_tensor: tf.Tensor, rate: tf.Tensor) -> tf.Tensor:
    """Dropout whose rate is a tensor (0 when not training: the input unchanged)."""
    return tf.nn.dropout(input_tensor, rate=rate)


def layer_norm(input_tensor: tf.Tensor, name: str = "LayerNorm") -> tf.Tensor:
    """`tf.contrib.layers.layer_norm` over the last axis, written out: its variables
    `LayerNorm/beta` and `LayerNorm/gamma`, its epsilon 1e-12."""
    with tf.compat.v1.variable_scope(name):
        size = input_tensor.shape[-1]
        beta = tf.compat.v1.get_variable("beta", [size], initializer=tf.compat.v1.zeros_initializer())
        gamma = tf.compat.v1.get_variable("gamma", [size], initializer=tf.compat.v1.ones_initializer())
        mean, variance = tf.nn.moments(input_tensor, axes=[-1], keepdims=True)
        return tf.nn.batch_normalization(input_tensor, mean, variance, beta, gamma,
                                         variance_epsilon=1e-12)


def layer_norm_and_dropout(input_tensor: tf.Tensor, rate: tf.Tensor) -> tf.Tensor:
    return dropout(layer_norm(input_tensor), rate)


def create_initializer(initializer_range: float = 0.02):
    return tf.compat.v1.truncated_normal_initializer(stddev=initializer_range)


def embedding_lookup(input_ids: tf.Tensor, vocab_size: int, embedding_size: int,
                     initializer_range: float) -> tuple[tf.Tensor, tf.Variable]:
    """Word embeddings of `input_ids` [batch, seq] -> [batch, seq, embedding_size]."""
    embedding_table = tf.compat.v1.get_variable(
        "word_embeddings", [vocab_size, embedding_size],
        initializer=create_initializer(initializer_range))
    return tf.gather(embedding_table, input_ids), embedding_table


def embedding_postprocessor(input_tensor: tf.Tensor, token_type_ids: tf.Tensor,
                            token_type_vocab_size: int, max_position_embeddings: int,
                            initializer_range: float, dropout_rate: tf.Tensor) -> tf.Tensor:
    """Add token-type and position embeddings, then LayerNorm and dropout."""
    seq_length = tf.shape(input_tensor)[1]
    width = input_tensor.shape[-1]
    token_type_table = tf.compat.v1.get_variable(
        "token_type_embeddings", [token_type_vocab_size, width],
        initializer=create_initializer(initializer_range))
    output = input_tensor + tf.gather(token_type_table, token_type_ids)
    full_position_embeddings = tf.compat.v1.get_variable(
        "position_embeddings", [max_position_embeddings, width],
        initializer=create_initializer(initializer_range))
    # The first seq_length positions, broadcast over the batch.
    output += tf.slice(full_position_embeddings, [0, 0], [seq_length, -1])[tf.newaxis]
    return layer_norm_and_dropout(output, dropout_rate)


def create_attention_mask_from_input_mask(from_tensor: tf.Tensor,
                                          to_mask: tf.Tensor) -> tf.Tensor:
    """[batch, from_seq, to_seq] of 1 where a position may attend, from the [batch, seq] mask."""
    to_mask = tf.cast(to_mask[:, tf.newaxis, :], tf.float32)
    broadcast_ones = tf.ones_like(tf.cast(from_tensor, tf.float32))[:, :, tf.newaxis]
    return broadcast_ones * to_mask


def attention_layer(from_tensor: tf.Tensor, attention_mask: tf.Tensor, num_attention_heads: int,
                    size_per_head: int, attention_dropout: tf.Tensor,
                    initializer_range: float) -> tf.Tensor:
    """Multi-head self-attention: [batch, seq, width] -> [batch, seq, heads * size_per_head]."""
    batch_size, seq_length = tf.shape(from_tensor)[0], tf.shape(from_tensor)[1]

    def projection(name: str) -> tf.Tensor:
        layer = tf.compat.v1.layers.dense(from_tensor, num_attention_heads * size_per_head,
                                          name=name,
                                          kernel_initializer=create_initializer(initializer_range))
        # [batch, seq, heads, size] -> [batch, heads, seq, size]
        layer = tf.reshape(layer, [batch_size, seq_length, num_attention_heads, size_per_head])
        return tf.transpose(layer, [0, 2, 1, 3])

    query_layer, key_layer, value_layer = projection("query"), projection("key"), projection("value")
    attention_scores = tf.matmul(query_layer, key_layer, transpose_b=True)
    attention_scores *= 1.0 / math.sqrt(float(size_per_head))
    # 1 where attending is allowed, 0 at padding: adding -10000 there leaves those positions
    # no weight after the softmax.
    adder = (1.0 - attention_mask[:, tf.newaxis, :, :]) * -10000.0
    attention_probs = tf.nn.softmax(attention_scores + adder)
    attention_probs = dropout(attention_probs, attention_dropout)
    context_layer = tf.transpose(tf.matmul(attention_probs, value_layer), [0, 2, 1, 3])
    return tf.reshape(context_layer, [batch_size, seq_length, num_attention_heads * size_per_head])


def transformer_model(input_tensor: tf.Tensor, attention_mask: tf.Tensor, hidden_size: int,
                      num_hidden_layers: int, num_attention_heads: int, intermediate_size: int,
                      intermediate_act_fn, hidden_dropout: tf.Tensor,
                      attention_dropout: tf.Tensor, initializer_range: float) -> list[tf.Tensor]:
    """The Transformer encoder of "Attention is All You Need"; returns every layer's output."""
    if hidden_size % num_attention_heads:
        raise ValueError(f"the hidden size ({hidden_size}) is not a multiple of the number "
                         f"of attention heads ({num_attention_heads})")
    size_per_head = hidden_size // num_attention_heads
    initializer = create_initializer(initializer_range)
    prev_output, all_layer_outputs = input_tensor, []
    for layer_idx in range(num_hidden_layers):
        with tf.compat.v1.variable_scope(f"layer_{layer_idx}"):
            layer_input = prev_output
            with tf.compat.v1.variable_scope("attention"):
                with tf.compat.v1.variable_scope("self"):
                    attention_output = attention_layer(layer_input, attention_mask,
                                                       num_attention_heads, size_per_head,
                                                       attention_dropout, initializer_range)
                with tf.compat.v1.variable_scope("output"):
                    attention_output = tf.compat.v1.layers.dense(
                        attention_output, hidden_size, kernel_initializer=initializer)
                    attention_output = dropout(attention_output, hidden_dropout)
                    attention_output = layer_norm(attention_output + layer_input)
            with tf.compat.v1.variable_scope("intermediate"):
                intermediate_output = tf.compat.v1.layers.dense(
                    attention_output, intermediate_size, activation=intermediate_act_fn,
                    kernel_initializer=initializer)
            with tf.compat.v1.variable_scope("output"):
                layer_output = tf.compat.v1.layers.dense(intermediate_output, hidden_size,
                                                         kernel_initializer=initializer)
                layer_output = dropout(layer_output, hidden_dropout)
                layer_output = layer_norm(layer_output + attention_output)
            prev_output = layer_output
            all_layer_outputs.append(layer_output)
    return all_layer_outputs


def get_assignment_map_from_checkpoint(
        tvars: list[tf.Variable], init_checkpoint: str) -> tuple[dict[str, str], dict[str, int]]:
    """Which graph variables a checkpoint has, by name: the assignment map for
    `tf.compat.v1.train.init_from_checkpoint`, and the names initialized from it."""
    name_to_variable = collections.OrderedDict()
    for var in tvars:
        name = re.match("^(.*):\\d+$", var.name).group(1)
        name_to_variable[name] = var
    assignment_map: dict[str, str] = collections.OrderedDict()
    initialized_variable_names = {}
    for name, _ in tf.train.list_variables(init_checkpoint):
        if name not in name_to_variable:
            continue
        assignment_map[name] = name
        initialized_variable_names[name] = 1
        initialized_variable_names[name + ":0"] = 1
    return assignment_map, initialized_variable_names
