"""The BERT pieces: one pretrained checkpoint, read by each port in its own layout.

Article 003's classifier is ported on BERT as google-research/bert wrote it for TF1
(`legacy_tf1/bert/`) and as KerasHub provides it. These tests hold what both ports stand on:
the pretrained checkpoint is the pinned one and a download is checked file by file; the
converter to google's layout gives the very weights KerasHub's own converter loads; both
ports' encoders compute, from the checkpoint, what an independent NumPy BERT computes from
the Hugging Face file; BERT's tokenizer and KerasHub's give the same ids on every sentence;
a folder google-research/bert released works in both ports; and a bad folder is named.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from legacy_tf1.bert import modeling, tokenization
from tfport import bert_checkpoint, bert_reference, polarity
from tfport.errors import TransferError

# The sentences of the article's four runs (lines 186, 240, 273, 306).
ARTICLE_SENTENCES = [
    "This is a positive review.", "This is a negative review.", "How can I track my order?",
    "The company reported a loss of $500 million this quarter.",
    "The stock price surged by 10% after the announcement.",
    "I watched the latest Netflix series.", "I bought a new book from Amazon.",
]
SEQUENCE_LENGTH = 48
# Same weights, same ids, float32 in both ports: measured at most 4e-7 on the pooled output
# of the pretrained model (64 test sentences); 1e-5 is the migration guide's float32 bound,
# as in tfport/verify_checks.py. The NumPy reference computes in float64.
FORWARD_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def pretrained() -> bert_checkpoint.BertCheckpoint:
    return bert_checkpoint.pretrained_bert()


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    data = polarity.load_polarity()
    return data.train_sentences + data.test_sentences


def _features(vocab: Path, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(np.asarray(f) for f in tokenization.features(
        texts, SEQUENCE_LENGTH, tokenization.FullTokenizer(vocab, do_lower_case=True)))


def _tf1_pooled(checkpoint: bert_checkpoint.BertCheckpoint, features) -> np.ndarray:
    """The TF1 port's BertModel, every variable from the checkpoint by init_from_checkpoint."""
    from tfport import runtime

    runtime.use_legacy_keras()
    config = modeling.BertConfig.from_dict(checkpoint.config)
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as sess:
        inputs = [tf.compat.v1.placeholder(tf.int32, [None, None]) for _ in range(3)]
        model = modeling.BertModel(config, tf.constant(False), *inputs)
        assignment_map, _ = modeling.get_assignment_map_from_checkpoint(
            tf.compat.v1.trainable_variables(), checkpoint.google_checkpoint)
        assert len(assignment_map) == len(tf.compat.v1.trainable_variables())  # every one
        tf.compat.v1.train.init_from_checkpoint(checkpoint.google_checkpoint, assignment_map)
        sess.run(tf.compat.v1.global_variables_initializer())
        return sess.run(model.pooled_output, dict(zip(inputs, features)))


def _keras_pooled(checkpoint: bert_checkpoint.BertCheckpoint, features) -> np.ndarray:
    import keras_hub

    backbone = keras_hub.models.BertBackbone.from_preset(str(checkpoint.keras_preset))
    ids, mask, segments = features
    return np.asarray(backbone({"token_ids": ids, "padding_mask": mask,
                                "segment_ids": segments})["pooled_output"])


def test_the_default_checkpoint_is_the_pinned_model(pretrained):
    # The folder .ci/run names (or the download) holds the files the hub serves at the
    # pinned revision, byte for byte: no other model is silently taken for it.
    if pretrained.layout != "huggingface" or pretrained.source.name != "all-MiniLM-L6-v2":
        pytest.skip(f"$TFPORT_BERT_DIR names another BERT ({pretrained.source})")
    for name, expected in bert_checkpoint.PRETRAINED.sha256.items():
        assert bert_checkpoint.sha256(pretrained.source / name) == expected, name
    assert (pretrained.config["hidden_size"], pretrained.config["num_hidden_layers"],
            pretrained.config["vocab_size"]) == (384, 6, 30522)


