"""`tfport audit` (tfport/audit.py, claims.py): a smoke run on tiny profiles, its verdict logic,
and the committed report."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tfport import audit, claims, cli
from tfport.examples import EXAMPLES
from tfport.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[1]


def test_claim_bar_is_the_claim_rounded_at_the_articles_precision():
    assert claims.claim_bar("95") == pytest.approx(0.945)
    assert claims.claim_bar("95.2") == pytest.approx(0.9515)


def test_audit_runs_every_claim_and_reuses_its_records(tmp_path, tiny_profile, monkeypatch,
                                                        capsys, tiny_compare):
    for example_id, profile in tiny_profile.items():
        monkeypatch.setitem(PROFILES[example_id], "quick", profile)
    report = tmp_path / "audit.md"
    args = ["audit", "--profile", "quick", "--quiet", "--records", str(tmp_path / "records"),
            "--report", str(report)]
    # The records `tfport compare` wrote for the same profiles (conftest.py), but mlp_gd's
    # and sigmoid_step's, which this audit trains itself: records made by either command
    # serve both, and the audit's own runs are tested too.
    (tmp_path / "records").mkdir()
    for record in tiny_compare[1].glob("*.json"):
        if not record.name.startswith(("mlp_gd-", "sigmoid_step-")):
            shutil.copy(record, tmp_path / "records" / record.name)
    assert cli.main(args) == 0
    rows = json.loads(report.with_suffix(".json").read_text())["rows"]
    assert {row["example"] for row in rows} == set(EXAMPLES) | {"bert_classifier"}
    verdicts = {(row["example"], row["claim"]): row["verdict"] for row in rows}
    # Facts that no amount of training changes:
    assert verdicts[("binary_mlp", "Loss 0.6525, Accuracy 0.75 on three samples")] == "cannot hold"
    assert verdicts[("sigmoid_step", "sigma(2) = 0.865")] == "does not hold"
    assert verdicts[("sigmoid_step", "dJ/dZ = 0.865")] == "does not hold"
    # A tiny profile cannot reach the articles' 95%: the verdict must say so, not echo the claim.
    assert verdicts[("cnn_sparse", "test accuracy 95.2%")] == "does not hold"
    assert "tfport audit --profile quick" in report.read_text()
    records = sorted(path.name for path in (tmp_path / "records").glob("*.json"))
    assert len(records) == 2 * len(EXAMPLES)

    # Every figure of a reason is the profile's that ran, and a quick-profile reason says
    # that it is no verdict on the article.
    why = {row["example"]: row["why"] for row in rows}
    mlp = tiny_profile["mlp_gd"]
    assert why["mlp_gd"].startswith("At the `tiny` profile (")
    assert f"{mlp.epochs} full-batch steps on {mlp.train_size:,} images" in why["mlp_gd"]
    assert "not a verdict on the article" in why["cnn_sparse"]
    cnn = tiny_profile["cnn_sparse"]
    assert f"{cnn.epochs} epoch of batches of {cnn.batch_size}" in why["cnn_sparse"]  # 1 epoch
    assert not any(row["stale"] for row in rows)

    # A second audit reads the records instead of training again: same rows, and fast.
    capsys.readouterr()
    assert cli.main(args[:3] + args[4:]) == 0  # the same audit, without --quiet
    assert "reusing" in capsys.readouterr().err
    assert json.loads(report.with_suffix(".json").read_text())["rows"] == rows

    # A record made by other code than today's port is marked stale, with how to re-record.
    record = tmp_path / "records" / "cnn_sparse-keras-tiny-seed0.json"
    payload = json.loads(record.read_text())
    payload["environment"]["fingerprint"] = "0" * 16
    record.write_text(json.dumps(payload))
    assert cli.main(args) == 0
    rows = json.loads(report.with_suffix(".json").read_text())["rows"]
    stale = [row for row in rows if row["stale"]]
    assert [row["example"] for row in stale] == ["cnn_sparse"]
    assert "STALE: the keras record was made by other code" in stale[0]["why"]
    assert "tfport run cnn_sparse --profile quick --seed 0" in stale[0]["why"]
    assert "(stale record)" in report.read_text()


def test_no_run_trains_nothing_and_says_how_to_record_each_missing_claim(tmp_path, capsys):
    report = tmp_path / "audit.md"
    assert cli.main(["audit", "--no-run", "--quiet", "--records", str(tmp_path / "none"),
                     "--report", str(report)]) == 0
    rows = json.loads(report.with_suffix(".json").read_text())["rows"]
    assert {row["verdict"] for row in rows} == {claims.LATER}
    assert {row["example"] for row in rows} == set(EXAMPLES) | {"bert_classifier"}
    missing = [row for row in rows if row["example"] != "bert_classifier"]
    for row in missing:
        assert f"tfport run {row['example']} --profile quick" in row["why"]
    assert not (tmp_path / "none").exists(), "--no-run must not train or write records"


def test_rerun_and_no_run_exclude_each_other():
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["audit", "--rerun", "--no-run"])
    assert exit_info.value.code == 2


def test_committed_report_covers_every_claim_at_the_article_profile():
    report = ROOT / "docs" / "audit" / "audit.md"
    if not report.exists():
        pytest.fail("docs/audit/audit.md is missing: run "
                    "`tfport audit --profile article --records docs/audit/records --report docs/audit/audit.md`")
    text = report.read_text()
    assert re.search(r"profile: `article`", text)
    payload = json.loads(report.with_suffix(".json").read_text())
    assert payload["profile"] == "article"
    assert {row["example"] for row in payload["rows"]} == set(EXAMPLES) | {"bert_classifier"}
    for row in payload["rows"]:
        assert row["verdict"] in {claims.HOLDS, claims.FAILS, claims.IMPOSSIBLE, claims.NO_CLAIM,
                                  claims.LATER}
        if row["verdict"] == claims.LATER:
            # a claim the committed report could not check yet names the command that will
            assert f"tfport run {row['example']} --profile article" in row["why"]
        if row["verdict"] != claims.LATER:
            for api in ("tf1", "keras"):  # every verdict rests on a committed record
                assert (ROOT / "docs" / "audit" / "records" /
                        f"{row['example']}-{api}-article-seed0.json").exists()


def test_committed_report_is_what_its_records_give_today(tmp_path, monkeypatch):
    # The committed audit is rebuilt from the committed records with today's code: the
    # same rows (figures, verdicts, reasons, staleness) and the same run summaries. A port
    # changed since its record was made shows as stale in both, or this fails until the
    # report is rebuilt.
    committed = json.loads((ROOT / "docs" / "audit" / "audit.json").read_text())
    report = tmp_path / "audit.md"
    monkeypatch.chdir(ROOT)  # the report names its records folder as the command did
    audit.audit("article", 0, Path("docs/audit/records"), report, reuse=True, verbose=0,
                run_missing=False)
    rebuilt = json.loads(report.with_suffix(".json").read_text())
    assert rebuilt["rows"] == committed["rows"]
    assert rebuilt["runs"] == committed["runs"]


# docs/audit.md's opening answer, written by hand: each phrase and the verdicts it states.
OPENING_VERDICTS = {
    "one claim holds, `cnn_sparse`'s test accuracy": {"cnn_sparse": [claims.HOLDS]},
    "`mlp_gd`'s and `cnn_mse_sgd`'s test accuracies and `sigmoid_step`'s four figures do not": {
        "mlp_gd": [claims.FAILS], "cnn_mse_sgd": [claims.FAILS],
        "sigmoid_step": [claims.FAILS] * 4},
    "`binary_mlp`'s accuracy on three samples cannot": {"binary_mlp": [claims.IMPOSSIBLE]},
    "BERT's loss curve does not": {"bert_classifier": [claims.FAILS]},
    "`backprop` and `cnn_onehot` claim no figure": {
        "backprop": [claims.NO_CLAIM], "cnn_onehot": [claims.NO_CLAIM]},
}


def test_the_audit_pages_opening_states_the_committed_verdicts():
    # docs/audit.md answers in prose; the committed report decides. Each phrase must be in
    # the page's opening, and together they must give every row's verdict: a verdict that
    # changes in the report fails here until the page says so.
    page = (ROOT / "docs" / "audit.md").read_text()
    opening = " ".join(page.split("\n## ")[0].split())
    stated: dict[str, list[str]] = {}
    for phrase, verdicts in OPENING_VERDICTS.items():
        assert phrase in opening, f"docs/audit.md's opening no longer says: {phrase}"
        stated.update(verdicts)
    committed: dict[str, list[str]] = {}
    for row in json.loads((ROOT / "docs" / "audit" / "audit.json").read_text())["rows"]:
        committed.setdefault(row["example"], []).append(row["verdict"])
    assert stated == committed


def test_a_fingerprint_follows_the_code_not_its_comments_or_docstrings(tmp_path):
    from tfport.results import program_code

    original = '"""Module."""\nimport math\n\n\ndef f(x):\n    """Doc."""\n    return x + 1  # one\n'
    reworded = '"""Other words."""\nimport math\n\n\ndef f(x):\n    # a comment\n    return x + 1\n'
    changed = original.replace("x + 1", "x + 2")
    texts = {}
    for name, text in {"original": original, "reworded": reworded, "changed": changed}.items():
        (tmp_path / f"{name}.py").write_text(text)
        texts[name] = program_code(tmp_path / f"{name}.py")
    assert texts["original"] == texts["reworded"]
    assert texts["original"] != texts["changed"]
