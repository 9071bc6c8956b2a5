"""The committed mutation table (docs/mutations/) is that of today's mutation list, and every
bug in it was caught.

Running the mutations takes a quarter of an hour on two cores (`python
benchmarks/mutations.py --out docs/mutations`), so the suite does not run them; it checks
that each mutation still applies to today's code (its text occurs exactly once where it
says), that the committed table has a row for each, and that each row says caught.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "mutations" / "mutations.json"


def mutations():
    spec = importlib.util.spec_from_file_location("mutations", ROOT / "benchmarks" / "mutations.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutations"] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module.MUTATIONS


MUTATIONS = mutations()


def test_there_are_at_least_twelve_bugs_of_every_kind():
    assert len(MUTATIONS) >= 12
    kinds = {m.kind for m in MUTATIONS}
    assert {"data", "optimizer", "loss", "layer", "training loop", "evaluation"} <= kinds
    files = {m.file for m in MUTATIONS}
    assert any(f.startswith("legacy_tf1/") for f in files)
    assert any(f.startswith("keras_models/") for f in files)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_each_mutation_still_applies_to_todays_code(mutation):
    text = (ROOT / mutation.file).read_text()
    assert text.count(mutation.old) == 1, (
        f"{mutation.name}: its text no longer occurs once in {mutation.file}; update it in "
        "benchmarks/mutations.py and run the mutations again")


def test_the_committed_table_has_every_mutation_and_each_was_caught():
    rows = {row["mutation"]: row for row in json.loads(TABLE.read_text())["rows"]}
    assert set(rows) == {m.name for m in MUTATIONS}, (
        "docs/mutations is not the table of today's mutation list: run "
        "`python benchmarks/mutations.py --out docs/mutations`")
    survived = [name for name, row in rows.items() if row["result"] != "caught"]
    assert survived == [], f"bugs the tests let through: {survived}"
    for mutation in MUTATIONS:
        assert rows[mutation.name]["tests"] == " ".join(mutation.tests)
