"""A `tfport verify` check, its tolerances (with the measurements behind them) and its table."""

from __future__ import annotations

import dataclasses

import numpy as np

from tfport.tables import markdown_table

# Same weights, same batch, same float32 ops: measured at most 8.9e-8 (binary_mlp), 0 for most;
# 1e-5 is the TensorFlow migration guide's float32 bound.
FORWARD_TOLERANCE = 1e-5
# Training from the same weights, defaults matched: measured at most 1.4e-6 (cnn_onehot, 5 Adam
# steps: summation order differs); Adam's differing epsilon moves the weights 5e-4 in one step,
# so this bound separates the two cases 50-fold.
TRAINING_TOLERANCE = 1e-5


@dataclasses.dataclass(frozen=True)
class Check:
    """One compared quantity: the largest difference between the ports, and its tolerance."""

    name: str
    difference: float
    tolerance: float
    note: str = ""  # why a difference is expected (a default that differs)
    measured: bool = False  # a figure reported, not a check (say, what another GELU changes)

    @property
    def passed(self) -> bool:
        return self.measured or self.difference <= self.tolerance

    @property
    def verdict(self) -> str:
        if self.measured:
            return "measured"
        if self.passed:
            return "ok"
        return f"differs: {self.note}" if self.note else "FAILED"


def passed(checks: list[Check]) -> bool:
    """Equivalent: every check passes, except as-ported ones explained by a named default
    whose matched run passes."""
    return all(check.passed or check.note for check in checks)


def table(checks: list[Check]) -> str:
    """The checks as a Markdown table: largest difference seen, tolerance, result."""
    return markdown_table(
        ["check", "largest difference", "tolerance", "result"],
        [[c.name, f"{c.difference:.0f}" if c.measured and c.difference.is_integer()
          else f"{c.difference:.1e}", "" if c.measured else f"{c.tolerance:.0e}", c.verdict]
         for c in checks])


def max_difference(a, b) -> float:
    """The largest |a - b| over two arrays (inf where their shapes differ, 0 for empty ones)."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def weights_difference(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """The largest `max_difference` over the weights of `a`, each against `b`'s by name."""
    return max(max_difference(a[name], b[name]) for name in a)
