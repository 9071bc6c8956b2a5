"""The training loss every few steps, taken at the same steps in both APIs.

A two-epoch run's per-epoch loss is two points; so every run also keeps the running mean its
progress bar shows, about `POINTS_PER_EPOCH` times an epoch and at each epoch's end. Both
scaffolds open a `recording()` around the port's `train`: the TF1 loop (`legacy_tf1/feeding.py`)
adds to it, Keras through `keras_models.program.StepLossCallback`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Iterator

POINTS_PER_EPOCH = 20


@dataclasses.dataclass
class StepLog:
    """The running mean of the training loss at logged steps; `steps` count from 1 over the
    whole run, so that epoch `e` (from 0) ends at step `(e + 1) * steps_per_epoch`."""

    steps: list[int] = dataclasses.field(default_factory=list)
    losses: list[float] = dataclasses.field(default_factory=list)
    steps_per_epoch: int = 0

    def batch_end(self, epoch: int, batch: int, steps_per_epoch: int, mean_so_far: float) -> None:
        """After batch `batch` (from 0) of `epoch` (from 0): keep the epoch's mean loss so far
        if this is a logged step."""
        self.steps_per_epoch = steps_per_epoch
        stride = max(1, steps_per_epoch // POINTS_PER_EPOCH)
        if (batch + 1) % stride == 0 or batch + 1 == steps_per_epoch:
            self.steps.append(epoch * steps_per_epoch + batch + 1)
            self.losses.append(float(mean_so_far))

    def as_record(self, epoch_losses: list[float], one_step_per_epoch: bool) -> dict[str, object]:
        """What a result record keeps: where one step is one epoch (no batch size, however the
        loop chunks the set) or nothing was logged, the per-epoch losses, one step each."""
        if one_step_per_epoch or not self.steps:
            return {"steps": list(range(1, len(epoch_losses) + 1)),
                    "loss": [float(loss) for loss in epoch_losses], "steps_per_epoch": 1}
        return {"steps": list(self.steps), "loss": list(self.losses),
                "steps_per_epoch": self.steps_per_epoch}


_open: list[StepLog] = []


@contextlib.contextmanager
def recording() -> Iterator[StepLog]:
    """A log that training loops add to until the block ends (the innermost one, if nested)."""
    log = StepLog()
    _open.append(log)
    try:
        yield log
    finally:
        _open.remove(log)


def batch_end(epoch: int, batch: int, steps_per_epoch: int, mean_so_far: float) -> None:
    """Add to the open log, if a scaffold opened one (a loop run on its own logs nothing)."""
    if _open:
        _open[-1].batch_end(epoch, batch, steps_per_epoch, mean_so_far)
