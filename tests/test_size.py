"""The toolbox stays small beside what it serves: the lines of tfport/ and benchmarks/ (every
file, as `wc -l` counts them) against those of the ports, legacy_tf1/ and keras_models/.

The goal is at most 2 x. The bar is the ratio last measured (2026-12-07: 6,248 lines against
2,989, 2.09 x; 2.24 x when this test was written), rounded up to 2.10 so that a small fix still
fits: it keeps the toolbox from growing back while it is cut towards 2 x. Lower the bar as
the toolbox shrinks; never raise it to let a tool grow (trim the tool, or retire what is
written down, benchmarks/README.md).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLBOX = ("tfport", "benchmarks")
PORTS = ("legacy_tf1", "keras_models")
GOAL_RATIO = 2.0
MAX_RATIO = 2.10  # measured 2.09 (see above); lowered towards GOAL_RATIO, never raised


def lines(folders: tuple[str, ...]) -> int:
    """Newlines in every file under the folders, as `wc -l` counts them (no bytecode)."""
    files = [path for folder in folders for path in (ROOT / folder).rglob("*")
             if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"]
    return sum(path.read_bytes().count(b"\n") for path in files)


def test_the_toolbox_does_not_grow_past_its_bar():
    toolbox, ports = lines(TOOLBOX), lines(PORTS)
    assert ports > 2500, f"the ports are {ports} lines: is a folder missing?"
    assert toolbox <= MAX_RATIO * ports, (
        f"tfport/ + benchmarks/ is {toolbox} lines, {toolbox / ports:.2f} x the ports' {ports}; "
        f"the bar is {MAX_RATIO:g} x (the goal {GOAL_RATIO:g} x): trim the toolbox, don't grow it"
    )
