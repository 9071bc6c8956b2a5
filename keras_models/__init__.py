"""Idiomatic Keras 3 ports: `import keras`, `Sequential`, `compile`, `fit`, `evaluate`."""
