"""The one loader of the BERT example's pretrained checkpoint, in each API's own layout
(where it comes from, how each port reads it, and where each Hugging Face name goes:
docs/bert.md).

`pretrained_bert()` finds the folder; `write_google_folder` converts a Hugging Face folder into
google-research/bert's layout for the TF1 port (`google_name`; KerasHub's `from_preset` reads
it as it is); `load_backbone` puts a google-research/bert release into KerasHub's weights
(`tf1_names`). "gelu" in config.json is the erf GELU Hugging Face trained with but the tanh one
to google-research/bert and KerasHub: both ports compute the tanh form, as their users would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np

from tfport.errors import TransferError

ENV_VAR = "TFPORT_BERT_DIR"
CACHE_VAR = "TFPORT_CACHE"
CHECKPOINT = "bert_model.ckpt"
HUB = "https://huggingface.co"
NOT_THE_BACKBONE = ("cls/", "global_step", "output_weights", "output_bias")


class Pinned(NamedTuple):
    """A pretrained model on its hub, at one revision, with the hashes of its files."""

    name: str
    repository: str
    revision: str
    sha256: dict[str, str]  # file name -> sha256 of its bytes


PRETRAINED = Pinned(
    "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2",
    "1110a243fdf4706b3f48f1d95db1a4f5529b4d41",
    {"config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
     "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
     "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"})


@dataclasses.dataclass(frozen=True)
class BertCheckpoint:
    """One pretrained BERT; each API's layout is written into the cache when first asked for."""

    source: Path  # the folder found (Hugging Face or google-research/bert layout)
    layout: Literal["huggingface", "google"]
    config: dict[str, Any]  # bert_config.json (google's keys)
    vocab: Path  # vocab.txt
    lower_case: bool  # an uncased model: its tokenizer lower-cases and strips accents

    @property
    def google_checkpoint(self) -> str:
        """The TF1 port's: the path prefix of `bert_model.ckpt.*` in google's layout."""
        if self.layout == "google":
            return str(self.source / CHECKPOINT)
        folder = _cached(self.source, "google", lambda out: write_google_folder(self.source, out))
        return str(folder / CHECKPOINT)

    @property
    def keras_preset(self) -> Path:
        """The Keras port's: a folder `keras_hub.models.BertBackbone.from_preset` loads."""
        if self.layout == "huggingface":
            return self.source
        return _cached(self.source, "keras-preset",
                       lambda out: write_keras_preset(self.source, out))


def cache_dir() -> Path:
    """Where downloads and converted checkpoints are kept: $TFPORT_CACHE, else ~/.cache/tfport."""
    return Path(os.environ.get(CACHE_VAR) or Path.home() / ".cache" / "tfport")


def pretrained_bert() -> BertCheckpoint:
    """The checked BERT checkpoint both ports load: $TFPORT_BERT_DIR's, else the pinned model,
    downloaded once."""
    if os.environ.get(ENV_VAR):
        folder = Path(os.environ[ENV_VAR])
    else:
        folder = cache_dir() / "bert" / f"{PRETRAINED.name}-{PRETRAINED.revision[:7]}"
        if not all((folder / name).is_file() for name in PRETRAINED.sha256):
            download(folder)
    layout = folder_layout(folder)
    if layout == "huggingface":
        config = google_config(read_hf_config(folder))
        read_safetensors(folder, header_only=True)
        return BertCheckpoint(folder, layout, config, folder / "vocab.txt", hf_lower_case(folder))
    released = read_folder(folder)
    # google-research/bert's README: the uncased models lower-case, the cased ones do not
    return BertCheckpoint(folder, layout, released.config, released.vocab,
                          not folder.name.startswith("cased"))


def folder_layout(folder: Path) -> Literal["huggingface", "google"]:
    """Which layout a BERT folder has; TransferError saying what to give where it has none."""
    if (folder / "config.json").is_file() and (folder / "model.safetensors").is_file():
        return "huggingface"
    if (folder / "bert_config.json").is_file():
        return "google"
    raise TransferError(
        f"no BERT checkpoint at {folder} (${ENV_VAR}): give a Hugging Face BERT folder "
        f"(config.json, model.safetensors, vocab.txt) or one google-research/bert released "
        f"(bert_config.json, vocab.txt, bert_model.ckpt.*), or unset ${ENV_VAR} to download "
        f"{PRETRAINED.repository}")


