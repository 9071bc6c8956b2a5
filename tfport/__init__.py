"""tfport: the articles' examples in TensorFlow 1 style and in Keras 3, side by side."""

__version__ = "0.1.0"
