"""BERT's encoder in NumPy, straight from a Hugging Face checkpoint: the third opinion.

`pooled_output` computes in float64 what Hugging Face's `BertModel` computes, so that the
checks can tell whether the two ports agree because both are right (docs/bert.md).
`gelu="exact"` is the erf form this model was trained with, `"tanh"` the approximation
google-research/bert and KerasHub compute.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

EPSILON = 1e-12  # LayerNorm's, in BERT's config (layer_norm_eps)


def _gelu(x: np.ndarray, form: Literal["exact", "tanh"]) -> np.ndarray:
    if form == "exact":
        erf = np.vectorize(math.erf, otypes=[np.float64])
        return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def pooled_output(weights: dict[str, np.ndarray], config: dict, token_ids: np.ndarray,
                  padding_mask: np.ndarray, segment_ids: np.ndarray,
                  gelu: Literal["exact", "tanh"] = "exact") -> np.ndarray:
    """BERT's pooled [CLS] output, [batch, hidden], for token features [batch, seq]."""
    w = {name.removeprefix("bert."): value.astype("float64") for name, value in weights.items()}

    def norm(prefix: str, x: np.ndarray) -> np.ndarray:
        gamma = w.get(f"{prefix}.LayerNorm.weight", w.get(f"{prefix}.LayerNorm.gamma"))
        beta = w.get(f"{prefix}.LayerNorm.bias", w.get(f"{prefix}.LayerNorm.beta"))
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + EPSILON) * gamma + beta

    def dense(prefix: str, x: np.ndarray) -> np.ndarray:
        return x @ w[f"{prefix}.weight"].T + w[f"{prefix}.bias"]

    length = token_ids.shape[1]
    x = norm("embeddings", w["embeddings.word_embeddings.weight"][token_ids]
             + w["embeddings.position_embeddings.weight"][:length][np.newaxis]
             + w["embeddings.token_type_embeddings.weight"][segment_ids])
    heads = config["num_attention_heads"]
    size = config["hidden_size"] // heads
    adder = (1.0 - padding_mask[:, np.newaxis, np.newaxis, :].astype("float64")) * -10000.0
    for i in range(config["num_hidden_layers"]):
        block = f"encoder.layer.{i}"

        def split(t: np.ndarray) -> np.ndarray:  # [batch, seq, hidden] -> [batch, heads, seq, size]
            return t.reshape(t.shape[0], length, heads, size).transpose(0, 2, 1, 3)

        query, key, value = (split(dense(f"{block}.attention.self.{part}", x))
                             for part in ("query", "key", "value"))
        scores = query @ key.transpose(0, 1, 3, 2) / math.sqrt(size) + adder
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        context = (probs @ value).transpose(0, 2, 1, 3).reshape(x.shape)
        x = norm(f"{block}.attention.output", dense(f"{block}.attention.output.dense", context) + x)
        hidden = _gelu(dense(f"{block}.intermediate.dense", x), gelu)
        x = norm(f"{block}.output", dense(f"{block}.output.dense", hidden) + x)
    return np.tanh(dense("pooler.dense", x[:, 0]))