class _Hub(http.server.SimpleHTTPRequestHandler):
    """The model hub's file URLs, served from a folder on this machine; `truncate` cuts
    model.safetensors short, as a broken connection would."""

    truncate = False

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        name = self.path.rsplit("/", 1)[-1]
        expected = (f"/{bert_checkpoint.PRETRAINED.repository}/resolve/"
                    f"{bert_checkpoint.PRETRAINED.revision}/{name}")
        path = Path(self.directory) / name
        if self.path != expected or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        if self.truncate and name == "model.safetensors":
            body = body[: len(body) // 2]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.mark.parametrize("truncate", [False, True])
def test_a_download_is_checked_against_the_pinned_hashes(pretrained, tmp_path, truncate):
    if pretrained.source.name != "all-MiniLM-L6-v2":
        pytest.skip("serves the pinned model's files, which $TFPORT_BERT_DIR does not name")
    handler = type("Hub", (_Hub,), {"truncate": truncate})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(pretrained.source)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hub = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        if truncate:
            with pytest.raises(TransferError, match="sha256 is .* not the pinned"):
                bert_checkpoint.download(tmp_path / "model", hub)
            assert not (tmp_path / "model" / "model.safetensors").exists()
            assert not list((tmp_path / "model").glob("*.part"))
        else:
            folder = bert_checkpoint.download(tmp_path / "model", hub)
            assert sorted(p.name for p in folder.iterdir()) == sorted(
                bert_checkpoint.PRETRAINED.sha256)
    finally:
        server.shutdown()
    with pytest.raises(TransferError, match="cannot download .* set \\$TFPORT_BERT_DIR"):
        bert_checkpoint.download(tmp_path / "unreachable", "http://127.0.0.1:9")


def test_the_converted_checkpoint_holds_what_keras_hub_loads(pretrained):
    # Two converters from the same Hugging Face file: ours to google's layout (read back by
    # tfport's google -> KerasHub mapping) and KerasHub's own from_preset. Every weight must
    # be the same array; a forgotten or swapped transpose of a square kernel (query, key,
    # value, attention output, pooler: all 384 x 384) keeps every shape and fails here.
    import keras_hub

    if pretrained.layout != "huggingface":
        pytest.skip("$TFPORT_BERT_DIR names a google-research/bert folder: nothing converted")
    names = dict(tf.train.list_variables(pretrained.google_checkpoint))
    assert names["bert/encoder/layer_0/attention/self/query/kernel"] == [384, 384]
    assert names["bert/encoder/layer_5/intermediate/dense/kernel"] == [384, 1536]
    assert names["bert/encoder/layer_5/output/dense/kernel"] == [1536, 384]
    assert names["bert/embeddings/LayerNorm/gamma"] == [384]
    assert names["bert/pooler/dense/kernel"] == [384, 384]
    assert len(names) == 5 + 16 * 6 + 2
    keras_hubs = keras_hub.models.BertBackbone.from_preset(str(pretrained.source))
    ours = keras_hub.models.BertBackbone.from_preset(str(pretrained.source))
    for weight in ours.weights:  # start from something else than the answer
        weight.assign(np.zeros(weight.shape, weight.dtype))
    bert_checkpoint.load_backbone(pretrained.google_checkpoint, ours)
    theirs = {weight.path: np.asarray(weight) for weight in keras_hubs.weights}
    for weight in ours.weights:
        assert np.array_equal(np.asarray(weight), theirs[weight.path]), weight.path


def test_the_converter_names_every_hugging_face_weight():
    assert bert_checkpoint.google_name("encoder.layer.11.attention.self.key.weight") == (
        "bert/encoder/layer_11/attention/self/key/kernel", True)
    assert bert_checkpoint.google_name("bert.encoder.layer.0.output.LayerNorm.gamma") == (
        "bert/encoder/layer_0/output/LayerNorm/gamma", False)
    assert bert_checkpoint.google_name("embeddings.LayerNorm.bias") == (
        "bert/embeddings/LayerNorm/beta", False)
    assert bert_checkpoint.google_name("embeddings.token_type_embeddings.weight") == (
        "bert/embeddings/token_type_embeddings", False)
    assert bert_checkpoint.google_name("pooler.dense.bias") == ("bert/pooler/dense/bias", False)
    assert bert_checkpoint.google_name("cls.predictions.bias") is None
    assert bert_checkpoint.google_name("embeddings.position_ids") is None


def test_both_ports_encode_what_the_checkpoint_says(pretrained, sentences):
    # From the checkpoint alone, each through its own loading code: the TF1 graph (google
    # layout, init_from_checkpoint) and KerasHub's backbone (from_preset) give the pooled
    # output that a NumPy BERT computes from the Hugging Face file itself (with the tanh GELU
    # both ports compute); and it is not what random weights give.
    if pretrained.layout != "huggingface":
        pytest.skip("the NumPy reference reads a Hugging Face folder")
    features = _features(pretrained.vocab, [text.lower() for text in sentences[-64:]])
    tf1 = _tf1_pooled(pretrained, features)
    keras = _keras_pooled(pretrained, features)
    weights = bert_checkpoint.read_safetensors(pretrained.source)
    reference = bert_reference.pooled_output(weights, pretrained.config, *features, gelu="tanh")
    assert np.abs(tf1 - keras).max() <= FORWARD_TOLERANCE
    assert np.abs(tf1 - reference).max() <= FORWARD_TOLERANCE
    assert np.abs(keras - reference).max() <= FORWARD_TOLERANCE
    # The erf GELU Hugging Face computes gives another output: the reference can tell.
    exact = bert_reference.pooled_output(weights, pretrained.config, *features, gelu="exact")
    assert np.abs(exact - reference).max() > 10 * FORWARD_TOLERANCE
    random = {name: np.random.default_rng(0).normal(0, 0.02, value.shape)
              for name, value in weights.items()}
    assert np.abs(bert_reference.pooled_output(random, pretrained.config, *features)
                  - tf1).max() > 0.1


def test_neither_port_falls_back_to_random_weights(pretrained):
    # The ports' own build_model: the word embeddings each trains from are the checkpoint's.
    import keras

    from tfport.examples import keras_port, tf1_port
    from tfport.profiles import get_profile
    from tfport.transfer import keras_values, keras_variables, tf1_session, tf1_values

    profile = get_profile("bert_classifier", "article")
    with tf1_session(tf1_port("bert_classifier"), profile) as (sess, _):
        tf1 = tf1_values(sess)
    keras.utils.set_random_seed(0)
    keras_weights = keras_values(keras_variables(
        "bert_classifier", keras_port("bert_classifier").build_model(profile)))
    saved = tf.train.load_checkpoint(pretrained.google_checkpoint)
    for name in ("bert/embeddings/word_embeddings",
                 "bert/encoder/layer_0/attention/self/query/kernel", "bert/pooler/dense/kernel"):
        assert np.array_equal(tf1[name], saved.get_tensor(name)), name
        assert np.array_equal(keras_weights[name], saved.get_tensor(name)), name


def test_basic_tokenizer_splits_punctuation_and_strips_accents():
    basic = tokenization.BasicTokenizer(do_lower_case=True)
    assert basic.tokenize("Caf\u00e9 costs $500\u2026 (really)!") == [
        "cafe", "costs", "$", "500", "\u2026", "(", "really", ")", "!"]


def test_both_tokenizers_give_the_same_ids_on_every_sentence(pretrained, sentences):
    # The Keras port's preprocessor (its tokenizer from the checkpoint's vocabulary, the text
    # lower-cased by str.lower) against google-research/bert's FullTokenizer.
    from keras_models import bert_classifier
    from tfport.profiles import get_profile

    texts = sentences + ARTICLE_SENTENCES
    tf1_ids, tf1_mask, _ = _features(pretrained.vocab, texts)
    profile = get_profile("bert_classifier", "quick")
    preprocessor = bert_classifier.build_model(profile).preprocessor
    features = preprocessor(np.array([text.lower() for text in texts]))
    keras_ids = np.asarray(features["token_ids"])
    differing = [texts[i] for i in np.where((tf1_ids != keras_ids).any(axis=1))[0]]
    assert not differing, differing[:3]
    assert np.array_equal(tf1_mask, np.asarray(features["padding_mask"]).astype("int32"))


def test_keras_hub_from_preset_tokenizer_would_not_match_bert(pretrained, sentences):
    # Why the Keras port builds its tokenizer from vocab.txt: from_preset's keeps accents
    # (its converter reads do_lower_case only) and case-folds "\u2026" into "...".
    import keras_hub

    if pretrained.layout != "huggingface":
        pytest.skip("from_preset's tokenizer reads a Hugging Face folder")
    tokenizer = keras_hub.tokenizers.BertTokenizer.from_preset(str(pretrained.source))
    assert tokenizer.lowercase and not tokenizer.strip_accents
    bert = tokenization.FullTokenizer(pretrained.vocab, do_lower_case=True)
    for mark in ("\u00e9", "\u2026"):
        text = next(s for s in sentences if mark in s)
        assert [int(i) for i in tokenizer(text)] != bert.convert_tokens_to_ids(
            bert.tokenize(text)), mark


def test_a_folder_google_research_released_works_in_both_ports(tiny_bert_dir, tmp_path,
                                                               monkeypatch):
    # $TFPORT_BERT_DIR may name a released google-research/bert folder (bert_config.json,
    # vocab.txt, bert_model.ckpt.*): the TF1 port reads it as it is, the Keras port a
    # KerasHub preset written from it; both compute the same.
    released = bert_checkpoint.write_google_folder(tiny_bert_dir, tmp_path / "uncased_L-2_H-128_A-2")
    monkeypatch.setenv(bert_checkpoint.ENV_VAR, str(released))
    checkpoint = bert_checkpoint.pretrained_bert()
    assert checkpoint.layout == "google" and checkpoint.lower_case
    assert checkpoint.google_checkpoint == str(released / "bert_model.ckpt")
    features = _features(checkpoint.vocab, ARTICLE_SENTENCES)
    tf1, keras = _tf1_pooled(checkpoint, features), _keras_pooled(checkpoint, features)
    assert np.abs(tf1 - keras).max() <= FORWARD_TOLERANCE
    weights = bert_checkpoint.read_safetensors(tiny_bert_dir)
    config = json.loads((tiny_bert_dir / "config.json").read_text())
    reference = bert_reference.pooled_output(weights, config, *features, gelu="tanh")
    assert np.abs(tf1 - reference).max() <= FORWARD_TOLERANCE


def test_a_folder_that_is_not_a_bert_checkpoint_is_named(tiny_bert_dir, tmp_path, monkeypatch):
    import keras_hub

    monkeypatch.setenv(bert_checkpoint.ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(TransferError, match="no BERT checkpoint at .*empty"):
        bert_checkpoint.pretrained_bert()
    other = shutil.copytree(tiny_bert_dir, tmp_path / "gpt")
    (other / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    monkeypatch.setenv(bert_checkpoint.ENV_VAR, str(other))
    with pytest.raises(TransferError, match="holds a 'gpt2' model, not a BERT"):
        bert_checkpoint.pretrained_bert()
    cut = shutil.copytree(tiny_bert_dir, tmp_path / "cut")
    weights = (cut / "model.safetensors").read_bytes()
    (cut / "model.safetensors").write_bytes(weights[: len(weights) // 3])
    monkeypatch.setenv(bert_checkpoint.ENV_VAR, str(cut))
    with pytest.raises(TransferError, match="cannot read .*model.safetensors"):
        bert_checkpoint.pretrained_bert()
    # A google-layout checkpoint that does not fit the backbone: the variable is named.
    released = bert_checkpoint.write_google_folder(tiny_bert_dir, tmp_path / "released")
    found = bert_checkpoint.read_folder(released)
    deeper = {**bert_checkpoint.backbone_arguments(found.config), "num_layers": 3}
    with pytest.raises(TransferError, match="no variable 'bert/encoder/layer_2/"):
        bert_checkpoint.backbone_values(found.checkpoint, keras_hub.models.BertBackbone(**deeper))
    wider = {**bert_checkpoint.backbone_arguments(found.config), "hidden_dim": 64}
    with pytest.raises(TransferError, match="'bert/embeddings/word_embeddings' has shape"):
        bert_checkpoint.backbone_values(found.checkpoint, keras_hub.models.BertBackbone(**wider))


@pytest.mark.parametrize("api", ["tf1", "keras"])
def test_each_article_run_trains_on_its_own_sentences(api, tmp_path, capsys, tiny_bert):
    # The article's runs as printed: 10 epochs at 2e-5 on its sentences, tested on them. What
    # must hold is that each run has its own labels and sentences: the intent run's one
    # sentence and 5 classes, the reviews' two and 2. That is the data and the head, not the
    # weights: on the random BERT-Tiny (conftest), through the same loading code.
    from tfport.cli import main
    from tfport.examples import run_example

    # (The `article` run, two sentences and 2 classes, is notebook 003's, run by its test.)
    for name, sentences, classes in (("article-intent", 1, 5),):
        prefix = tmp_path / "intent.ckpt" if api == "tf1" else None
        result = run_example("bert_classifier", api, name, seed=0, verbose=0, checkpoint=prefix)
        assert len(result.loss_history) == 10
        matrix = np.array(result.extra["confusion_matrix"])
        assert matrix.sum() == sentences and matrix.shape == (classes, classes), name
        # Near ln(classes) at first: the head is new (random, stddev 0.02).
        assert abs(result.loss_history[0] - np.log(classes)) < 0.3, result.loss_history
        if prefix is None:
            continue
        # Its checkpoint converts for the profile it was trained with (5 labels), and the
        # article profile's 2-label head is refused by name.
        out = tmp_path / "intent.weights.h5"
        assert main(["convert-checkpoint", "bert_classifier", str(prefix), str(out),
                     "--profile", name]) == 0 and out.exists()
        assert main(["convert-checkpoint", "bert_classifier", str(prefix), str(out)]) == 1
        error = capsys.readouterr().err
        assert "'output_weights'" in error and "article profile" in error, error


def test_both_optimizers_decay_the_same_weights(tiny_bert):
    # BERT leaves LayerNorm and bias variables out of the weight decay; the Keras port must
    # leave out the same weights. With zero-initialized biases a few verify steps cannot see
    # a wrong exclusion (the decay of a zero is zero), so each weight is checked by name:
    # the Keras optimizer's choice for it against BERT's for its TF1 variable.
    from keras_models import bert_classifier as keras_bert
    from legacy_tf1.bert import optimization
    from tfport.profiles import get_profile
    from tfport.transfer import keras_variables

    model = keras_bert.build_model(get_profile("bert_classifier", "article"))
    bert = optimization.AdamWeightDecayOptimizer(
        0.1, weight_decay_rate=0.01,
        exclude_from_weight_decay=optimization.EXCLUDE_FROM_WEIGHT_DECAY)
    decayed = {}
    for name, weight in keras_variables("bert_classifier", model).items():
        keras_decays = model.optimizer._use_weight_decay(weight.variable)
        assert keras_decays == bert._do_use_weight_decay(name), name
        decayed[name] = keras_decays
    assert decayed["output_weights"] and not decayed["output_bias"]
    assert decayed["bert/encoder/layer_0/attention/self/query/kernel"]
    assert not decayed["bert/encoder/layer_0/attention/output/LayerNorm/gamma"]


def test_the_global_step_is_stepped_after_the_update():
    # google-research/bert grouped the increment with the update, so the learning rate read
    # the global step before or after the increment from run to run (bert#1050): TF1 runs of
    # one seed ended at different accuracies. The fix orders the increment after every
    # weight's update; without that order no run-to-run check is sure to see the race.
    from legacy_tf1.bert import optimization

    with tf.Graph().as_default() as graph:
        weight = tf.compat.v1.get_variable("w", [3], initializer=tf.compat.v1.ones_initializer())
        train_op = optimization.create_optimizer(tf.reduce_sum(weight * weight), 0.1, 10, 2)
        step = tf.compat.v1.train.get_global_step()
        step_assign = next(op for op in graph.get_operations()
                           if op.type in ("AssignVariableOp", "Assign")
                           and op.inputs[0].name == step.handle.name
                           and op is not step.initializer)
        before, stack = set(), [step_assign]
        while stack:  # everything the increment waits for: data and control inputs
            op = stack.pop()
            for parent in [tensor.op for tensor in op.inputs] + list(op.control_inputs):
                if parent not in before:
                    before.add(parent)
                    stack.append(parent)
        weight_updates = [op for op in graph.get_operations()
                          if op.type in ("AssignVariableOp", "Assign")
                          and op.inputs[0].name == weight.handle.name
                          and op is not weight.initializer]
        assert weight_updates and all(op in before for op in weight_updates)
        # And so the first step, at global step 0 of the warm-up, moves nothing.
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            session.run(train_op)
            assert session.run(step) == 1
            np.testing.assert_array_equal(session.run(weight), np.ones(3))


def test_the_cli_names_a_missing_checkpoint_before_any_run(tmp_path, monkeypatch, capsys):
    # One line and exit 1, before any data is tokenized or any model built.
    from tfport.cli import main

    monkeypatch.setenv(bert_checkpoint.ENV_VAR, str(tmp_path / "nowhere"))
    assert main(["run", "bert_classifier", "--out", str(tmp_path / "runs")]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no BERT checkpoint at" in error, error
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_the_cli_writes_the_checkpoint_in_googles_layout(tiny_bert, tmp_path, capsys):
    from tfport.cli import main

    out = tmp_path / "google"
    assert main(["bert-checkpoint", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "bert_config.json", "bert_model.ckpt.data-00000-of-00001", "bert_model.ckpt.index",
        "vocab.txt"]
    assert json.loads((out / "bert_config.json").read_text())["hidden_act"] == "gelu"
    capsys.readouterr()
    assert main(["bert-checkpoint", str(out)]) == 1  # not over a folder that holds files
    assert "is not empty" in capsys.readouterr().err
