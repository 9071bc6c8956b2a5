"""What the notebooks show besides tables and plots: the two ports' code side by side.

The notebooks do not copy model code: `side_by_side` reads each function from
`legacy_tf1/<id>.py` and `keras_models/<id>.py` and puts them in two columns, so that a
notebook always shows the code that its run cells execute.
"""

from __future__ import annotations

import html
import importlib
import inspect

from tfport.examples import keras_port, tf1_port


class SideBySide:
    """Two columns of source code; renders as HTML in a notebook and as text elsewhere."""

    def __init__(self, title: str, left: tuple[str, str], right: tuple[str, str]):
        self.title, self.left, self.right = title, left, right

    def _repr_html_(self) -> str:
        def column(heading: str, code: str) -> str:
            return (f"<td style='vertical-align:top;text-align:left;width:50%'>"
                    f"<b>{html.escape(heading)}</b>"
                    f"<pre style='font-size:11px;white-space:pre-wrap'>{html.escape(code)}</pre></td>")

        return (f"<table style='width:100%'><caption>{html.escape(self.title)}</caption><tr>"
                f"{column(*self.left)}{column(*self.right)}</tr></table>")

    def __repr__(self) -> str:
        return "\n".join([self.title, *(f"--- {heading}\n{code}" for heading, code in (self.left, self.right))])


def side_by_side(example_id: str, *names: str) -> SideBySide:
    """The functions (or classes) `names` of both ports of `example_id`, TF1 left, Keras right.

    A name that only one port has shows as a note in the other column.
    """

    def source(port, name: str) -> str:
        if not hasattr(port, name):
            return f"# {port.__name__} has no {name}"
        return inspect.getsource(getattr(port, name))

    tf1, new = tf1_port(example_id), keras_port(example_id)
    return SideBySide(
        f"{example_id}: {', '.join(names)}",
        (f"TF1: {tf1.__name__}", "\n".join(source(tf1, name) for name in names)),
        (f"Keras 3: {new.__name__}", "\n".join(source(new, name) for name in names)),
    )


def run_scaffolds() -> SideBySide:
    """What every port's `run` does around the article's functions: the TF1 session scaffold
    (graph, Session, initializer, batched evaluation and prediction) beside the Keras one."""
    tf1 = importlib.import_module("legacy_tf1.session")
    new = importlib.import_module("keras_models.program")
    return SideBySide(
        "run: load, build, train, evaluate, predict",
        (f"TF1: {tf1.__name__}", inspect.getsource(tf1.new_session) + "\n"
         + inspect.getsource(tf1.run_program)),
        (f"Keras 3: {new.__name__}", inspect.getsource(new.run_program)),
    )
