"""Idiomatic Keras 3 ports: `import keras`, `Sequential`, `compile`, `fit`, `evaluate`.

One module per example (`keras_models/<id>.py`), the twin of `legacy_tf1/<id>.py`.
`program.py` holds the run scaffold every port's `run` follows.
"""
