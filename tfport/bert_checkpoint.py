"""A released-layout BERT checkpoint folder, and its weights in a KerasHub `BertBackbone`.

A BERT folder (`uncased_L-2_H-128_A-2/`, as Google released them, or one that
`legacy_tf1/bert/checkpoint.py` made) holds `bert_config.json`, `vocab.txt` and the TF1
checkpoint `bert_model.ckpt.*`. `read_folder` checks it; `load_backbone` maps every
checkpoint variable onto its KerasHub weight:

    bert/embeddings/word_embeddings              token_embedding/embeddings
    bert/embeddings/position_embeddings          position_embedding/embeddings (first rows)
    bert/embeddings/token_type_embeddings        segment_embedding/embeddings
    bert/embeddings/LayerNorm/{gamma,beta}       embeddings_layer_norm/{gamma,beta}
    bert/encoder/layer_i/attention/self/{query,key,value}/kernel (hidden, hidden)
                                                 transformer_layer_i/self_attention_layer/
                                                 {query,key,value}/kernel (hidden, heads, size)
    bert/encoder/layer_i/attention/output/dense/kernel (hidden, hidden)
                                                 .../attention_output/kernel (heads, size, hidden)
    bert/encoder/layer_i/attention/output/LayerNorm   .../self_attention_layer_norm
    bert/encoder/layer_i/intermediate/dense       .../feedforward_intermediate_dense
    bert/encoder/layer_i/output/dense             .../feedforward_output_dense
    bert/encoder/layer_i/output/LayerNorm         .../feedforward_layer_norm
    bert/pooler/dense                             pooled_dense

The pre-training heads (`cls/...`) and a training run's bookkeeping (`global_step`, Adam's
`adam_m` / `adam_v`) are not part of the backbone and are left out by name; any other
variable, a missing one or a shape that does not fit is a `TransferError` naming it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from tfport.errors import TransferError

CHECKPOINT = "bert_model.ckpt"
NOT_THE_BACKBONE = ("cls/", "global_step", "output_weights", "output_bias")


class BertFolder(NamedTuple):
    config: dict[str, Any]  # bert_config.json
    vocab: Path  # vocab.txt
    checkpoint: str  # the checkpoint's path prefix


def read_folder(folder: str | Path) -> BertFolder:
    """Check a BERT folder: its config, its vocabulary, its checkpoint."""
    folder = Path(folder)
    fix = ("give the folder of a BERT checkpoint as released (bert_config.json, vocab.txt, "
           "bert_model.ckpt.*), or make one with `tfport bert-checkpoint DIR`")
    if not folder.is_dir():
        raise TransferError(f"no BERT folder at {folder}; {fix}")
    for name in ("bert_config.json", "vocab.txt", f"{CHECKPOINT}.index"):
        if not (folder / name).is_file():
            raise TransferError(f"{folder} has no {name}; {fix}")
    try:
        config = json.loads((folder / "bert_config.json").read_text())
    except ValueError as error:
        raise TransferError(f"{folder / 'bert_config.json'} is not JSON ({error}); {fix}") from None
    return BertFolder(config, folder / "vocab.txt", str(folder / CHECKPOINT))


def backbone_arguments(config: dict[str, Any], sequence_length: int) -> dict[str, Any]:
    """`keras_hub.models.BertBackbone`'s arguments for a `bert_config.json`."""
    return {"vocabulary_size": config["vocab_size"], "num_layers": config["num_hidden_layers"],
            "num_heads": config["num_attention_heads"], "hidden_dim": config["hidden_size"],
            "intermediate_dim": config["intermediate_size"],
            "dropout": config["hidden_dropout_prob"], "max_sequence_length": sequence_length,
            "num_segments": config["type_vocab_size"]}


def tf1_names(backbone: Any) -> dict[str, str]:
    """Each weight path of a KerasHub BertBackbone -> the TF1 checkpoint variable it is."""
    return {path: name for path, (name, _) in _mapping(backbone).items()}


