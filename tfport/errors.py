"""Every error that names a user's mistake; the CLI prints it as one line and exits with
its `exit_code`."""


class TfportError(Exception):
    """A mistake the message explains, with how to fix it."""

    exit_code = 1


class UnknownChoice(TfportError, ValueError):
    """An example id, API or profile that does not exist."""

    exit_code = 2


class DataError(TfportError):
    """A data set that could not be loaded or does not fit the profile."""


class TransferError(TfportError, ValueError):
    """Weights that do not fit: a missing or extra variable, a shape mismatch, a bad file."""


class OutputError(TfportError):
    """An output path that cannot be written (read-only, a file where a folder should be)."""


class BenchError(TfportError, ValueError):
    """An example or option the benchmark cannot measure."""

    exit_code = 2


class BenchRunError(BenchError):
    """A measured run that failed or hung (the machine, not the command line)."""

    exit_code = 1
