"""Every command README.md and the docs pages tell a reader to type is one that runs.

The commands are read from the pages themselves: each line of a ```bash block, and each
inline `tfport ...` or `python -m ...` span of the prose that names no placeholder (ID, DIR,
jax|torch, ...). A `tfport` command must parse, name examples and profiles that exist, and
pass every check of its inputs (tfport/inputs.py: data found, folders writable, backends
installed), the checks that run before any training; it is not trained here, which would
take hours. A `python -m MODULE` must name a module of this project or an installed one,
and a `python benchmarks/SCRIPT.py` a script that is there (benchmarks/README.md's retired
entries aside: how they were run is history). A renamed option, a profile that is gone or a
retired script shown as current fails here.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from tfport import cli, inputs

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "notebooks" / "README.md", ROOT / "benchmarks" / "README.md",
         *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(bash|sh|console)?\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"(?<!`)`((?:tfport |python -m |python benchmarks/)[^`]+)`(?!`)")
# a span that stands for many commands: a placeholder, a choice, an option list
PLACEHOLDER = re.compile(r"\b[A-Z]{2,}\b|\||\.\.\.|\[|<|\bN\b|\bK\b")


def documented_commands() -> list[tuple[str, str]]:
    """(page, command) for every command the pages show."""
    found = []
    for page in PAGES:
        # benchmarks/README.md's retired scripts are gone: how each was run is history
        text = page.read_text().partition("\n## Retired")[0]
        for _, block in FENCE.findall(text):
            lines = block.replace("\\\n", " ").splitlines()
            for line in lines:
                for part in line.split("#")[0].split("&&"):
                    part = part.strip()
                    if part.startswith(("tfport ", "python -m ", "python benchmarks/")):
                        found.append((page.relative_to(ROOT).as_posix(), part))
        for span in SPAN.findall(FENCE.sub("", text)):
            if not PLACEHOLDER.search(span):
                found.append((page.relative_to(ROOT).as_posix(), " ".join(span.split())))
    return list(dict.fromkeys(found))


COMMANDS = documented_commands()
SUBCOMMANDS = set(next(action.choices for action in cli._parser()._actions
                       if hasattr(action, "choices") and isinstance(action.choices, dict)))


def test_the_pages_show_commands():
    tfport_commands = {command.split()[1] for _, command in COMMANDS if command.startswith("tfport ")}
    assert {"list", "run", "compare", "audit", "verify", "bench", "bert-checkpoint",
            "convert-checkpoint"} <= tfport_commands, tfport_commands


@pytest.mark.parametrize("page, command", COMMANDS, ids=[f"{p}: {c}" for p, c in COMMANDS])
def test_each_command_runs_as_written(page, command, tmp_path, monkeypatch):
    words = shlex.split(command)
    monkeypatch.chdir(tmp_path)  # what a command writes (runs/..., a report) lands here
    if words[0] == "tfport":
        if len(words) == 2 and words[1] in SUBCOMMANDS and f"`{command}`" in (ROOT / page).read_text():
            return  # the prose names the command (`tfport run`); its usage is shown elsewhere
        try:
            args = cli._parser().parse_args(words[1:])
        except SystemExit as stop:
            pytest.fail(f"{page}: `{command}` does not parse (exit {stop.code})")
        if args.command != "list":
            inputs.check_inputs(args)  # raises, with the one line a user would see
    elif words[:2] == ["python", "-m"]:
        module = words[2]
        assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file() \
            or importlib.util.find_spec(module) is not None, f"{page}: no module {module}"
    else:
        assert (ROOT / words[1]).is_file(), f"{page}: no script {words[1]}"