def _mapping(backbone: Any) -> dict[str, tuple[str, Any]]:
    """KerasHub weight path -> (checkpoint variable, how to reshape its value)."""
    heads = backbone.num_heads
    size = backbone.hidden_dim // heads
    wanted: dict[str, tuple[str, Any]] = {
        "token_embedding/embeddings": ("bert/embeddings/word_embeddings", None),
        "position_embedding/embeddings": ("bert/embeddings/position_embeddings",
                                          lambda v: v[:backbone.max_sequence_length]),
        "segment_embedding/embeddings": ("bert/embeddings/token_type_embeddings", None),
        "embeddings_layer_norm/gamma": ("bert/embeddings/LayerNorm/gamma", None),
        "embeddings_layer_norm/beta": ("bert/embeddings/LayerNorm/beta", None),
        "pooled_dense/kernel": ("bert/pooler/dense/kernel", None),
        "pooled_dense/bias": ("bert/pooler/dense/bias", None),
    }
    for i in range(backbone.num_layers):
        tf1, keras = f"bert/encoder/layer_{i}", f"transformer_layer_{i}"
        for part in ("query", "key", "value"):
            wanted[f"{keras}/self_attention_layer/{part}/kernel"] = (
                f"{tf1}/attention/self/{part}/kernel", lambda v: v.reshape(v.shape[0], heads, size))
            wanted[f"{keras}/self_attention_layer/{part}/bias"] = (
                f"{tf1}/attention/self/{part}/bias", lambda v: v.reshape(heads, size))
        wanted[f"{keras}/self_attention_layer/attention_output/kernel"] = (
            f"{tf1}/attention/output/dense/kernel", lambda v: v.reshape(heads, size, v.shape[1]))
        wanted[f"{keras}/self_attention_layer/attention_output/bias"] = (
            f"{tf1}/attention/output/dense/bias", None)
        for keras_part, tf1_part in (("self_attention_layer_norm", "attention/output/LayerNorm"),
                                     ("feedforward_layer_norm", "output/LayerNorm")):
            wanted[f"{keras}/{keras_part}/gamma"] = (f"{tf1}/{tf1_part}/gamma", None)
            wanted[f"{keras}/{keras_part}/beta"] = (f"{tf1}/{tf1_part}/beta", None)
        for keras_part, tf1_part in (("feedforward_intermediate_dense", "intermediate/dense"),
                                     ("feedforward_output_dense", "output/dense")):
            wanted[f"{keras}/{keras_part}/kernel"] = (f"{tf1}/{tf1_part}/kernel", None)
            wanted[f"{keras}/{keras_part}/bias"] = (f"{tf1}/{tf1_part}/bias", None)
    return wanted


def backbone_values(checkpoint: str, backbone: Any) -> dict[str, np.ndarray]:
    """Every weight of `backbone` (by its path), from the checkpoint, in KerasHub's shapes."""
    import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(checkpoint)
        shapes = reader.get_variable_to_shape_map()
    except (tf.errors.OpError, ValueError, OSError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TransferError(f"cannot read the checkpoint {checkpoint} ({reason})") from None
    wanted = _mapping(backbone)
    used = {name for name, _ in wanted.values()}
    extra = sorted(name for name in shapes if name not in used and not name.startswith(
        NOT_THE_BACKBONE) and not name.endswith(("/adam_m", "/adam_v")))
    if extra:
        raise TransferError(f"the checkpoint {checkpoint} has a variable {extra[0]!r} that a "
                            f"BERT backbone does not (is it a BERT checkpoint?)")
    values = {}
    weights = {weight.path: weight for weight in backbone.weights}
    for path, (name, reshape) in wanted.items():
        if name not in shapes:
            raise TransferError(f"the checkpoint {checkpoint} has no variable {name!r}, which "
                                f"the Keras backbone's {path} needs")
        value = reader.get_tensor(name)
        try:
            value = reshape(value) if reshape else value
        except ValueError:
            value = None
        expected = tuple(weights[path].shape)
        if value is None or tuple(value.shape) != expected:
            raise TransferError(f"variable {name!r} has shape {tuple(shapes[name])} in the "
                                f"checkpoint, which does not fit the Keras backbone's {path} "
                                f"{expected}: a config that is not this checkpoint's?")
        values[path] = value
    return values


def load_backbone(checkpoint: str, backbone: Any) -> Any:
    """Set every weight of a KerasHub `BertBackbone` from a TF1 BERT checkpoint."""
    values = backbone_values(checkpoint, backbone)
    for weight in backbone.weights:
        weight.assign(values[weight.path])
    return backbone


ENV_VAR = "TFPORT_BERT_DIR"
DEFAULT_FOLDER = Path("runs") / "bert" / "uncased_L-2_H-128_A-2"


def bert_dir() -> Path:
    """Where the BERT checkpoint is: $TFPORT_BERT_DIR, else runs/bert/uncased_L-2_H-128_A-2."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_FOLDER)


def bert_folder() -> BertFolder:
    """The checked BERT folder the ports load, as a user's released checkpoint."""
    return read_folder(bert_dir())


def make_folder(folder: str | Path | None = None, verbose: bool = True) -> Path:
    """Write a random-weight BERT-Tiny checkpoint in the released layout (the vocabulary
    trained on the movie-review training sentences and the article's sentences)."""
    import importlib

    from tfport import polarity
    from tfport.examples import tf1_port

    folder = Path(folder or bert_dir())
    if verbose:
        print(f"Writing a BERT checkpoint of random weights in {folder} (no pretrained BERT "
              f"can be downloaded here; see legacy_tf1/bert/checkpoint.py)", flush=True)
    sentences = polarity.load_polarity().train_sentences + [
        sentence for texts, _, _ in tf1_port("bert_classifier").ARTICLE_DATA.values()
        for sentence in texts]
    writer = importlib.import_module("legacy_tf1.bert.checkpoint")
    return writer.write_checkpoint(folder, sentences)