def download(folder: Path, hub: str = HUB) -> Path:
    """The pinned model's files into `folder`, each kept only once its sha256 is checked."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, expected in PRETRAINED.sha256.items():
        if (folder / name).is_file():
            continue
        url = f"{hub}/{PRETRAINED.repository}/resolve/{PRETRAINED.revision}/{name}"
        part = folder / f"{name}.part"
        try:
            with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, OSError) as error:
            part.unlink(missing_ok=True)
            reason = getattr(error, "reason", None) or error
            raise TransferError(f"cannot download {url} ({reason}); set ${ENV_VAR} to a "
                                f"local copy of {PRETRAINED.repository}") from None
        found = sha256(part)
        if found != expected:
            part.unlink()
            raise TransferError(f"{url} gave a file whose sha256 is {found}, not the pinned "
                                f"{expected} (a partial or changed file); nothing was kept")
        part.replace(folder / name)
    return folder


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached(source: Path, kind: str, write: Any) -> Path:
    """A folder written once from `source` by `write(folder)`, cached by the source's path,
    size and time; written into a temporary folder first, so no one reads it half-written."""
    weights = source / ("model.safetensors" if kind == "google" else f"{CHECKPOINT}.index")
    stat = weights.stat()
    key = hashlib.sha256(f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    target = cache_dir() / "bert" / f"{source.name}-{kind}-{key.hexdigest()[:12]}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    try:
        write(scratch)
        scratch.rename(target)
    except OSError:
        if not target.is_dir():  # another process won the race: use its folder
            raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def read_hf_config(folder: Path) -> dict[str, Any]:
    """A Hugging Face folder's config.json, checked to be a BERT's."""
    try:
        config = json.loads((folder / "config.json").read_text())
    except ValueError as error:
        raise TransferError(f"{folder / 'config.json'} is not JSON ({error})") from None
    if config.get("model_type") != "bert":
        raise TransferError(f"{folder} holds a {config.get('model_type')!r} model, not a BERT; "
                            f"set ${ENV_VAR} to a BERT folder")
    return config


def hf_lower_case(folder: Path) -> bool:
    """tokenizer_config.json's do_lower_case (True where there is none, BertTokenizer's default)."""
    path = folder / "tokenizer_config.json"
    if not path.is_file():
        return True
    try:
        return bool(json.loads(path.read_text()).get("do_lower_case", True))
    except ValueError as error:
        raise TransferError(f"{path} is not JSON ({error})") from None


def google_config(hf_config: dict[str, Any]) -> dict[str, Any]:
    """bert_config.json for a Hugging Face config.json (the same keys, google's subset)."""
    keys = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "hidden_act", "hidden_dropout_prob",
            "attention_probs_dropout_prob", "max_position_embeddings", "type_vocab_size",
            "initializer_range")
    return {key: hf_config[key] for key in keys}


def google_name(hf_name: str) -> tuple[str, bool] | None:
    """google-research/bert's name for a Hugging Face weight and whether it is transposed
    (docs/bert.md); None for what is not the encoder."""
    name = hf_name.removeprefix("bert.")
    if name.startswith("cls.") or name.endswith("position_ids"):
        return None
    *scope, leaf = re.sub(r"layer\.(\d+)", r"layer_\1", name).split(".")
    if scope and scope[-1] == "LayerNorm":
        renamed = {"weight": "gamma", "bias": "beta"}.get(leaf, leaf)
        return "bert/" + "/".join(scope + [renamed]), False
    if scope and scope[-1].endswith("_embeddings") and leaf == "weight":
        return "bert/" + "/".join(scope), False
    if leaf == "weight":
        return "bert/" + "/".join(scope + ["kernel"]), True
    if leaf == "bias":
        return "bert/" + "/".join(scope + ["bias"]), False
    raise TransferError(f"no google-research/bert name for the Hugging Face weight {hf_name!r}")


