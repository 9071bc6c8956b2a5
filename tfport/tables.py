"""The one table printer: two runs side by side, many runs one row each, any Markdown table."""

from __future__ import annotations

import math
from typing import Sequence

from tfport.results import RunResult, number


def side_by_side(results: Sequence[RunResult]) -> str:
    """One column per run (usually tf1 and keras), one row per measure, as a Markdown table."""
    header = ["", *(result.api for result in results)]
    rows = [
        ["test accuracy", *(number(r.test_accuracy) for r in results)],
        ["test loss", *(number(r.test_loss) for r in results)],
        ["first training loss", *(f"{r.loss_history[0]:.4f}" for r in results)],
        ["last training loss", *(f"{r.loss_history[-1]:.4f}" for r in results)],
        ["wall time (s)", *(f"{r.wall_time_s:.1f}" for r in results)],
        ["training time (s)", *(f"{r.train_time_s:.1f}" for r in results)],
        ["training samples/s", *(f"{r.train_samples_per_s:,.0f}" for r in results)],
        ["parameters", *(f"{r.param_count:,}" for r in results)],
        ["backend", *(backend(r) for r in results)],
        ["device", *(device(r) for r in results)],
    ]
    if len(results) == 2:
        header.append("difference")
        a, b = results
        rows[0].append(_difference(b.test_accuracy, a.test_accuracy))
        rows[1].append(_difference(b.test_loss, a.test_loss))
        rows[2].append(_difference(b.loss_history[0], a.loss_history[0]))
        rows[3].append(_difference(b.loss_history[-1], a.loss_history[-1]))
        rows[4].append(f"x{b.wall_time_s / a.wall_time_s:.2f}" if a.wall_time_s else "")
        rows[5].append(f"x{b.train_time_s / a.train_time_s:.2f}" if a.train_time_s else "")
        rows[6].append(f"x{b.train_samples_per_s / a.train_samples_per_s:.2f}"
                       if a.train_samples_per_s else "")
        rows[7].append(f"{b.param_count - a.param_count:+,}")
        rows[8].append("")
        rows[9].append("")
    return markdown_table(header, rows)


def one_row_each(results: Sequence[RunResult]) -> str:
    """One row per run, as a Markdown table."""
    header = ["example", "api", "backend", "profile", "seed", "test acc", "test loss", "wall s",
              "train s", "train samples/s", "params", "device"]
    rows = [
        [r.example, r.api, backend(r), r.profile, str(r.seed), number(r.test_accuracy),
         number(r.test_loss), f"{r.wall_time_s:.1f}", f"{r.train_time_s:.1f}",
         f"{r.train_samples_per_s:,.0f}", f"{r.param_count:,}", device(r)]
        for r in results
    ]
    return markdown_table(header, rows)


def backend(result: RunResult) -> str:
    """What ran the port (records older than the backends ran on TensorFlow)."""
    return result.environment.get("backend", "tensorflow")


def device(result: RunResult) -> str:
    """The GPU or CPU the run computed on, as its record says."""
    return result.environment.get("device", "not recorded")


def _difference(b: float, a: float) -> str:
    return "" if math.isnan(b - a) else f"{b - a:+.4f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table whose columns line up in a terminal too."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([line(header), separator, *(line(row) for row in rows)])
