"""README.md says what CI does, and every figure in it and in docs/*.md comes from committed
command output."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tfport.tables import one_row_each
from tfport.examples import EXAMPLES
from tfport.results import RunResult

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_readme_starts_with_the_two_set_up_commands_and_ci_runs_the_second():
    main_job, tests = _commands()[:2]
    assert main_job.endswith("tfport compare") and "pip install -e ." in main_job
    # two worker processes, each test file in one (its module fixtures made once)
    assert tests.endswith("pytest -n 2 --dist loadfile") and 'pip install -e ".[test,backends]"' in tests
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci, ".ci/run must run README's test command verbatim"


def test_readme_lists_every_example():
    for example_id in EXAMPLES:
        assert f"`{example_id}`" in README


# Where each generated block is shown; moving one off its page must be a change here too.
BLOCKS_SHOWN = {
    "README.md": {"docs/results/quick/compare-quick-seed0.md", "docs/audit/audit.md"},
    "docs/backends.md": {"docs/results/gpu/gpu.md"},
    "docs/bert.md": {"docs/spread/quick-amd-epyc.md"},
}


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _blocks(page: Path) -> list[tuple[str, str]]:
    return re.findall(r"<!-- from (\S+) -->\n(.+?)\n<!-- end -->", page.read_text(), re.S)


def test_results_blocks_are_where_they_belong():
    shown = {page.relative_to(ROOT).as_posix(): {path for path, _ in _blocks(page)}
             for page in _pages()}
    for page, paths in BLOCKS_SHOWN.items():
        assert paths <= shown.get(page, set()), f"{page} lacks {sorted(paths - shown[page])}"


def test_results_tables_are_the_committed_command_output():
    # Each generated block, in README.md or a docs/*.md page, is pasted from a file that the
    # named command wrote, next to the records it was built from; the block must be that
    # file, and rebuilding the file from those records must match.
    blocks = [(page, path, block) for page in _pages() for path, block in _blocks(page)]
    assert blocks, "README's results must come from committed output"
    for page, path, block in blocks:
        where = page.relative_to(ROOT)
        table_file = ROOT / path
        assert table_file.is_file(), f"{where} shows {path}, which does not exist"
        assert block.strip() == table_file.read_text().strip(), f"{where} differs from {path}"
        if table_file.name == "gpu.md":  # benchmarks/gpu_records.py, from its index.json
            assert _gpu_records().report(json.loads(
                (table_file.parent / "index.json").read_text())).strip() == block.strip()
            continue
        if path == "docs/audit/audit.md":  # tests/test_audit.py rebuilds it from its records
            continue
        if table_file.parent.name == "spread":  # benchmarks/quick_spread.py, from its JSON
            spread = json.loads(table_file.with_suffix(".json").read_text())
            assert _script("quick_spread").table(spread["examples"]) in block
            continue
        match = re.fullmatch(r"compare-(\w+)-seed(\d+)\.md", table_file.name)
        assert match, f"{where} shows {path}: say in this test how it is rebuilt"
        profile, seed = match.groups()
        records = [RunResult.load(table_file.parent / f"{example_id}-{api}-{profile}-seed{seed}.json")
                   for example_id in EXAMPLES for api in ("tf1", "keras")]
        assert one_row_each(records).strip() == block.strip()


def test_the_gpu_records_name_a_gpu_and_every_keras_port():
    # The GPU table's records were made on a GPU (they say which), one per Keras port on
    # JAX. That machine has no TensorFlow: bert_classifier's record says how it ran there
    # (benchmarks/gpu_records.py: checkpoint values read beforehand, Grain in place of tf.data).
    index = json.loads((ROOT / "docs" / "results" / "gpu" / "index.json").read_text())
    on_jax = {r["example"] for r in index["records"] if r["environment"]["backend"] == "jax"}
    assert on_jax == set(EXAMPLES)
    assert all(r["environment"]["device"].startswith("GPU: ") for r in index["records"])
    assert all(r["profile"] == "article" for r in index["records"])
    bert = next(r for r in index["records"] if r["example"] == "bert_classifier")
    assert bert["environment"]["tensorflow"] == "not installed"
    assert bert["extra"]["ran"].startswith("bert_classifier's port on a machine without TensorFlow")
    if "checkpoint" not in bert["environment"]:  # made on the random BERT-Tiny of before
        assert "before the example loaded a pretrained BERT" in _gpu_records().report(index)


def _gpu_records():
    return _script("gpu_records")


def _script(name: str):
    """A script of benchmarks/ as a module (importing it runs nothing)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
