"""Idiomatic Keras 3 ports: `import keras`, `Sequential`, `compile`, `fit`, `evaluate`."""

import tfport  # noqa: F401  (switches oneDNN off before TensorFlow loads, for reproducible runs)
