"""tfport: the articles' examples in TensorFlow 1 style and in Keras 3, side by side.

The shared pieces live here: the MNIST loader (`data`), the hyperparameters (`profiles`),
the result record (`results`), the tables (`compare`), the plots (`plots`) and the CLI.
"""

__version__ = "0.1.0"
