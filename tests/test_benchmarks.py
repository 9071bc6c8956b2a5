"""benchmarks/ is an index, not an attic: every script in it has an entry in
benchmarks/README.md and every kept entry is a script there; each entry says its question,
its answer, its command and its report, and each retired one the commit that holds it; every
report the index names exists; each kept script starts (`--help`: nothing measured); and the
helpers the scripts share (tfport/bench.py) read a child process as they say.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_docs import broken_links, links
from tfport import bench

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
INDEX = BENCHMARKS / "README.md"
MAX_LINES = 1000  # an index and the scripts it keeps, not every investigation


def entries() -> dict[str, dict[str, dict[str, str]]]:
    """The index's tables: {"Kept": {script: {column: cell}}, "Retired": {...}}."""
    sections = re.split(r"^## (Kept|Retired)\n", INDEX.read_text(), flags=re.M)
    found = {}
    for title, text in zip(sections[1::2], sections[2::2]):
        rows = [[cell.strip() for cell in line.strip().strip("|").split(" | ")]
                for line in text.splitlines() if line.startswith("|")]
        header, body = rows[0], rows[2:]  # rows[1] is the |---| line
        assert all(len(row) == len(header) for row in body), f"{title}: a row's cells are off"
        found[title] = {row[0]: dict(zip(header, row)) for row in body}
    return found


SCRIPTS = sorted(path.stem for path in BENCHMARKS.glob("*.py"))


def test_every_script_is_in_the_index_and_every_kept_entry_is_a_script():
    found = entries()
    assert set(found) == {"Kept", "Retired"}
    assert sorted(found["Kept"]) == SCRIPTS, "benchmarks/README.md's kept entries are not benchmarks/*.py"
    assert not set(found["Retired"]) & set(SCRIPTS), "a retired script is still in benchmarks/"


def test_every_entry_says_its_question_answer_command_and_report():
    for title, named in entries().items():
        for name, fields in named.items():
            for field in ("question", "answer", "command", "report"):
                assert fields.get(field), f"{name}: no {field}"
            assert f"benchmarks/{name}.py" in fields["command"], name
            if title == "Retired":
                assert re.fullmatch(r"[0-9a-f]{7,40}", fields.get("commit", "")), \
                    f"{name}: no commit that holds it"
                # a report under docs/; or none, and the code that applies the answer
                reports = [target for target in links_in(fields["report"])
                           if fields["report"].startswith("none") or target.startswith("../docs/")]
                assert reports, f"{name}: its report cell links no report under docs/"


def test_each_kept_answer_is_copied_from_its_report():
    # The answers' figures are typed into the index: each must be in a report or page the
    # entry links (a report made again with other figures fails here until the index follows).
    for name, fields in entries()["Kept"].items():
        reports = [(INDEX.parent / target.split("#")[0]).read_text()
                   for target in links_in(fields["answer"] + fields["report"])]
        figures = re.findall(r"\d+\.\d+|\d+ of \d+", fields["answer"])
        assert figures, f"{name}: its answer gives no figure"
        for figure in figures:  # the whole figure: 0.98 is not in 0.9858
            alone = re.compile(rf"(?<![\d.]){re.escape(figure)}(?!\d)")
            assert any(alone.search(report) for report in reports), \
                f"{name}: {figure} is in no report its entry links"


def links_in(markdown: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", markdown)


def test_every_report_and_page_the_index_names_exists():
    assert links(INDEX), "the index links no report"
    assert broken_links(INDEX) == []


def test_each_retired_script_is_in_the_commit_the_index_names():
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT,
                             capture_output=True, text=True)
    if shallow.returncode != 0 or shallow.stdout.strip() != "false":
        pytest.skip("no full git history here")
    for name, fields in entries()["Retired"].items():
        commit = fields["commit"]
        found = subprocess.run(["git", "cat-file", "-e", f"{commit}:benchmarks/{name}.py"],
                               cwd=ROOT, capture_output=True)
        assert found.returncode == 0, f"{commit} holds no benchmarks/{name}.py"


def test_benchmarks_stays_under_a_thousand_lines():
    lines = sum(len(path.read_text().splitlines()) for path in BENCHMARKS.iterdir() if path.is_file())
    assert lines < MAX_LINES, (
        f"benchmarks/ has {lines} lines: retire an investigation whose answer is written down "
        "(its entry in benchmarks/README.md), or fold its helpers into tfport/bench.py")


@pytest.mark.parametrize("name", SCRIPTS)
def test_each_kept_script_answers_help(name):
    done = subprocess.run([sys.executable, str(BENCHMARKS / f"{name}.py"), "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("usage:"), done.stdout[:200]


# --- the helpers the scripts share -------------------------------------------------------

def test_child_json_reads_the_last_json_line_and_the_seconds():
    found, seconds = bench.child_json(
        [sys.executable, "-c", "import json, os; print('a line'); print(json.dumps({'n': 1})); "
                               "print(json.dumps({'n': 2, 'v': os.environ['TFPORT_X']}))"],
        {"TFPORT_X": "set"})
    assert found == {"n": 2, "v": "set"}
    assert 0 < seconds < 60


def test_a_failed_child_says_why_and_keeps_its_error_output():
    with pytest.raises(bench.ChildFailed, match=r"a probe failed \(exit 3\): the last line") as error:
        bench.child_json([sys.executable, "-c", "import sys; sys.stderr.write('first\\nthe last line\\n'); "
                                                "sys.exit(3)"], what="a probe")
    assert error.value.stderr == "first\nthe last line\n"
    with pytest.raises(bench.ChildFailed, match=r"failed \(exit 0\): \(no error output\)"):
        bench.child_json([sys.executable, "-c", "print('no json')"])
    with pytest.raises(bench.BenchRunError, match="took over 1 s"):
        bench.run_child([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=1)



def test_gpu_records_rewrite_of_a_file_that_is_not_its_index_is_one_line(tmp_path):
    for given in (tmp_path / "missing.json", tmp_path / "empty.json"):
        if given.name == "empty.json":
            given.write_text("{}")
        done = subprocess.run([sys.executable, str(BENCHMARKS / "gpu_records.py"), "--rewrite",
                               str(given)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr[-2000:]
        assert "is not this script's index.json" in done.stderr
