"""Errors that name a user's mistake, kept free of TensorFlow so that reporting one is instant.

`tfport.data.DataError` (an unusable MNIST file) and `tfport.examples.UnknownChoice` (an
unknown example, API or profile) live next to what they check; this one is raised by
`tfport.transfer`, which imports TensorFlow.
"""


class TransferError(ValueError):
    """Weights that do not fit: a missing or extra variable, a shape mismatch, a bad file."""
