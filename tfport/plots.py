"""Every figure the project draws, written to PNG files. `matplotlib.figure.Figure`, not
`pyplot`: no display or global backend needed; in a notebook the returned figure shows itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tfport.results import RunResult


def loss_curves(results: Sequence[RunResult], path: str | Path | None = None,
                x_label: str = "epoch") -> Figure:
    """Several runs' training losses on one axes: each `loss_by_step` (`tfport.steplog`)
    against the step, epoch ends dotted; records without one, per epoch against `x_label`."""
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    axes = figure.add_subplot()
    by_step = all(result.loss_by_step for result in results)
    for result in results:
        if by_step:
            steps, losses = _epoch_by_epoch(result.loss_by_step)
        else:
            steps, losses = np.arange(1, len(result.loss_history) + 1), result.loss_history
        axes.plot(steps, losses, marker="o" if len(steps) <= 20 else None,
                  label=f"{result.api} (test acc {result.test_accuracy:.4f})")
    if results:
        first = results[0]
        axes.set_title(f"{first.example}: training loss ({first.profile} profile, seed {first.seed})")
    per_epoch = max((r.loss_by_step.get("steps_per_epoch", 1) for r in results if by_step),
                    default=1)
    if per_epoch > 1:
        epochs = max(len(r.loss_history) for r in results)
        for epoch in range(1, epochs):
            axes.axvline(epoch * per_epoch, color="grey", linestyle=":", linewidth=1)
        axes.set(xlabel=f"step ({per_epoch} an epoch; dotted: end of an epoch)",
                 ylabel="training loss, mean over the epoch so far")
    else:
        axes.set(xlabel="full-batch step" if by_step else x_label, ylabel="training loss")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs and steps are whole
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)


def _epoch_by_epoch(log: dict) -> tuple[list[float], list[float]]:
    """A step log's points with a gap after each epoch: the mean so far starts afresh."""
    steps: list[float] = []
    losses: list[float] = []
    for step, loss in zip(log["steps"], log["loss"]):
        steps.append(step)
        losses.append(loss)
        if log["steps_per_epoch"] > 1 and step % log["steps_per_epoch"] == 0:
            steps.append(np.nan)
            losses.append(np.nan)
    return steps, losses


def prediction_grid(images: np.ndarray, results: Sequence[RunResult],
                    class_names: Sequence[str] | None = None,
                    path: str | Path | None = None) -> Figure:
    """The first test `images` (in the runs' order, 28x28 or flat), each titled with its label
    and every run's `extra["first_predictions"]`; a wrong prediction in red."""
    labels = results[0].extra["first_labels"]
    shown = min(len(labels), len(images))
    name = (lambda k: class_names[k]) if class_names else str
    columns = 8
    rows = -(-shown // columns)
    figure = Figure(figsize=(columns * 1.3, rows * 1.7), layout="constrained")
    for index in range(shown):
        axes = figure.add_subplot(rows, columns, index + 1)
        axes.imshow(np.asarray(images[index]).reshape(28, 28), cmap="gray_r")
        axes.set(xticks=[], yticks=[])
        guesses = [(r.api, r.extra["first_predictions"][index]) for r in results]
        wrong = any(guess != labels[index] for _, guess in guesses)
        axes.set_title(f"label {name(labels[index])}\n"
                       + "\n".join(f"{api}: {name(guess)}" for api, guess in guesses),
                       fontsize=8, color="tab:red" if wrong else "black")
    figure.suptitle(f"{results[0].example}: first {shown} test images "
                    f"({results[0].profile} profile; red: a wrong prediction)")
    return _save(figure, path)


def confusion_matrix(result: RunResult, class_names: Sequence[str] | None = None,
                     path: str | Path | None = None, counted: str = "test images") -> Figure:
    """The run's confusion matrix over the whole test set (`extra["confusion_matrix"]`);
    `counted` names what the cells count."""
    matrix = np.asarray(result.extra["confusion_matrix"])
    names = list(class_names) if class_names else [str(k) for k in range(len(matrix))]
    figure = Figure(figsize=(5.5, 4.8), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, label=counted)
    for (row, column), count in np.ndenumerate(matrix):
        axes.text(column, row, str(count), ha="center", va="center", fontsize=7,
                  color="white" if count > matrix.max() / 2 else "black")
    axes.set_xticks(range(len(names)), names)
    axes.set_yticks(range(len(names)), names)
    axes.set(xlabel="predicted", ylabel="true")
    axes.set_title(f"{result.example} / {result.api}: confusion matrix\n"
                   f"({result.profile} profile, test accuracy {result.test_accuracy:.4f})",
                   fontsize=10)
    return _save(figure, path)


def bench_bars(summaries: Sequence, path: str | Path | None = None) -> Figure:
    """`tfport bench`: steady time per epoch (step) of each variant, one panel per example,
    with the spread over repeats and the ratio to the faithful TF1 port written on the bar."""
    examples = list(dict.fromkeys(s.example for s in summaries))
    figure = Figure(figsize=(7.5, 1.2 + 1.6 * len(examples)), layout="constrained")
    for index, example in enumerate(examples):
        axes = figure.add_subplot(len(examples), 1, index + 1)
        mine = [s for s in summaries if s.example == example]
        times = [s.steady_s for s in mine]
        low = [s.steady_s - s.steady_spread[0] for s in mine]
        high = [s.steady_spread[1] - s.steady_s for s in mine]
        colors = ["tab:blue" if s.variant.startswith("tf1") else "tab:orange" for s in mine]
        positions = np.arange(len(mine))
        axes.barh(positions, times, xerr=[low, high], color=colors, capsize=3)
        axes.set_yticks(positions, [s.variant for s in mine])
        axes.invert_yaxis()
        for position, summary in zip(positions, mine):
            label = "baseline" if summary.ratio_vs_tf1 is None else f"x{summary.ratio_vs_tf1:.2f}"
            axes.text(summary.steady_s, position, f"  {label}", va="center", fontsize=8)
        axes.set_xlim(0, max(s.steady_spread[1] for s in mine) * 1.3)
        axes.set_xlabel(f"seconds per {mine[0].unit} (median; bars: min-max over repeats)")
        axes.set_title(example, fontsize=10)
        axes.grid(axis="x", alpha=0.3)
    return _save(figure, path)


def scatter_inputs(x_train: np.ndarray, y_train: np.ndarray, path: str | Path | None = None) -> Figure:
    """Article 000's figure as it wrote it: feature 0 against 1, coloured by one-hot column 0.
    On MNIST both are top-left corner pixels, 0 in every image: the plot is a single point."""
    figure = Figure(figsize=(5.0, 4.0), layout="constrained")
    axes = figure.add_subplot()
    axes.scatter(x_train[:, 0], x_train[:, 1], c=y_train[:, 0], cmap="Spectral")
    axes.set(xlabel="Feature 1", ylabel="Feature 2", title="Input Data")
    return _save(figure, path)


def _save(figure: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=100)
    return figure