def read_safetensors(folder: Path, header_only: bool = False) -> dict[str, np.ndarray]:
    """model.safetensors's weights by name; with `header_only`, none: the file is only checked
    to be whole, before any long work starts."""
    from safetensors import SafetensorError, safe_open
    from safetensors.numpy import load_file

    path = folder / "model.safetensors"
    try:
        if not header_only:
            return load_file(str(path))
        with safe_open(str(path), framework="numpy") as file:
            file.keys()
        return {}
    except (SafetensorError, OSError, ValueError) as error:
        raise TransferError(f"cannot read {path} ({error}): a partial or damaged file? "
                            f"Fetch it again") from None


def write_google_folder(hf_folder: Path, out: Path) -> Path:
    """A Hugging Face BERT folder as google released theirs, in `out`."""
    import tensorflow as tf

    config = google_config(read_hf_config(hf_folder))
    values = {}  # by google-research/bert's names, in google's layout
    for hf_name, value in read_safetensors(hf_folder).items():
        named = google_name(hf_name)
        if named is not None:
            name, transpose = named
            values[name] = np.ascontiguousarray(value.T if transpose else value, dtype="float32")
    out.mkdir(parents=True, exist_ok=True)
    (out / "bert_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    shutil.copyfile(hf_folder / "vocab.txt", out / "vocab.txt")
    names = sorted(values)
    # A graph of its own: called while a TF1 port builds its graph, an eager op would only be
    # added to that graph.
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        fed = {name: tf.compat.v1.placeholder(tf.float32, values[name].shape) for name in names}
        sess.run(tf.raw_ops.SaveV2(prefix=str(out / CHECKPOINT), tensor_names=names,
                                   shape_and_slices=[""] * len(names),
                                   tensors=[fed[name] for name in names]),
                 {fed[name]: values[name] for name in names})
    return out


def write_keras_preset(google_folder: Path, out: Path) -> Path:
    """A KerasHub preset of a released google-research/bert folder."""
    import keras_hub

    released = read_folder(google_folder)
    backbone = keras_hub.models.BertBackbone(**backbone_arguments(released.config))
    load_backbone(released.checkpoint, backbone)
    backbone.save_to_preset(str(out))
    return out


class BertFolder(NamedTuple):
    config: dict[str, Any]  # bert_config.json
    vocab: Path  # vocab.txt
    checkpoint: str  # the checkpoint's path prefix


def read_folder(folder: str | Path) -> BertFolder:
    """Check a BERT folder in google-research/bert's layout: its config, vocabulary, checkpoint."""
    folder = Path(folder)
    fix = ("give the folder of a BERT checkpoint as released (bert_config.json, vocab.txt, "
           "bert_model.ckpt.*) or a Hugging Face BERT folder")
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


def backbone_arguments(config: dict[str, Any]) -> dict[str, Any]:
    """`keras_hub.models.BertBackbone`'s arguments for a `bert_config.json`."""
    return {"vocabulary_size": config["vocab_size"], "num_layers": config["num_hidden_layers"],
            "num_heads": config["num_attention_heads"], "hidden_dim": config["hidden_size"],
            "intermediate_dim": config["intermediate_size"],
            "dropout": config["hidden_dropout_prob"],
            "max_sequence_length": config["max_position_embeddings"],
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
        for keras_part, tf1_part, leaves in (
                ("self_attention_layer/attention_output", "attention/output/dense", ("bias",)),
                ("self_attention_layer_norm", "attention/output/LayerNorm", ("gamma", "beta")),
                ("feedforward_layer_norm", "output/LayerNorm", ("gamma", "beta")),
                ("feedforward_intermediate_dense", "intermediate/dense", ("kernel", "bias")),
                ("feedforward_output_dense", "output/dense", ("kernel", "bias"))):
            for leaf in leaves:
                wanted[f"{keras}/{keras_part}/{leaf}"] = (f"{tf1}/{tf1_part}/{leaf}", None)
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
