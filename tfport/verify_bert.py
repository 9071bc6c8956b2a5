"""`tfport verify bert_classifier`'s checks of the pretrained checkpoint, as each port loads
it, against a NumPy BERT; measured without a verdict, the erf GELU against the tanh GELU and
KerasHub's `from_preset` tokenizer against BERT's (docs/bert.md)."""

from __future__ import annotations

import numpy as np

from tfport import bert_checkpoint, bert_reference, polarity
from tfport.profiles import get_profile
from tfport.transfer import keras_variables, set_keras_weights, tf1_session, tf1_values
from tfport.verify_checks import FORWARD_TOLERANCE, Check, max_difference
from tfport.verify_steps import Steps

SENTENCES = 64  # test sentences the forward checks see


def checkpoint_checks(stepper: Steps) -> list[Check]:
    """Pooled output and logits (one head) of each port loading the checkpoint; for a Hugging
    Face file, the NumPy BERT's figures too."""
    checkpoint = bert_checkpoint.pretrained_bert()
    features, sentences = stepper.x_test[:SENTENCES], stepper.keras_x_test[:SENTENCES]
    with tf1_session(stepper.tf1, stepper.built, stepper.seed) as (sess, graph):
        head = {name: value for name, value in tf1_values(sess).items()
                if name in ("output_weights", "output_bias")}
        tf1_pooled, tf1_logits = sess.run([graph.extra["pooled_output"], graph.output],
                                          {graph.X: features})
    model = stepper.new.build_model(stepper.built)
    set_keras_weights({name: variable for name, variable
                       in keras_variables(stepper.example_id, model).items() if name in head},
                      head, "the TF1 graph's head")
    inputs = model.preprocessor(sentences)
    keras_pooled = np.asarray(model.backbone(inputs)["pooled_output"])
    keras_logits = model.predict(sentences, verbose=0)
    source, n = f"{checkpoint.source.name} ({checkpoint.layout} layout)", len(features)
    checks = [
        Check(f"checkpoint {source}, each port loading it: pooled output, {n} sentences",
              max_difference(tf1_pooled, keras_pooled), FORWARD_TOLERANCE),
        Check(f"checkpoint, each port loading it, one head: logits, {n} sentences",
              max_difference(tf1_logits, keras_logits), FORWARD_TOLERANCE),
    ]
    if checkpoint.layout != "huggingface":
        return checks
    weights = bert_checkpoint.read_safetensors(checkpoint.source)
    ids, mask, segments = (features[:, i] for i in range(3))
    tanh = bert_reference.pooled_output(weights, checkpoint.config, ids, mask, segments, "tanh")
    exact = bert_reference.pooled_output(weights, checkpoint.config, ids, mask, segments, "exact")
    tanh_logits, exact_logits = (pooled @ head["output_weights"].T + head["output_bias"]
                                 for pooled in (tanh, exact))
    checks += [
        Check("NumPy BERT from the Hugging Face file (tanh GELU): pooled output against TF1's",
              max_difference(tanh, tf1_pooled), FORWARD_TOLERANCE),
        Check("the erf GELU Hugging Face trained with, against the tanh GELU both ports "
              "compute: pooled output", max_difference(exact, tanh), 0.0, measured=True),
        Check("... the same: logits", max_difference(exact_logits, tanh_logits), 0.0,
              measured=True),
        Check(f"... the same: predicted classes that change, of {n}",
              float(np.sum(exact_logits.argmax(-1) != tanh_logits.argmax(-1))), 0.0,
              measured=True),
        from_preset_tokenizer_check(checkpoint, stepper),
    ]
    return checks


def from_preset_tokenizer_check(checkpoint: bert_checkpoint.BertCheckpoint,
                                stepper: Steps) -> Check:
    """On how many quick-profile sentences `BertTokenizer.from_preset` differs from BERT's."""
    import keras_hub

    profile = get_profile(stepper.example_id, "quick")
    x_train, _, x_test, _ = stepper.tf1.load_data(profile)
    mr = polarity.load_polarity()
    raw = mr.train_sentences[:profile.train_size] + mr.test_sentences[:profile.test_size]
    tokenizer = keras_hub.tokenizers.BertTokenizer.from_preset(str(checkpoint.source))
    preprocessor = keras_hub.models.BertTextClassifierPreprocessor(
        tokenizer, sequence_length=profile.sequence_length)
    theirs = np.asarray(preprocessor(np.array(raw))["token_ids"])
    ours = np.concatenate([x_train[:, 0], x_test[:, 0]])
    differing = int(np.sum((theirs != ours).any(axis=1)))
    return Check(f"KerasHub's from_preset tokenizer (lowercase=True, strip_accents=False): "
                 f"sentences whose ids differ from BERT's, of {len(raw)}", float(differing), 0.0,
                 measured=True)
