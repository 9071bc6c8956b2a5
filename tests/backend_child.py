"""The child process of tests/test_backends.py: every Keras port on $KERAS_BACKEND.

    KERAS_BACKEND=jax python -m tests.backend_child SPEC.json OUT.json

Keras takes its backend when it is first imported, so a test process (TensorFlow's) cannot
run a port on JAX or PyTorch itself. SPEC names, per example, Keras weights and inputs that
the TensorFlow backend saved (to predict on here) and the profile to run (`tiny` for the
small profiles of tests/conftest.py, or a profile name). OUT gets the predictions and the
run records, as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def main(spec_path: str, out_path: str) -> None:
    from tfport import runtime

    runtime.quiet_start()
    import keras

    from tests.conftest import TINY
    from tfport.examples import keras_port, run_example

    spec = json.loads(Path(spec_path).read_text())
    out: dict = {"backend": keras.backend.backend(), "moved": {}, "runs": {}}
    for example_id, handoff in spec["moved"].items():
        model = keras_port(example_id).build_model(TINY[example_id])
        model.load_weights(handoff["weights"])
        inputs = np.load(handoff["inputs"], allow_pickle=False)
        out["moved"][example_id] = np.asarray(model.predict(inputs, verbose=0)).tolist()
    for example_id, profile in spec["runs"].items():
        result = run_example(example_id, "keras", TINY[example_id] if profile == "tiny" else profile,
                             seed=0, verbose=0)
        out["runs"][example_id] = result.to_dict()
    Path(out_path).write_text(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])
