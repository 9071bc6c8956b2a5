"""tfport: the articles' examples in TensorFlow 1 style and in Keras 3, side by side.

The shared pieces live here: the MNIST loader (`data`), the hyperparameters (`profiles`),
the result record (`results`), the tables (`compare`), the plots (`plots`) and the CLI.
"""

import os

# oneDNN's CPU kernels may sum in a different order from one run to the next, so the same
# seed could give numbers that differ in the sixth digit (measured on backprop, 1 run in 4).
# Off unless the user chose otherwise; it must be set before TensorFlow is imported.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"
